package sftest

import "strings"

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// checksumAlphabet maps the 5-bit upper-case mask of each 5-character chunk
// of a 15-character id to one suffix character of the 18-character form.
const checksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// makeID builds an 18-character Salesforce id: the 3-character key prefix,
// a 2-character instance code, a reserved "0", nine base-62 digits of n, and
// the case-safe checksum.
func makeID(prefix string, n uint64) string {
	var digits [9]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = base62[n%62]
		n /= 62
	}
	return to18(prefix + "8d0" + string(digits[:]))
}

// to18 appends the checksum to a 15-character id. It returns "" when id is
// not 15 alphanumeric characters.
func to18(id string) string {
	if len(id) != 15 || !isAlnum(id) {
		return ""
	}
	var b strings.Builder
	b.WriteString(id)
	for chunk := 0; chunk < 3; chunk++ {
		flags := 0
		for j := 0; j < 5; j++ {
			c := id[chunk*5+j]
			if c >= 'A' && c <= 'Z' {
				flags |= 1 << j
			}
		}
		b.WriteByte(checksumAlphabet[flags])
	}
	return b.String()
}

// normalizeID returns the 18-character form of a 15- or 18-character id, or
// "" when s is not shaped like an id (or its checksum does not match).
func normalizeID(s string) string {
	switch len(s) {
	case 15:
		return to18(s)
	case 18:
		if full := to18(s[:15]); full != "" && strings.EqualFold(full[15:], s[15:]) {
			return full
		}
	}
	return ""
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

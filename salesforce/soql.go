package salesforce

import (
	"strings"
	"unicode"
)

// QuoteString returns s as a SOQL string literal, quotes included, so user
// data can never change a query: backslash, single and double quote, new
// line, carriage return, tab, backspace (\b) and form feed (\f) are written
// as the escape sequences SOQL defines, and every other control character
// (NUL, the rest of U+0000-U+001F, U+007F-U+009F) as SOQL's Unicode escape
// \uXXXX, so the literal holds no raw control byte; every other character is
// kept as is. Invalid UTF-8 is replaced with U+FFFD. For example
// QuoteString(`Bob's`) is `'Bob\'s'` and QuoteString("a\x00") is `'a\u0000'`.
// Salesforce stores no NUL in a text field, so a literal holding one
// matches no record.
func QuoteString(s string) string {
	return quote(s, false)
}

// QuoteLike is QuoteString for the right side of LIKE when the value must
// match literally: it also escapes % and _ (\% and \_), which SOQL allows in
// LIKE only. Use LikePrefix for a starts-with pattern.
func QuoteLike(s string) string {
	return quote(s, true)
}

// LikePrefix returns a LIKE literal matching values that start with prefix,
// e.g. LikePrefix("50%") is `'50\%%'`.
func LikePrefix(prefix string) string {
	q := quote(prefix, true)
	return q[:len(q)-1] + "%'"
}

func quote(s string, like bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '%', '_':
			if like {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		default:
			if unicode.IsControl(r) {
				const hex = "0123456789ABCDEF"
				b.WriteString(`\u00`)
				b.WriteByte(hex[r>>4])
				b.WriteByte(hex[r&0xF])
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// CheckFieldPath reports whether path can be spliced into SOQL or a request
// path as a field: an API name (a letter, then letters, digits and
// underscores, at most 80 characters) or a relationship path of such names
// joined by dots, e.g. "Product2.BigCommerce_Product_Key__c". Names are
// never quoted in SOQL, so a configured name must pass this check before it
// is used; the error names the part at fault.
func CheckFieldPath(path string) error {
	return checkFieldPath(path)
}

package salesforce

import "strings"

// QuoteString returns s as a SOQL string literal, quotes included, so user
// data can never change a query: backslash, single and double quote, new
// line, carriage return, tab, backspace (\b) and form feed (\f) are written
// as the escape sequences SOQL defines; every other character is kept as is.
// Invalid UTF-8 is replaced with U+FFFD. For example QuoteString(`Bob's`)
// is `'Bob\'s'`.
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
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

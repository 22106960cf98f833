package salesforce

import (
	"errors"
	"strings"
	"testing"
)

func TestQuoteString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, like string }{
		{"Bob's BBQ", `'Bob\'s BBQ'`, `'Bob\'s BBQ'`},
		{`C:\temp`, `'C:\\temp'`, `'C:\\temp'`},
		{"a\nb\rc\td\be\ff\"g", `'a\nb\rc\td\be\ff\"g'`, `'a\nb\rc\td\be\ff\"g'`},
		{"' OR Name != '", `'\' OR Name != \''`, `'\' OR Name != \''`},
		{`\' OR 1=1 --`, `'\\\' OR 1=1 --'`, `'\\\' OR 1=1 --'`},
		{"50%_off", `'50%_off'`, `'50\%\_off'`},
		{"café ☕", `'café ☕'`, `'café ☕'`},
		{"bad\xffutf8", "'bad\uFFFDutf8'", "'bad\uFFFDutf8'"},
		{"", `''`, `''`},
	}
	for _, tt := range tests {
		if got := QuoteString(tt.in); got != tt.want {
			t.Errorf("QuoteString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if got := QuoteLike(tt.in); got != tt.like {
			t.Errorf("QuoteLike(%q) = %s, want %s", tt.in, got, tt.like)
		}
	}
	if got := LikePrefix("50%"); got != `'50\%%'` {
		t.Errorf("LikePrefix = %s", got)
	}
}

// parseSOQLLiteral reads one SOQL string literal from the start of s, the
// way Salesforce's grammar does, and returns its value and the rest of s.
// like allows the LIKE-only escapes \% and \_.
func parseSOQLLiteral(s string, like bool) (val, rest string, err error) {
	if !strings.HasPrefix(s, "'") {
		return "", "", errors.New("no opening quote")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			return b.String(), s[i+1:], nil
		case '\\':
			i++
			if i == len(s) {
				return "", "", errors.New("dangling backslash")
			}
			switch e := s[i]; e {
			case 'n', 'N':
				b.WriteByte('\n')
			case 'r', 'R':
				b.WriteByte('\r')
			case 't', 'T':
				b.WriteByte('\t')
			case 'b', 'B':
				b.WriteByte('\b')
			case 'f', 'F':
				b.WriteByte('\f')
			case '"', '\'', '\\':
				b.WriteByte(e)
			case '%', '_':
				if !like {
					return "", "", errors.New("LIKE escape outside LIKE")
				}
				b.WriteByte(e)
			default:
				return "", "", errors.New("unknown escape")
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated literal")
}

func FuzzQuoteString(f *testing.F) {
	for _, s := range []string{"", "Bob's", `\`, `\'`, "' OR 1=1 --", "a\nb", "%_", "\x00\xff", "\\\\''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.ToValidUTF8(s, "\uFFFD")
		for _, like := range []bool{false, true} {
			lit := QuoteString(s)
			if like {
				lit = QuoteLike(s)
			}
			// Embedded in a query, the literal must end exactly where it
			// was put, and mean exactly the input.
			query := "SELECT Id FROM Account WHERE Name = " + lit + " LIMIT 1"
			got, rest, err := parseSOQLLiteral(strings.TrimPrefix(query, "SELECT Id FROM Account WHERE Name = "), like)
			if err != nil {
				t.Fatalf("QuoteString(%q) = %s: %v", s, lit, err)
			}
			if rest != " LIMIT 1" || got != want {
				t.Fatalf("QuoteString(%q) = %s parsed as %q with rest %q", s, lit, got, rest)
			}
		}
	})
}

package salesforce

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode"
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
		{"nul\x00end", `'nul\u0000end'`, `'nul\u0000end'`},
		{"\x01\x1f\x7f\u0085\u009f", `'\u0001\u001F\u007F\u0085\u009F'`, `'\u0001\u001F\u007F\u0085\u009F'`},
		{"a\x00' OR Name != '", `'a\u0000\' OR Name != \''`, `'a\u0000\' OR Name != \''`},
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
			case 'u':
				if i+4 >= len(s) {
					return "", "", errors.New("short unicode escape")
				}
				n, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
				if err != nil {
					return "", "", errors.New("bad unicode escape")
				}
				b.WriteRune(rune(n))
				i += 4
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
	for _, s := range []string{"", "Bob's", `\`, `\'`, "' OR 1=1 --", "a\nb", "%_", "\x00\xff", "\\\\''", "\x00", "\u0085\x7f", "a\x1b[0m"} {
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
			if strings.ContainsFunc(lit, unicode.IsControl) {
				t.Fatalf("QuoteString(%q) = %q holds a raw control character", s, lit)
			}
		}
	})
}

func TestCheckFieldPath(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"Id", "ProductCode", "Product2.BigCommerce_Product_Key__c", "ns__Obj__r.ns__Field__c"} {
		if err := CheckFieldPath(ok); err != nil {
			t.Errorf("CheckFieldPath(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Product2.", ".Id", "Id, Name", "Id) OR (Id", "Name FROM Account--", "Product2..Key__c", "1Id", "Id\x00", strings.Repeat("a", 81)} {
		if err := CheckFieldPath(bad); err == nil {
			t.Errorf("CheckFieldPath(%q) accepted", bad)
		}
	}
}

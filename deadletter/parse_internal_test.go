package deadletter

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bc2sf/bc2sf/idempotency"
)

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		filter, reason string
		want           bool
	}{
		{"", "anything", true},
		{"multiple_choices", "order 7: salesforce: MULTIPLE_CHOICES", true},
		{"order 7", "order 7: x", true},
		{"order 7", "order 77: x", true}, // a substring
		{"order 7:", "order 77: x", false},
		{"order #:", "order 77: x", true},
		{"order #: x", "order 77: y", false},
		{"BigCommerce order ##", "BigCommerce order #123", true},
		{"a.b", "axb", false}, // no regexp syntax
		{"(x", "(x", true},
		{"x#", "x", false},
	} {
		f, err := parseFilter(tc.filter)
		if err != nil {
			t.Fatalf("parseFilter(%q): %v", tc.filter, err)
		}
		if got := f.match(tc.reason); got != tc.want {
			t.Errorf("filter %q on %q: %v, want %v", tc.filter, tc.reason, got, tc.want)
		}
	}
	for _, bad := range []string{strings.Repeat("x", MaxFilterBytes+1), "a\x00b", "a\nb", "\xff"} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("parseFilter(%q) accepted", bad)
		}
	}
}

func TestKindOf(t *testing.T) {
	for reason, want := range map[string]string{
		"order 123: salesforce: 300 MULTIPLE_CHOICES (gave up after 8 attempts)": "order #: salesforce: # MULTIPLE_CHOICES (gave up after # attempts)",
		"  plain \n text ":       "plain   text",
		"\xff":                   "\uFFFD",
		strings.Repeat("é", 100): strings.Repeat("é", maxKindBytes/2),
	} {
		if got := kindOf(reason); got != want {
			t.Errorf("kindOf(%q) = %q, want %q", reason, got, want)
		}
	}
	// Each "#" counts against the bound too.
	if k := kindOf(strings.Repeat("1é", 100)); len(k) > maxKindBytes || !strings.HasPrefix(k, "#é#é") {
		t.Errorf("kind of %d bytes: %q", len(k), k)
	}
	// A kind used as a filter matches every reason of that kind.
	f, err := parseFilter(kindOf("order 123: salesforce: BigCommerce order #123 (gave up after 8 attempts)"))
	if err != nil || !f.match("order 9: salesforce: BigCommerce order #9 (gave up after 12 attempts)") {
		t.Errorf("a kind does not select its reasons (%v)", err)
	}
}

func TestParseReplay(t *testing.T) {
	for body, want := range map[string]string{
		`{"ids":["a","b","a"]}`:         "ids [a b]",
		`{"all":true}`:                  "all ",
		`{"all":true,"reason":" x#y "}`: "all x#y",
		`{"ids":[]}`:                    "error",
		`{}`:                            "error",
		`{"ids":["a"],"all":true}`:      "error",
		`{"reason":"x"}`:                "error",
		`{"ids":"a"}`:                   "error",
		`{"ids":["a"]}{}`:               "error",
		`{"ids":["a"],"extra":1}`:       "error",
		`{"ids":[""]}`:                  "error",
		`{"ids":["a\u0000"]}`:           "error",
		`[1]`:                           "error",
		`null`:                          "error",
		``:                              "error",
		`{"all":true,"reason":"a\nb"}`:  "error",
		`{"ids":["` + strings.Repeat("x", MaxIDBytes+1) + `"]}`: "error",
	} {
		o, err := parseReplay([]byte(body))
		var got string
		switch {
		case err != nil:
			got = "error"
		case o.all:
			got = "all " + o.filter.text
		default:
			got = "ids [" + strings.Join(o.ids, " ") + "]"
		}
		if got != want {
			t.Errorf("parseReplay(%s) = %s (%v), want %s", body, got, err, want)
		}
	}
	many := `{"ids":["x"` + strings.Repeat(`,"x"`, MaxIDs) + `]}`
	if _, err := parseReplay([]byte(many)); err == nil {
		t.Errorf("parseReplay accepted %d ids", MaxIDs+1)
	}
}

// newTestConsole is a console with one token, for the parsing tests.
func newTestConsole(t testing.TB) *Console {
	t.Helper()
	q := idempotency.NewMemoryQueue()
	t.Cleanup(func() { q.Close() })
	c, err := NewConsole(q, WithToken("ops", "0123456789abcdef-token"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseSession(t *testing.T) {
	c := newTestConsole(t)
	cr, _ := c.credential("ops")
	s, v := c.newSession(cr, "Ada")
	got := c.parseSession(v)
	if got == nil || got.operator != "Ada" || got.label != "ops" || got.csrf() != s.csrf() {
		t.Fatalf("parseSession of a fresh session = %+v", got)
	}
	for _, bad := range []string{"", ".", v + "x", "x" + v, strings.Replace(v, ".", "..", 1), v[:len(v)-2],
		v[:2] + "\r" + v[2:], v[:2] + "\n" + v[2:], "\n" + v} {
		if c.parseSession(bad) != nil {
			t.Errorf("parseSession(%q) accepted", bad)
		}
	}
}

func TestSessionFormatsWithoutKey(t *testing.T) {
	c := newTestConsole(t)
	cr, _ := c.credential("ops")
	s, _ := c.newSession(cr, "Ada")
	key := fmt.Sprint(s.key)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, s)
		if strings.Contains(out, key) || !strings.Contains(out, "Ada") {
			t.Errorf("%s of a session = %q", verb, out)
		}
	}
}

func FuzzParseReplay(f *testing.F) {
	for _, s := range []string{`{"ids":["a"]}`, `{"all":true,"reason":"x#"}`, `{"ids":[1]}`, `{`, `{"id":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := parseReplay(b)
		if err != nil {
			if o.all || o.ids != nil {
				t.Fatalf("an error with an order: %+v", o)
			}
			return
		}
		if o.all == (len(o.ids) > 0) {
			t.Fatalf("an order with both or neither: %+v", o)
		}
		for _, id := range o.ids {
			if checkID(id) != nil {
				t.Fatalf("accepted id %q", id)
			}
		}
		if len(o.ids) > MaxIDs {
			t.Fatalf("%d ids", len(o.ids))
		}
		_, _ = parseDelete(b)
	})
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{"", "order #:", "a.b*c", "##", "(?i)", `\`} {
		f.Add(s, "order 12: salesforce: (x) a.b*c #")
	}
	f.Fuzz(func(t *testing.T, filterText, reason string) {
		flt, err := parseFilter(filterText)
		if err != nil {
			return
		}
		if !utf8.ValidString(flt.text) || len(flt.text) > MaxFilterBytes {
			t.Fatalf("accepted filter %q", flt.text)
		}
		// An ASCII filter without "#" is a case-insensitive substring test.
		if !strings.Contains(flt.text, "#") && isASCII(flt.text) && isASCII(reason) {
			want := strings.Contains(strings.ToLower(reason), strings.ToLower(flt.text))
			if got := flt.match(reason); got != want {
				t.Fatalf("filter %q on %q: %v, want %v", flt.text, reason, got, want)
			}
		}
		k := kindOf(reason)
		if len(k) > maxKindBytes || !utf8.ValidString(k) {
			t.Fatalf("kind %q", k)
		}
	})
}

func FuzzParseSession(f *testing.F) {
	c := newTestConsole(f)
	cr, _ := c.credential("ops")
	_, v := c.newSession(cr, "Ada")
	f.Add(v)
	f.Add("b3BzfEFkYXwxfG4.x")
	f.Fuzz(func(t *testing.T, s string) {
		// Only the exact value the console signed is accepted.
		if got := c.parseSession(s); got != nil && got.value() != s {
			// Not %+v: the session holds its credential's key.
			t.Fatalf("accepted %q as operator %q of %q", s, got.operator, got.label)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

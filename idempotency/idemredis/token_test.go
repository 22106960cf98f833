package idemredis

import (
	"testing"

	"github.com/bc2sf/bc2sf/idempotency"
)

func TestParseToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want token
		ok   bool
	}{
		{"0|1795671923105-0|1|1795671953105", token{idempotency.PriorityHigh, "1795671923105-0", 1, 1795671953105}, true},
		{"1|0-1|42|7", token{idempotency.PriorityLow, "0-1", 42, 7}, true},
		{"", token{}, false},
		{"0|1-0", token{}, false},
		{"0|1-0|1", token{}, false},
		{"2|1-0|1|5", token{}, false},
		{"-1|1-0|1|5", token{}, false},
		{"00|1-0|1|5", token{}, false},
		{"0|-|1|5", token{}, false},
		{"0|+|1|5", token{}, false},
		{"0|1|1|5", token{}, false},
		{"0|01-0|1|5", token{}, false},
		{"0|1-0|0|5", token{}, false},
		{"0|1-0|-3|5", token{}, false},
		{"0|1-0|1|", token{}, false},
		{"0|1-0|1|0", token{}, false},
		{"0|1-0|1|05", token{}, false},
		{"0|1-0|1|5|", token{}, false},
		{"0|1-0|+1|5", token{}, false},
		{"0|99999999999999999999-0|1|5", token{}, false},
	}
	for _, tc := range tests {
		got, err := parseToken(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseToken(%q) = %+v, %v; want %+v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzParseToken checks that any string either fails to parse or parses to
// a token that renders back to the same string.
func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"0|1795671923105-0|1|1795671953105", "1|0-0|9|1", "x", "0|-|1|1", "1|1-1|1|1|1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parseToken(s)
		if err != nil {
			return
		}
		if tok.String() != s {
			t.Fatalf("parseToken(%q) = %+v, which renders as %q", s, tok, tok.String())
		}
		if !validEntryID(tok.entry) || tok.count < 1 || tok.until < 1 || !tok.prio.Valid() {
			t.Fatalf("parseToken(%q) accepted %+v", s, tok)
		}
	})
}

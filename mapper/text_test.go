package mapper

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		max     int
		want    string
		wantCut bool
	}{
		{"abc", 3, "abc", false},
		{"abcd", 3, "abc", true},
		{"ééé", 3, "ééé", false}, // 6 bytes, 3 characters
		{"éééé", 3, "ééé", true},
		{"a🎉b", 3, "a🎉", true},   // the emoji counts as 2 UTF-16 units
		{"a🎉b", 2, "a", true},    // never half an emoji
		{"ab cd", 3, "ab", true}, // no trailing space at the cut
		{"anything", 0, "anything", false},
		{"", 5, "", false},
	}
	for _, tc := range tests {
		got, cut := truncate(tc.in, tc.max)
		if got != tc.want || cut != tc.wantCut {
			t.Errorf("truncate(%q, %d) = %q, %v; want %q, %v", tc.in, tc.max, got, cut, tc.want, tc.wantCut)
		}
	}
}

func TestTruncateProperties(t *testing.T) {
	t.Parallel()
	inputs := []string{strings.Repeat("é", 200), strings.Repeat("🎉x", 50), strings.Repeat("日本", 70), "mixed ascii and ü and 🎉"}
	for _, in := range inputs {
		for max := 1; max <= 90; max++ {
			got, _ := truncate(in, max)
			if !utf8.ValidString(got) || !strings.HasPrefix(in, got) {
				t.Fatalf("truncate(%q, %d) = %q: not a valid prefix", in, max, got)
			}
			if n := len(utf16.Encode([]rune(got))); n > max {
				t.Fatalf("truncate(%q, %d) has %d units", in, max, n)
			}
		}
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"  plain  ": "plain", "a\xffb": "a\uFFFDb", "\xc3\xa9": "é", "\t\n": "", "x\xe2\x82": "x\uFFFD",
	} {
		got, _ := sanitize(in)
		if got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlausibleEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"a@b.co": true, "o'brien@example.ie": true, "n/a": false, "a@b": false, "@b.co": false,
		"a@@b.co": false, "a b@c.de": false, "a@.de": false, "a@de.": false, "": false,
	} {
		if got := plausibleEmail(in); got != want {
			t.Errorf("plausibleEmail(%q) = %v", in, got)
		}
	}
}

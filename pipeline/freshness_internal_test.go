package pipeline

import (
	"strconv"
	"testing"
	"time"
)

func TestFreshness(t *testing.T) {
	t.Parallel()
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := t1.Add(time.Second)
	written := orderVersion{modified: t1, digest: "abc"}.String()
	tests := []struct {
		name     string
		recorded string
		fetched  orderVersion
		force    bool
		want     string
	}{
		{"nothing written", "", orderVersion{modified: t1, digest: "abc"}, false, ""},
		{"unreadable record", "something else", orderVersion{modified: t1, digest: "abc"}, false, ""},
		{"malformed time", "v1:x:abc", orderVersion{modified: t1, digest: "abc"}, false, ""},
		{"older", written, orderVersion{modified: t1.Add(-time.Second), digest: "zzz"}, false, SkipStale},
		{"older, forced", written, orderVersion{modified: t1.Add(-time.Second), digest: "zzz"}, true, SkipStale},
		{"same", written, orderVersion{modified: t1, digest: "abc"}, false, SkipUnchanged},
		{"same, forced", written, orderVersion{modified: t1, digest: "abc"}, true, ""},
		{"same second, other records", written, orderVersion{modified: t1, digest: "def"}, false, ""},
		{"newer", written, orderVersion{modified: t2, digest: "abc"}, false, ""},
		{"written without digest", orderVersion{modified: t1}.String(), orderVersion{modified: t1, digest: "abc"}, false, ""},
		{"same, with entries", orderVersion{modified: t1, digest: "abc", entries: "0123456789abcdef=01u000000000001AAA"}.String(),
			orderVersion{modified: t1, digest: "abc"}, false, SkipUnchanged},
	}
	for _, tc := range tests {
		if got := freshness(tc.recorded, tc.fetched, tc.force); got != tc.want {
			t.Errorf("%s: freshness = %q, want %q", tc.name, got, tc.want)
		}
	}
	if v, ok := parseVersion(written); !ok || !v.modified.Equal(t1) || v.digest != "abc" {
		t.Errorf("parseVersion(%q) = %+v, %v", written, v, ok)
	}
}

// A product's version carries the entry ids its sync wrote, and reads back
// to the same ids; a slot that is not well formed is left out, to be
// queried again.
func TestProductVersionEntries(t *testing.T) {
	t.Parallel()
	std, custom := "01s000000000001AAA", "01s000000000002AAA"
	ids := map[entrySlot]string{
		{book: std, priceKey: priceKey{product: "PEN"}}:                      "01u000000000001AAA",
		{book: custom, priceKey: priceKey{product: "PEN"}}:                   "01u000000000002AAA",
		{book: std, priceKey: priceKey{product: "a,b=c|d", currency: "EUR"}}: "01u000000000003AAA",
	}
	v := orderVersion{modified: time.Unix(1700000000, 0), digest: "abc", entries: encodeEntries(ids)}
	back, ok := parseVersion(v.String())
	if !ok || back.digest != "abc" || back.entries != v.entries {
		t.Fatalf("parseVersion(%q) = %+v, %v", v.String(), back, ok)
	}
	got := decodeEntries(back.entries)
	if len(got) != len(ids) {
		t.Fatalf("decoded %v", got)
	}
	for s, id := range ids {
		if got[slotHash(s)] != id {
			t.Errorf("slot %+v: %q, want %q", s, got[slotHash(s)], id)
		}
	}
	if got := decodeEntries("zz=01u000000000001AAA,0123456789abcdef=not-an-id,0123456789abcdef"); len(got) != 0 {
		t.Errorf("malformed pairs decoded to %v", got)
	}
	many := map[entrySlot]string{}
	for i := range maxRememberedEntries + 1 {
		many[entrySlot{book: std, priceKey: priceKey{product: strconv.Itoa(i)}}] = "01u000000000001AAA"
	}
	if s := encodeEntries(many); s != "" {
		t.Errorf("%d entries are remembered (%d bytes), want none past %d", len(many), len(s), maxRememberedEntries)
	}
}

// FuzzParseVersion: a recorded version is read from the Store, which any
// process with access may have written; no input panics, and a version
// that parses writes back to a text that parses the same.
func FuzzParseVersion(f *testing.F) {
	f.Add("v1:1700000000000000000:abc")
	f.Add("v1:1700000000000000000:abc|0123456789abcdef=01u000000000001AAA,fedcba9876543210=01u000000000002AAA")
	f.Add("v1:x:|")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseVersion(s)
		_ = decodeEntries(v.entries)
		if !ok {
			return
		}
		again, ok := parseVersion(v.String())
		if !ok || !again.modified.Equal(v.modified) || again.digest != v.digest || again.entries != v.entries {
			t.Errorf("%q -> %+v -> %q -> %+v", s, v, v.String(), again)
		}
	})
}

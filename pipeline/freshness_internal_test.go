package pipeline

import (
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

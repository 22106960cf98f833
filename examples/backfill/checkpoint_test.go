package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var cpNow = func() time.Time { return time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC) }

func TestCheckpointRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cp.json")
	ctx := context.Background()
	cp, note, err := openCheckpoint(path, rangeFrom, rangeTo, false, cpNow)
	if err != nil || note != "" {
		t.Fatalf("open a missing file: %v, note %q", err, note)
	}
	if got, err := cp.Load(ctx); err != nil || !got.IsZero() {
		t.Fatalf("Load of a new checkpoint = %v, %v; want the zero time", got, err)
	}
	last := time.Date(2026, 1, 10, 8, 30, 0, 0, time.FixedZone("X", 3600))
	for _, tt := range []time.Time{rangeFrom, last} {
		if err := cp.Save(ctx, tt); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := cp.Load(ctx); !got.Equal(last) {
		t.Errorf("Load after Save = %v, want %v", got, last)
	}

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("file is not JSON: %v\n%s", err, b)
	}
	if raw["last_created"] != "2026-01-10T07:30:00Z" || raw["version"] != 1.0 || raw["updated_at"] != "2026-02-01T12:00:00Z" {
		t.Errorf("file = %s", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files in the directory, want only the checkpoint", len(entries))
	}

	again, note, err := openCheckpoint(path, rangeFrom, rangeTo.Add(time.Hour), false, cpNow)
	if err != nil || note != "" {
		t.Fatalf("reopen: %v, note %q", err, note)
	}
	if got, _ := again.Load(ctx); !got.Equal(last) {
		t.Errorf("reopened checkpoint = %v, want %v (the same start resumes, whatever -to)", got, last)
	}
}

func TestCheckpointNotUsed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from     time.Time
		restart  bool
		wantNote string
	}{
		{"another range", rangeFrom.Add(24 * time.Hour), false, "range starting 2026-01-01T00:00:00Z"},
		{"restart", rangeFrom, true, "-restart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "cp.json")
			writeState(t, path, checkpointState{Version: 1, From: rangeFrom, To: rangeTo, LastCreated: rangeTo})
			cp, note, err := openCheckpoint(path, tt.from, rangeTo, tt.restart, cpNow)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(note, tt.wantNote) {
				t.Errorf("note %q, want it to mention %q", note, tt.wantNote)
			}
			if got, _ := cp.Load(context.Background()); !got.IsZero() {
				t.Errorf("Load = %v, want the zero time", got)
			}
		})
	}
}

func writeState(t *testing.T, path string, st checkpointState) {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeCheckpointRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"empty":         ``,
		"truncated":     `{"version":1,"from":"2026-01-01T00:00:00Z"`,
		"array":         `[1]`,
		"two objects":   `{"version":1,"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"} {}`,
		"wrong version": `{"version":2,"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}`,
		"no range":      `{"version":1}`,
		"inverted":      `{"version":1,"from":"2026-01-02T00:00:00Z","to":"2026-01-01T00:00:00Z"}`,
		"bad date":      `{"version":1,"from":"yesterday","to":"2026-01-01T00:00:00Z"}`,
		"wrong type":    `{"version":"1","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}`,
	}
	for name, in := range tests {
		if _, err := decodeCheckpoint([]byte(in)); err == nil {
			t.Errorf("%s: decodeCheckpoint(%q) accepted it", name, in)
		}
	}
}

func TestOpenCheckpointErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(strings.Repeat(" ", maxCheckpointBytes+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{big, bad, dir} {
		if _, _, err := openCheckpoint(path, rangeFrom, rangeTo, false, cpNow); err == nil {
			t.Errorf("openCheckpoint(%s) accepted it", filepath.Base(path))
		}
	}
	// Saving into a directory that does not exist fails and says so.
	cp, _, err := openCheckpoint(filepath.Join(dir, "missing", "cp.json"), rangeFrom, rangeTo, false, cpNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := cp.Save(context.Background(), rangeTo); err == nil || !strings.Contains(err.Error(), "save checkpoint") {
		t.Errorf("Save into a missing directory: %v", err)
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		endOfDay bool
		want     time.Time
		wantErr  bool
	}{
		{"2026-01-31", false, time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), false},
		{"2026-01-31", true, time.Date(2026, 1, 31, 23, 59, 59, 0, time.UTC), false},
		{"2026-01-31T10:00:00+02:00", true, time.Date(2026, 1, 31, 8, 0, 0, 0, time.UTC), false},
		{"2026-01-31T10:00:00Z", false, time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC), false},
		{"2026-02-30", false, time.Time{}, true},
		{"31.01.2026", false, time.Time{}, true},
		{"", false, time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in, tt.endOfDay)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("parseDate(%q, %t) = %v, %v; want %v (error %t)", tt.in, tt.endOfDay, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzDecodeCheckpoint(f *testing.F) {
	f.Add([]byte(`{"version":1,"from":"2026-01-01T00:00:00Z","to":"2026-01-31T23:59:59Z","last_created":"2026-01-10T07:30:00Z","updated_at":"2026-02-01T12:00:00Z"}`))
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`[]`))
	f.Add([]byte("\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeCheckpoint(b)
		if err != nil {
			return
		}
		if st.Version != checkpointVersion || st.From.IsZero() || st.To.Before(st.From) {
			t.Fatalf("accepted an invalid checkpoint: %+v", st)
		}
		// What was accepted survives a save and a load unchanged.
		out, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeCheckpoint(out)
		if err != nil {
			t.Fatalf("re-encoded checkpoint refused: %v", err)
		}
		if !again.LastCreated.Equal(st.LastCreated) || !again.From.Equal(st.From) || !again.To.Equal(st.To) {
			t.Fatalf("round trip changed %+v into %+v", st, again)
		}
	})
}

package idemtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

type checkpointCase struct {
	name string
	run  func(t *testing.T, c idempotency.Checkpoint)
}

func checkpointCases(cfg Config) []checkpointCase {
	return []checkpointCase{
		{"EmptyLoadsZero", func(t *testing.T, c idempotency.Checkpoint) { checkpointEmpty(t, c, cfg) }},
		{"SaveThenLoad", func(t *testing.T, c idempotency.Checkpoint) { checkpointRoundTrip(t, c, cfg) }},
		{"LastSaveWins", func(t *testing.T, c idempotency.Checkpoint) { checkpointLastSaveWins(t, c, cfg) }},
		{"CanceledContext", func(t *testing.T, c idempotency.Checkpoint) { checkpointCanceled(t, c, cfg) }},
		{"ConcurrentSaves", func(t *testing.T, c idempotency.Checkpoint) { checkpointConcurrent(t, c, cfg) }},
	}
}

func load(t *testing.T, c idempotency.Checkpoint, cfg Config) time.Time {
	t.Helper()
	got, err := c.Load(timeout(t, cfg.Wait))
	noErr(t, "Load", err)
	return got
}

func save(t *testing.T, c idempotency.Checkpoint, cfg Config, at time.Time) {
	t.Helper()
	noErr(t, "Save("+at.String()+")", c.Save(timeout(t, cfg.Wait), at))
}

func checkpointEmpty(t *testing.T, c idempotency.Checkpoint, cfg Config) {
	if got := load(t, c, cfg); !got.IsZero() {
		t.Fatalf("Load before any Save = %v, want the zero time", got)
	}
}

// checkpointRoundTrip saves a time with nanoseconds in a zone other than
// UTC: Load must give the same instant.
func checkpointRoundTrip(t *testing.T, c idempotency.Checkpoint, cfg Config) {
	at := time.Date(2026, 3, 5, 21, 40, 11, 123456789, time.FixedZone("EST", -5*3600))
	save(t, c, cfg, at)
	if got := load(t, c, cfg); !got.Equal(at) {
		t.Fatalf("Load = %v, want %v", got, at)
	}
	if got := load(t, c, cfg); !got.Equal(at) {
		t.Fatalf("second Load = %v, want %v: Load must not change what is saved", got, at)
	}
}

// checkpointLastSaveWins moves the checkpoint forward, back, and to the zero
// time: each Load returns the last Save, whatever its order.
func checkpointLastSaveWins(t *testing.T, c idempotency.Checkpoint, cfg Config) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, at := range []time.Time{base, base.Add(time.Hour), base.Add(-24 * time.Hour), {}, base} {
		save(t, c, cfg, at)
		if got := load(t, c, cfg); !got.Equal(at) {
			t.Fatalf("Load after Save(%v) = %v", at, got)
		}
	}
}

// checkpointCanceled calls Load and Save with a canceled context: both fail
// with an error matching context.Canceled, and nothing is saved.
func checkpointCanceled(t *testing.T, c idempotency.Checkpoint, cfg Config) {
	before := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	save(t, c, cfg, before)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Load(ctx)
	wantErr(t, "Load with a canceled context", err, context.Canceled)
	wantErr(t, "Save with a canceled context", c.Save(ctx, before.Add(time.Hour)), context.Canceled)
	if got := load(t, c, cfg); !got.Equal(before) {
		t.Fatalf("Load after a canceled Save = %v, want %v", got, before)
	}
}

// checkpointConcurrent saves from many goroutines at once while others
// load: every Load returns the zero time or one of the saved times, never
// a mixture.
func checkpointConcurrent(t *testing.T, c idempotency.Checkpoint, cfg Config) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const n = 20
	saved := make(map[int64]bool, n) // by UnixNano, which ignores the location
	for i := range n {
		saved[base.Add(time.Duration(i)*time.Minute+time.Duration(i)).UnixNano()] = true
	}
	ctx := timeout(t, cfg.Wait)
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for ns := range saved {
		wg.Go(func() { errs <- c.Save(ctx, time.Unix(0, ns)) })
		wg.Go(func() {
			got, err := c.Load(ctx)
			if err == nil && !got.IsZero() && !saved[got.UnixNano()] {
				t.Errorf("concurrent Load = %v, which no Save wrote", got)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, "concurrent Save or Load", err)
	}
	if got := load(t, c, cfg); !saved[got.UnixNano()] {
		t.Fatalf("Load after concurrent Saves = %v, want one of the saved times", got)
	}
}

package idempotency_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

func TestNewConfig(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name  string
		opts  []idempotency.Option
		check func(c idempotency.Config) bool
	}{
		{"defaults", nil, func(c idempotency.Config) bool {
			return c.Lease == 30*time.Second && c.Retention == 7*24*time.Hour && c.DedupWindow == 24*time.Hour &&
				c.Capacity == 10000 && c.Logger != nil
		}},
		{"nil option skipped", []idempotency.Option{nil}, func(c idempotency.Config) bool { return c.Capacity == 10000 }},
		{"lease", []idempotency.Option{idempotency.WithLease(time.Second)}, func(c idempotency.Config) bool { return c.Lease == time.Second }},
		{"lease 0 keeps default", []idempotency.Option{idempotency.WithLease(0)}, func(c idempotency.Config) bool { return c.Lease == idempotency.DefaultLease }},
		{"retention", []idempotency.Option{idempotency.WithRetention(time.Hour)}, func(c idempotency.Config) bool { return c.Retention == time.Hour }},
		{"retention -1 keeps default", []idempotency.Option{idempotency.WithRetention(-1)}, func(c idempotency.Config) bool { return c.Retention == idempotency.DefaultRetention }},
		{"dedup window", []idempotency.Option{idempotency.WithDedupWindow(time.Minute)}, func(c idempotency.Config) bool { return c.DedupWindow == time.Minute }},
		{"dedup off", []idempotency.Option{idempotency.WithDedupWindow(-time.Second)}, func(c idempotency.Config) bool { return c.DedupWindow == 0 }},
		{"capacity", []idempotency.Option{idempotency.WithCapacity(5)}, func(c idempotency.Config) bool { return c.Capacity == 5 }},
		{"capacity 0 keeps default", []idempotency.Option{idempotency.WithCapacity(0)}, func(c idempotency.Config) bool { return c.Capacity == idempotency.DefaultCapacity }},
		{"logger", []idempotency.Option{idempotency.WithLogger(logger)}, func(c idempotency.Config) bool { return c.Logger == logger }},
		{"nil logger keeps default", []idempotency.Option{idempotency.WithLogger(nil)}, func(c idempotency.Config) bool { return c.Logger != nil }},
		{"later option wins", []idempotency.Option{idempotency.WithCapacity(5), idempotency.WithCapacity(7)}, func(c idempotency.Config) bool { return c.Capacity == 7 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if c := idempotency.NewConfig(tc.opts...); !tc.check(c) {
				t.Errorf("NewConfig = %+v", c)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		got, want string
	}{
		{idempotency.Claimed.String(), "claimed"},
		{idempotency.Done.String(), "done"},
		{idempotency.InFlight.String(), "in flight"},
		{idempotency.ClaimStatus(0).String(), "ClaimStatus(0)"},
		{idempotency.PriorityHigh.String(), "high"},
		{idempotency.PriorityLow.String(), "low"},
		{idempotency.Priority(9).String(), "Priority(9)"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("String() = %q, want %q", tc.got, tc.want)
		}
	}
}

func TestPriorities(t *testing.T) {
	t.Parallel()
	ps := idempotency.Priorities()
	if len(ps) != 2 || ps[0] != idempotency.PriorityHigh || ps[1] != idempotency.PriorityLow {
		t.Fatalf("Priorities() = %v, want [high low]", ps)
	}
	for _, p := range ps {
		if !p.Valid() {
			t.Errorf("%v not valid", p)
		}
	}
	if idempotency.Priority(-1).Valid() || idempotency.Priority(2).Valid() {
		t.Error("out-of-range priorities reported valid")
	}
	if d := (idempotency.Stats{Ready: 1, Delayed: 2, InFlight: 3, Dead: 4}).Depth(); d != 6 {
		t.Errorf("Depth() = %d, want 6 (dead letters excluded)", d)
	}
}

package idemredis_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/bc2sf/bc2sf/pipeline"
)

// The reconciler takes a *Checkpoint as its pipeline.Checkpoint, although
// this package does not import pipeline.
var _ pipeline.Checkpoint = (*idemredis.Checkpoint)(nil)

func TestCheckpointKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, want string
	}{
		{"empty key means the default", "", "bc2sf:reconcile:checkpoint"},
		{"explicit key", "shop1:cp", "shop1:cp"},
		{"derived from a prefix", idemredis.CheckpointKey("shop2"), "shop2:reconcile:checkpoint"},
		{"default prefix", idemredis.CheckpointKey(idemredis.DefaultPrefix), idemredis.DefaultCheckpointKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := idemredis.NewCheckpoint(nil, tt.key).Key(); got != tt.want {
				t.Errorf("Key() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	c := newClient(t, rs)
	cp := idemredis.NewCheckpoint(c, freshPrefix(t)+":checkpoint")

	got, err := cp.Load(t.Context())
	if err != nil || !got.IsZero() {
		t.Fatalf("Load before Save = %v, %v; want the zero time", got, err)
	}
	want := time.Date(2026, 3, 5, 21, 40, 11, 123456789, time.FixedZone("EST", -5*3600))
	if err := cp.Save(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	if got, err = cp.Load(t.Context()); err != nil || !got.Equal(want) {
		t.Fatalf("Load after Save = %v, %v; want %v", got, err, want)
	}
	if raw := c.Get(t.Context(), cp.Key()).Val(); raw != "2026-03-06T02:40:11.123456789Z" {
		t.Errorf("stored value %q, want RFC 3339 nano in UTC", raw)
	}
	later := want.Add(time.Hour)
	if err := cp.Save(t.Context(), later); err != nil {
		t.Fatal(err)
	}
	if got, err = cp.Load(t.Context()); err != nil || !got.Equal(later) {
		t.Fatalf("Load after a second Save = %v, %v; want %v", got, err, later)
	}
}

func TestCheckpointBadValue(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	c := newClient(t, rs)
	cp := idemredis.NewCheckpoint(c, freshPrefix(t)+":checkpoint")
	if err := c.Set(t.Context(), cp.Key(), "yesterday", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.Load(t.Context()); err == nil {
		t.Error("Load of a value that is no time: no error")
	}
}

func TestCheckpointRedisDown(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	c := newClient(t, rs)
	cp := idemredis.NewCheckpoint(c, "")
	rs.Kill()
	if err := cp.Save(t.Context(), time.Now()); err == nil {
		t.Error("Save with Redis down: no error")
	}
	if _, err := cp.Load(t.Context()); err == nil {
		t.Error("Load with Redis down: no error")
	}
}

func TestCheckpointWithoutClient(t *testing.T) {
	t.Parallel()
	cp := idemredis.NewCheckpoint(nil, "")
	if _, err := cp.Load(t.Context()); !errors.Is(err, idempotency.ErrInvalidArgument) {
		t.Errorf("Load without a client: %v, want ErrInvalidArgument", err)
	}
	if err := cp.Save(t.Context(), time.Now()); !errors.Is(err, idempotency.ErrInvalidArgument) {
		t.Errorf("Save without a client: %v, want ErrInvalidArgument", err)
	}
}

package idemredis_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
)

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

// TestCheckpointFormat checks what Save writes: RFC 3339 with nanoseconds,
// in UTC, so that other tools can read it. The conformance suite checks the
// round trip.
func TestCheckpointFormat(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	c := newClient(t, rs)
	cp := idemredis.NewCheckpoint(c, freshPrefix(t)+":checkpoint")
	at := time.Date(2026, 3, 5, 21, 40, 11, 123456789, time.FixedZone("EST", -5*3600))
	if err := cp.Save(t.Context(), at); err != nil {
		t.Fatal(err)
	}
	if raw := c.Get(t.Context(), cp.Key()).Val(); raw != "2026-03-06T02:40:11.123456789Z" {
		t.Errorf("stored value %q, want RFC 3339 nano in UTC", raw)
	}
	if ttl := c.PTTL(t.Context(), cp.Key()).Val(); ttl != -1 {
		t.Errorf("PTTL = %v, want no expiry", ttl)
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

package idempotency_test

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

func TestMemoryStoreLeaseAndRetention(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s := idempotency.NewMemoryStore(idempotency.WithRetention(time.Hour))
		ctx := t.Context()
		begin := func() idempotency.Claim {
			c, err := s.Begin(ctx, "k", 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c1 := begin()
		if c1.Status != idempotency.Claimed || !c1.ExpiresAt.Equal(start.Add(10*time.Second)) {
			t.Fatalf("Begin = %+v, want claimed until 10 s after %v", c1, start)
		}
		time.Sleep(10*time.Second - time.Nanosecond)
		if c := begin(); c.Status != idempotency.InFlight || !c.ExpiresAt.Equal(c1.ExpiresAt) {
			t.Fatalf("Begin 1 ns before the lease ends = %+v, want in flight until %v", c, c1.ExpiresAt)
		}
		time.Sleep(time.Nanosecond)
		c2 := begin()
		if c2.Status != idempotency.Claimed {
			t.Fatalf("Begin when the lease ends = %v, want claimed", c2.Status)
		}
		if err := s.Complete(ctx, "k", c1.Token, 0); !errors.Is(err, idempotency.ErrLeaseLost) {
			t.Fatalf("Complete with the expired token: %v, want ErrLeaseLost", err)
		}
		if err := s.Complete(ctx, "k", c2.Token, 0); err != nil {
			t.Fatal(err)
		}
		done := time.Now()
		time.Sleep(time.Hour - time.Nanosecond)
		if c := begin(); c.Status != idempotency.Done || !c.ExpiresAt.Equal(done.Add(time.Hour)) {
			t.Fatalf("Begin before the retention ends = %+v, want done until %v", c, done.Add(time.Hour))
		}
		time.Sleep(time.Nanosecond)
		if c := begin(); c.Status != idempotency.Claimed {
			t.Fatalf("Begin after the default retention = %v, want claimed", c.Status)
		}
	})
}

func TestMemoryStoreDefaultLease(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		s := idempotency.NewMemoryStore()
		c, err := s.Begin(t.Context(), "k", 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := start.Add(idempotency.DefaultLease); !c.ExpiresAt.Equal(want) {
			t.Fatalf("ExpiresAt with lease 0 = %v, want %v", c.ExpiresAt, want)
		}
		if err := s.Complete(t.Context(), "k", c.Token, 0); err != nil {
			t.Fatal(err)
		}
		d, _ := s.Begin(t.Context(), "k", 0)
		if want := start.Add(idempotency.DefaultRetention); !d.ExpiresAt.Equal(want) {
			t.Fatalf("done ExpiresAt with retention 0 = %v, want %v", d.ExpiresAt, want)
		}
	})
}

// TestMemoryStoreTokensDiffer checks that two stores never hand out the same
// token, so a token cannot complete a key in the wrong store.
func TestMemoryStoreTokensDiffer(t *testing.T) {
	t.Parallel()
	a, b := idempotency.NewMemoryStore(), idempotency.NewMemoryStore()
	ca, _ := a.Begin(t.Context(), "k", time.Minute)
	cb, _ := b.Begin(t.Context(), "k", time.Minute)
	if ca.Token == cb.Token {
		t.Fatalf("two stores issued the same token %q", ca.Token)
	}
	if err := b.Complete(t.Context(), "k", ca.Token, 0); !errors.Is(err, idempotency.ErrLeaseLost) {
		t.Fatalf("Complete with another store's token: %v, want ErrLeaseLost", err)
	}
}

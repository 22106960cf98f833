package idemtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// storeCase is one case of the Store suite; opts build its Store.
type storeCase struct {
	name string
	run  func(t *testing.T, s idempotency.Store)
	opts []idempotency.Option
}

func storeCases(cfg Config) []storeCase {
	return append([]storeCase{
		{"ClaimThenInFlight", storeClaimThenInFlight, nil},
		{"CompleteMakesDone", storeCompleteMakesDone, nil},
		{"ReleaseFreesKey", storeReleaseFreesKey, nil},
		{"KeysAreIndependent", storeKeysAreIndependent, nil},
		{"InvalidArguments", storeInvalidArguments, nil},
		{"CanceledContext", storeCanceledContext, nil},
		{"RaceForOneKey", func(t *testing.T, s idempotency.Store) { storeRace(t, s, cfg) }, nil},
		{"ExpiredLeaseIsReclaimed", func(t *testing.T, s idempotency.Store) { storeExpiredLease(t, s, cfg) }, nil},
		{"CompleteAfterExpiryWithoutReclaim", func(t *testing.T, s idempotency.Store) { storeLateComplete(t, s, cfg) }, nil},
		{"RetentionEnds", func(t *testing.T, s idempotency.Store) { storeRetentionEnds(t, s, cfg) }, nil},
	}, syncCases(cfg)...)
}

func storeClaimThenInFlight(t *testing.T, s idempotency.Store) {
	before := time.Now()
	c := begin(t, s, "order-1", longLease)
	wantStatus(t, "first Begin", c, idempotency.Claimed)
	if !c.ExpiresAt.IsZero() && c.ExpiresAt.Before(before.Add(longLease/2)) {
		t.Errorf("Claimed.ExpiresAt %v, want about %v after %v", c.ExpiresAt, longLease, before)
	}
	again := begin(t, s, "order-1", longLease)
	wantStatus(t, "second Begin", again, idempotency.InFlight)
	if !again.ExpiresAt.IsZero() && !c.ExpiresAt.IsZero() && again.ExpiresAt.After(c.ExpiresAt.Add(time.Second)) {
		t.Errorf("InFlight.ExpiresAt %v is later than the holder's lease %v", again.ExpiresAt, c.ExpiresAt)
	}
}

func storeCompleteMakesDone(t *testing.T, s idempotency.Store) {
	ctx := t.Context()
	c := begin(t, s, "k", longLease)
	wantStatus(t, "Begin", c, idempotency.Claimed)
	wantErr(t, "Complete with a foreign token", s.Complete(ctx, "k", c.Token+"x", time.Hour), idempotency.ErrLeaseLost)
	noErr(t, "Complete", s.Complete(ctx, "k", c.Token, time.Hour))
	wantStatus(t, "Begin after Complete", begin(t, s, "k", longLease), idempotency.Done)
	noErr(t, "Complete repeated with the same token", s.Complete(ctx, "k", c.Token, time.Hour))
	wantErr(t, "Complete of a done key with a foreign token", s.Complete(ctx, "k", c.Token+"x", time.Hour), idempotency.ErrLeaseLost)
	wantErr(t, "Release of a done key", s.Release(ctx, "k", c.Token), idempotency.ErrLeaseLost)
	wantStatus(t, "Begin after Release of a done key", begin(t, s, "k", longLease), idempotency.Done)
}

func storeReleaseFreesKey(t *testing.T, s idempotency.Store) {
	ctx := t.Context()
	c := begin(t, s, "k", longLease)
	wantErr(t, "Release with a foreign token", s.Release(ctx, "k", c.Token+"x"), idempotency.ErrLeaseLost)
	wantStatus(t, "Begin after a foreign Release", begin(t, s, "k", longLease), idempotency.InFlight)
	noErr(t, "Release", s.Release(ctx, "k", c.Token))
	c2 := begin(t, s, "k", longLease)
	wantStatus(t, "Begin after Release", c2, idempotency.Claimed)
	if c2.Token == c.Token {
		t.Fatalf("second claim reused token %q", c.Token)
	}
	wantErr(t, "Complete with the released token", s.Complete(ctx, "k", c.Token, time.Hour), idempotency.ErrLeaseLost)
	noErr(t, "Complete with the new token", s.Complete(ctx, "k", c2.Token, time.Hour))
	noErr(t, "Release of an absent key", s.Release(ctx, "never-claimed", "some-token"))
}

func storeKeysAreIndependent(t *testing.T, s idempotency.Store) {
	ctx := t.Context()
	a := begin(t, s, "a", longLease)
	b := begin(t, s, "b", longLease)
	wantStatus(t, "Begin(a)", a, idempotency.Claimed)
	wantStatus(t, "Begin(b)", b, idempotency.Claimed)
	wantErr(t, "Complete(b) with a's token", s.Complete(ctx, "b", a.Token, time.Hour), idempotency.ErrLeaseLost)
	noErr(t, "Complete(a)", s.Complete(ctx, "a", a.Token, time.Hour))
	wantStatus(t, "Begin(b) after Complete(a)", begin(t, s, "b", longLease), idempotency.InFlight)
	wantStatus(t, "Begin(c)", begin(t, s, "c", longLease), idempotency.Claimed)
}

func storeInvalidArguments(t *testing.T, s idempotency.Store) {
	ctx := t.Context()
	_, err := s.Begin(ctx, "", longLease)
	wantErr(t, `Begin("")`, err, idempotency.ErrInvalidArgument)
	wantErr(t, `Complete("")`, s.Complete(ctx, "", "t", time.Hour), idempotency.ErrInvalidArgument)
	wantErr(t, `Complete(k, "")`, s.Complete(ctx, "k", "", time.Hour), idempotency.ErrInvalidArgument)
	wantErr(t, `Release("")`, s.Release(ctx, "", "t"), idempotency.ErrInvalidArgument)
	wantErr(t, `Release(k, "")`, s.Release(ctx, "k", ""), idempotency.ErrInvalidArgument)
}

func storeCanceledContext(t *testing.T, s idempotency.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Begin(ctx, "k", longLease)
	wantErr(t, "Begin with a canceled context", err, context.Canceled)
	wantStatus(t, "Begin after a canceled Begin", begin(t, s, "k", longLease), idempotency.Claimed)
}

// storeRace has cfg.Racers goroutines Begin one key at once: exactly one may
// win. Then they race again on the done key: all must see Done.
func storeRace(t *testing.T, s idempotency.Store, cfg Config) {
	results := make([]idempotency.Claim, cfg.Racers)
	errs := make([]error, cfg.Racers)
	race := func() {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range cfg.Racers {
			wg.Go(func() {
				<-start
				results[i], errs[i] = s.Begin(t.Context(), "contended", longLease)
			})
		}
		close(start)
		wg.Wait()
	}
	race()
	var winner idempotency.Claim
	count := map[idempotency.ClaimStatus]int{}
	for i, c := range results {
		noErr(t, fmt.Sprintf("racer %d", i), errs[i])
		count[c.Status]++
		if c.Status == idempotency.Claimed {
			winner = c
		}
	}
	if count[idempotency.Claimed] != 1 || count[idempotency.InFlight] != cfg.Racers-1 {
		t.Fatalf("%d racers got %v, want 1 claimed and %d in flight", cfg.Racers, count, cfg.Racers-1)
	}
	noErr(t, "Complete by the winner", s.Complete(t.Context(), "contended", winner.Token, time.Hour))
	race()
	for i, c := range results {
		noErr(t, fmt.Sprintf("racer %d after Complete", i), errs[i])
		if c.Status != idempotency.Done {
			t.Fatalf("racer %d after Complete: status %v, want done", i, c.Status)
		}
	}
}

// storeExpiredLease lets a claim's lease end, has another Begin take the key,
// and checks that the first holder can no longer finish.
func storeExpiredLease(t *testing.T, s idempotency.Store, cfg Config) {
	ctx := t.Context()
	start := time.Now()
	old := begin(t, s, "k", cfg.Lease)
	wantStatus(t, "Begin", old, idempotency.Claimed)
	var fresh idempotency.Claim
	ok := eventually(cfg.Wait+cfg.Lease, func() bool {
		fresh = begin(t, s, "k", longLease)
		return fresh.Status == idempotency.Claimed
	})
	if !ok {
		t.Fatalf("key not claimable %v after a lease of %v", cfg.Wait, cfg.Lease)
	}
	if elapsed := time.Since(start); elapsed < cfg.Lease {
		t.Fatalf("key claimed again %v after a lease of %v began", elapsed, cfg.Lease)
	}
	if fresh.Token == old.Token {
		t.Fatalf("new claim reused token %q", old.Token)
	}
	wantErr(t, "Complete with the expired token", s.Complete(ctx, "k", old.Token, time.Hour), idempotency.ErrLeaseLost)
	wantErr(t, "Release with the expired token", s.Release(ctx, "k", old.Token), idempotency.ErrLeaseLost)
	wantStatus(t, "Begin while the new claim holds", begin(t, s, "k", longLease), idempotency.InFlight)
	noErr(t, "Complete with the new token", s.Complete(ctx, "k", fresh.Token, time.Hour))
	wantStatus(t, "Begin after Complete", begin(t, s, "k", longLease), idempotency.Done)
}

// storeLateComplete completes a claim whose lease ended while nobody else
// claimed the key: that must still count.
func storeLateComplete(t *testing.T, s idempotency.Store, cfg Config) {
	c := begin(t, s, "k", cfg.Lease)
	wantStatus(t, "Begin", c, idempotency.Claimed)
	time.Sleep(2 * cfg.Lease)
	noErr(t, "Complete after the lease ended", s.Complete(t.Context(), "k", c.Token, time.Hour))
	wantStatus(t, "Begin after Complete", begin(t, s, "k", longLease), idempotency.Done)
}

// storeRetentionEnds checks that a done key becomes claimable again once its
// retention ends, and not before.
func storeRetentionEnds(t *testing.T, s idempotency.Store, cfg Config) {
	c := begin(t, s, "k", longLease)
	start := time.Now()
	noErr(t, "Complete", s.Complete(t.Context(), "k", c.Token, cfg.Lease))
	var again idempotency.Claim
	if !eventually(cfg.Wait+cfg.Lease, func() bool {
		again = begin(t, s, "k", longLease)
		return again.Status != idempotency.Done
	}) {
		t.Fatalf("key still done %v after a retention of %v", cfg.Wait, cfg.Lease)
	}
	if elapsed := time.Since(start); elapsed < cfg.Lease {
		t.Fatalf("done key forgotten %v after a retention of %v", elapsed, cfg.Lease)
	}
	wantStatus(t, "Begin after retention", again, idempotency.Claimed)
}

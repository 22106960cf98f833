package idemtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

func syncCases(cfg Config) []storeCase {
	return []storeCase{
		{"SyncGenerationTagsEvents", syncGenerationTagsEvents, nil},
		{"SyncUntaggedNeverCovered", syncUntagged, nil},
		{"SyncAbortCoversNothing", syncAbort, nil},
		{"SyncResourcesAreIndependent", syncIndependent, nil},
		{"SyncInvalidArguments", syncInvalidArguments, nil},
		{"SyncRaceForOneResource", func(t *testing.T, s idempotency.Store) { syncRace(t, s, cfg) }, nil},
		{"SyncExpiredLeaseIsReclaimed", func(t *testing.T, s idempotency.Store) { syncExpiredLease(t, s, cfg) }, nil},
		{"SyncFinishAfterExpiryWithoutReclaim", func(t *testing.T, s idempotency.Store) { syncLateFinish(t, s, cfg) }, nil},
		{"SyncRecordExpires", func(t *testing.T, s idempotency.Store) { syncRecordExpires(t, s, cfg) },
			[]idempotency.Option{idempotency.WithRetention(cfg.Lease)}},
	}
}

func generation(t *testing.T, s idempotency.Store, resource string) string {
	t.Helper()
	g, err := s.Generation(t.Context(), resource)
	noErr(t, "Generation("+resource+")", err)
	if g == "" {
		t.Fatalf("Generation(%s) is empty", resource)
	}
	return g
}

func startSync(t *testing.T, s idempotency.Store, resource, gen string, lease time.Duration) idempotency.SyncClaim {
	t.Helper()
	c, err := s.StartSync(t.Context(), resource, gen, lease)
	noErr(t, fmt.Sprintf("StartSync(%s, %q)", resource, gen), err)
	return c
}

func wantSync(t *testing.T, what string, c idempotency.SyncClaim, want idempotency.ClaimStatus) {
	t.Helper()
	if c.Status != want {
		t.Fatalf("%s: status %v, want %v", what, c.Status, want)
	}
	if (want == idempotency.Claimed) != (c.Token != "") {
		t.Fatalf("%s: status %v with token %q: only Claimed carries a token", what, c.Status, c.Token)
	}
	if want != idempotency.Claimed && c.Version != "" {
		t.Fatalf("%s: status %v with version %q: only Claimed carries a version", what, c.Status, c.Version)
	}
}

// syncGenerationTagsEvents walks one resource through two syncs and checks
// which tagged messages each covers, and the version each sees.
func syncGenerationTagsEvents(t *testing.T, s idempotency.Store) {
	ctx := t.Context()
	g0 := generation(t, s, "order:1")
	if g0 != "0" {
		t.Fatalf("generation of a new resource %q, want \"0\"", g0)
	}
	c1 := startSync(t, s, "order:1", g0, longLease)
	wantSync(t, "first StartSync", c1, idempotency.Claimed)
	if c1.Version != "" {
		t.Fatalf("first claim sees version %q, want none", c1.Version)
	}
	g1 := generation(t, s, "order:1")
	if g1 == g0 {
		t.Fatalf("generation stayed %q after a claim", g1)
	}
	if g := generation(t, s, "order:1"); g != g1 {
		t.Fatalf("Generation changed from %q to %q without a claim", g1, g)
	}
	wantSync(t, "StartSync of a later event while the first sync runs", startSync(t, s, "order:1", g1, longLease), idempotency.InFlight)
	wantSync(t, "StartSync of an earlier event while the first sync runs", startSync(t, s, "order:1", g0, longLease), idempotency.InFlight)
	noErr(t, "FinishSync", s.FinishSync(ctx, "order:1", c1.Token, "v1"))
	wantSync(t, "StartSync of an event the sync covers", startSync(t, s, "order:1", g0, longLease), idempotency.Done)
	wantSync(t, "the same again", startSync(t, s, "order:1", g0, longLease), idempotency.Done)
	if g := generation(t, s, "order:1"); g != g1 {
		t.Fatalf("Generation changed from %q to %q on a covered message", g1, g)
	}
	c2 := startSync(t, s, "order:1", g1, longLease)
	wantSync(t, "StartSync of an event tagged during the first sync", c2, idempotency.Claimed)
	if c2.Version != "v1" {
		t.Fatalf("second claim sees version %q, want v1", c2.Version)
	}
	g2 := generation(t, s, "order:1")
	if g2 == g1 || g2 == g0 {
		t.Fatalf("generation %q repeats an earlier one (%q, %q)", g2, g0, g1)
	}
	noErr(t, "FinishSync without a version", s.FinishSync(ctx, "order:1", c2.Token, ""))
	wantSync(t, "StartSync of g1 after the second sync", startSync(t, s, "order:1", g1, longLease), idempotency.Done)
	c3 := startSync(t, s, "order:1", g2, longLease)
	wantSync(t, "StartSync of g2", c3, idempotency.Claimed)
	if c3.Version != "v1" {
		t.Fatalf("an empty version replaced the recorded one: %q", c3.Version)
	}
	wantErr(t, "FinishSync with a finished token", s.FinishSync(ctx, "order:1", c2.Token, "v9"), idempotency.ErrLeaseLost)
}

func syncUntagged(t *testing.T, s idempotency.Store) {
	for i := range 3 {
		c := startSync(t, s, "r", "", longLease)
		wantSync(t, fmt.Sprintf("untagged StartSync %d", i), c, idempotency.Claimed)
		noErr(t, "FinishSync", s.FinishSync(t.Context(), "r", c.Token, fmt.Sprint("v", i)))
	}
	wantSync(t, "StartSync of a malformed generation", startSync(t, s, "r", "not.a.generation", longLease), idempotency.Claimed)
}

func syncAbort(t *testing.T, s idempotency.Store) {
	ctx := t.Context()
	g0 := generation(t, s, "r")
	c := startSync(t, s, "r", g0, longLease)
	wantSync(t, "StartSync", c, idempotency.Claimed)
	wantErr(t, "AbortSync with a foreign token", s.AbortSync(ctx, "r", c.Token+"x"), idempotency.ErrLeaseLost)
	wantErr(t, "FinishSync with a foreign token", s.FinishSync(ctx, "r", c.Token+"x", "v"), idempotency.ErrLeaseLost)
	wantSync(t, "StartSync after foreign calls", startSync(t, s, "r", "", longLease), idempotency.InFlight)
	noErr(t, "AbortSync", s.AbortSync(ctx, "r", c.Token))
	noErr(t, "AbortSync repeated", s.AbortSync(ctx, "r", c.Token))
	noErr(t, "AbortSync of a resource never synced", s.AbortSync(ctx, "other", "some-token"))
	again := startSync(t, s, "r", g0, longLease)
	wantSync(t, "StartSync of the same event after an abort", again, idempotency.Claimed)
	if again.Token == c.Token {
		t.Fatalf("second sync claim reused token %q", c.Token)
	}
	if again.Version != "" {
		t.Fatalf("an aborted sync recorded version %q", again.Version)
	}
	wantErr(t, "FinishSync with the aborted token", s.FinishSync(ctx, "r", c.Token, "v"), idempotency.ErrLeaseLost)
	noErr(t, "FinishSync", s.FinishSync(ctx, "r", again.Token, "v"))
	wantSync(t, "StartSync of the event after the finish", startSync(t, s, "r", g0, longLease), idempotency.Done)
}

func syncIndependent(t *testing.T, s idempotency.Store) {
	ctx := t.Context()
	a := startSync(t, s, "a", "", longLease)
	ga := generation(t, s, "a")
	b := startSync(t, s, "b", "", longLease)
	wantSync(t, "StartSync(a)", a, idempotency.Claimed)
	wantSync(t, "StartSync(b)", b, idempotency.Claimed)
	if g := generation(t, s, "a"); g != ga {
		t.Fatalf("claiming b moved a's generation from %q to %q", ga, g)
	}
	wantErr(t, "FinishSync(b) with a's token", s.FinishSync(ctx, "b", a.Token, "v"), idempotency.ErrLeaseLost)
	noErr(t, "FinishSync(a)", s.FinishSync(ctx, "a", a.Token, "va"))
	wantSync(t, "StartSync(b) after FinishSync(a)", startSync(t, s, "b", "", longLease), idempotency.InFlight)
	// A sync record and a key of the same name do not meet.
	wantStatus(t, "Begin(a)", begin(t, s, "a", longLease), idempotency.Claimed)
}

func syncInvalidArguments(t *testing.T, s idempotency.Store) {
	ctx := t.Context()
	_, err := s.Generation(ctx, "")
	wantErr(t, `Generation("")`, err, idempotency.ErrInvalidArgument)
	_, err = s.StartSync(ctx, "", "", longLease)
	wantErr(t, `StartSync("")`, err, idempotency.ErrInvalidArgument)
	wantErr(t, `FinishSync("")`, s.FinishSync(ctx, "", "t", "v"), idempotency.ErrInvalidArgument)
	wantErr(t, `FinishSync(r, "")`, s.FinishSync(ctx, "r", "", "v"), idempotency.ErrInvalidArgument)
	wantErr(t, `AbortSync("")`, s.AbortSync(ctx, "", "t"), idempotency.ErrInvalidArgument)
	wantErr(t, `AbortSync(r, "")`, s.AbortSync(ctx, "r", ""), idempotency.ErrInvalidArgument)
}

// syncRace has cfg.Racers goroutines StartSync one resource at once with
// the same tag: exactly one may claim it. Once it finished, they race again
// with that tag: all must see Done.
func syncRace(t *testing.T, s idempotency.Store, cfg Config) {
	tag := generation(t, s, "contended")
	results := make([]idempotency.SyncClaim, cfg.Racers)
	errs := make([]error, cfg.Racers)
	race := func() {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range cfg.Racers {
			wg.Go(func() {
				<-start
				results[i], errs[i] = s.StartSync(t.Context(), "contended", tag, longLease)
			})
		}
		close(start)
		wg.Wait()
	}
	race()
	var winner idempotency.SyncClaim
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
	noErr(t, "FinishSync by the winner", s.FinishSync(t.Context(), "contended", winner.Token, "v"))
	race()
	for i, c := range results {
		noErr(t, fmt.Sprintf("racer %d after FinishSync", i), errs[i])
		if c.Status != idempotency.Done {
			t.Fatalf("racer %d after FinishSync: status %v, want done", i, c.Status)
		}
	}
}

// syncExpiredLease lets a sync claim's lease end, has another StartSync take
// the resource, and checks that the first holder can no longer finish or
// record its version.
func syncExpiredLease(t *testing.T, s idempotency.Store, cfg Config) {
	ctx := t.Context()
	tag := generation(t, s, "r")
	start := time.Now()
	old := startSync(t, s, "r", tag, cfg.Lease)
	wantSync(t, "StartSync", old, idempotency.Claimed)
	var fresh idempotency.SyncClaim
	if !eventually(cfg.Wait+cfg.Lease, func() bool {
		fresh = startSync(t, s, "r", tag, longLease)
		return fresh.Status == idempotency.Claimed
	}) {
		t.Fatalf("resource not claimable %v after a lease of %v", cfg.Wait, cfg.Lease)
	}
	if elapsed := time.Since(start); elapsed < cfg.Lease {
		t.Fatalf("resource claimed again %v after a lease of %v began", elapsed, cfg.Lease)
	}
	if fresh.Token == old.Token {
		t.Fatalf("new sync claim reused token %q", old.Token)
	}
	wantErr(t, "FinishSync with the expired token", s.FinishSync(ctx, "r", old.Token, "stale"), idempotency.ErrLeaseLost)
	wantErr(t, "AbortSync with the expired token", s.AbortSync(ctx, "r", old.Token), idempotency.ErrLeaseLost)
	wantSync(t, "StartSync while the new claim holds", startSync(t, s, "r", "", longLease), idempotency.InFlight)
	noErr(t, "FinishSync with the new token", s.FinishSync(ctx, "r", fresh.Token, "fresh"))
	wantSync(t, "StartSync of the tag after the new sync", startSync(t, s, "r", tag, longLease), idempotency.Done)
	c := startSync(t, s, "r", "", longLease)
	if c.Version != "fresh" {
		t.Fatalf("recorded version %q, want fresh (the expired claim must not record)", c.Version)
	}
}

// syncLateFinish finishes a sync whose lease ended while nobody else
// claimed the resource: that must still count.
func syncLateFinish(t *testing.T, s idempotency.Store, cfg Config) {
	tag := generation(t, s, "r")
	c := startSync(t, s, "r", tag, cfg.Lease)
	wantSync(t, "StartSync", c, idempotency.Claimed)
	time.Sleep(2 * cfg.Lease)
	noErr(t, "FinishSync after the lease ended", s.FinishSync(t.Context(), "r", c.Token, "v"))
	wantSync(t, "StartSync of the tag after FinishSync", startSync(t, s, "r", tag, longLease), idempotency.Done)
}

// syncRecordExpires checks, on a store whose retention is cfg.Lease, that a
// sync record is forgotten once its retention ends, not before, and that its
// generations are not given out again.
func syncRecordExpires(t *testing.T, s idempotency.Store, cfg Config) {
	c := startSync(t, s, "r", "", longLease)
	noErr(t, "FinishSync", s.FinishSync(t.Context(), "r", c.Token, "v"))
	start := time.Now()
	old := generation(t, s, "r")
	if !eventually(cfg.Wait+cfg.Lease, func() bool { return generation(t, s, "r") == "0" }) {
		t.Fatalf("sync record kept %v after a retention of %v", cfg.Wait, cfg.Lease)
	}
	if elapsed := time.Since(start); elapsed < cfg.Lease {
		t.Fatalf("sync record forgotten %v after a retention of %v", elapsed, cfg.Lease)
	}
	again := startSync(t, s, "r", old, longLease)
	wantSync(t, "StartSync of a tag from the forgotten record", again, idempotency.Claimed)
	if again.Version != "" {
		t.Fatalf("a new record remembers version %q", again.Version)
	}
	if g := generation(t, s, "r"); g == old || g == "0" {
		t.Fatalf("the new record's generation %q repeats %q", g, old)
	}
	noErr(t, "FinishSync", s.FinishSync(t.Context(), "r", again.Token, "v2"))
	wantSync(t, "StartSync of the old tag after a sync of the new record", startSync(t, s, "r", old, longLease), idempotency.Done)
	wantSync(t, "StartSync of the no-record tag", startSync(t, s, "r", "0", longLease), idempotency.Done)
}

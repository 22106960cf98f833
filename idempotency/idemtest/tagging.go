package idemtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// TaggingFactory returns a new, empty TaggingQueue and the Store whose sync
// records tag its messages, isolated from every other pair the factory
// returned. For an implementation that reads the generation in the same
// step as the enqueue when the Store is its own kind, return such a Store,
// so that the suite tests that path; the suite also tags through a wrapped
// Store, which takes the two-step path. It registers its own cleanup with
// t.Cleanup and fails t on error.
type TaggingFactory func(t *testing.T) (idempotency.TaggingQueue, idempotency.Store)

// RunTagging runs the TaggingQueue suite as parallel subtests of t, each on
// a fresh pair from newPair, sized by cfg (pass Config{} for the defaults).
func RunTagging(t *testing.T, cfg Config, newPair TaggingFactory) {
	t.Helper()
	cfg = cfg.withDefaults()
	cases := []struct {
		name string
		run  func(t *testing.T, q idempotency.TaggingQueue, s idempotency.Store, cfg Config)
	}{
		{"TaggedKeyEndsInGeneration", taggedKey},
		{"TaggedEventsCoalesceUntilClaimed", taggedCoalesce},
		{"TaggedThroughWrappedStore", taggedWrapped},
		{"TaggedResourcesAreIndependent", taggedIndependent},
		{"TaggedInvalidArguments", taggedInvalid},
		{"TaggedConcurrentWithUntagged", taggedConcurrent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			q, s := newPair(t)
			if q == nil || s == nil {
				t.Fatal("the factory returned a nil TaggingQueue or Store")
			}
			c.run(t, q, s, cfg)
		})
	}
}

// wrappedStore hides a Store's type, so that a TaggingQueue cannot read it
// in one step and must take the two-step path.
type wrappedStore struct{ idempotency.Store }

func enqueueTagged(t *testing.T, q idempotency.TaggingQueue, s idempotency.Store, resource string, m idempotency.Message) idempotency.EnqueueResult {
	t.Helper()
	r, err := q.EnqueueTagged(t.Context(), s, resource, m)
	noErr(t, fmt.Sprintf("EnqueueTagged(%s, %q)", resource, m.Key), err)
	if r.ID == "" || r.Generation == "" {
		t.Fatalf("EnqueueTagged(%s, %q) = %+v: want an ID and a generation", resource, m.Key, r)
	}
	return r
}

// taggedKey checks that the message's key is the given key followed by the
// resource's generation, the one Store.Generation reads, and that the body
// and priority are kept.
func taggedKey(t *testing.T, q idempotency.TaggingQueue, s idempotency.Store, cfg Config) {
	g := generation(t, s, "order:1")
	r := enqueueTagged(t, q, s, "order:1", idempotency.Message{Key: "sync:1:", Body: []byte("one"), Priority: idempotency.PriorityLow})
	if r.Generation != g || r.Duplicate {
		t.Fatalf("EnqueueTagged = %+v, want a new message tagged %q", r, g)
	}
	d := dequeue(t, q, longLease, cfg.Wait)
	if d.Key != "sync:1:"+g || string(d.Body) != "one" || d.Priority != idempotency.PriorityLow || d.ID != r.ID {
		t.Fatalf("delivered %q %q %v (ID %s), want key %q, body \"one\", priority low, ID %s",
			d.Key, d.Body, d.Priority, d.ID, "sync:1:"+g, r.ID)
	}
	noErr(t, "Ack", q.Ack(t.Context(), d))
}

// taggedCoalesce walks a resource through a sync: events tagged before the
// claim are one message; an event tagged after it is a new one, with the
// next generation, which the finished sync does not cover.
func taggedCoalesce(t *testing.T, q idempotency.TaggingQueue, s idempotency.Store, cfg Config) {
	ctx := t.Context()
	m := idempotency.Message{Key: "sync:7:"}
	r1 := enqueueTagged(t, q, s, "order:7", m)
	r2 := enqueueTagged(t, q, s, "order:7", m)
	if !r2.Duplicate || r2.ID != r1.ID || r2.Generation != r1.Generation {
		t.Fatalf("second event before any claim: %+v, want a duplicate of %+v", r2, r1)
	}
	c := startSync(t, s, "order:7", r1.Generation, longLease)
	wantSync(t, "StartSync(order:7)", c, idempotency.Claimed)
	r3 := enqueueTagged(t, q, s, "order:7", m)
	if r3.Duplicate || r3.ID == r1.ID || r3.Generation == r1.Generation {
		t.Fatalf("event after the claim: %+v, want a new message with a new generation (first: %+v)", r3, r1)
	}
	if g := generation(t, s, "order:7"); r3.Generation != g {
		t.Fatalf("event after the claim tagged %q, Store.Generation reads %q", r3.Generation, g)
	}
	noErr(t, "FinishSync", s.FinishSync(ctx, "order:7", c.Token, "v1"))
	wantSync(t, "StartSync for the first tag", startSync(t, s, "order:7", r1.Generation, longLease), idempotency.Done)
	wantSync(t, "StartSync for the tag after the claim", startSync(t, s, "order:7", r3.Generation, longLease), idempotency.Claimed)
}

// taggedWrapped checks that a Store the queue cannot read in one step tags
// messages the same way: the key and generation match the direct path's.
func taggedWrapped(t *testing.T, q idempotency.TaggingQueue, s idempotency.Store, cfg Config) {
	c := startSync(t, s, "order:9", "", longLease)
	wantSync(t, "StartSync(order:9)", c, idempotency.Claimed)
	direct := enqueueTagged(t, q, s, "order:9", idempotency.Message{Key: "sync:9:"})
	wrapped := enqueueTagged(t, q, wrappedStore{s}, "order:9", idempotency.Message{Key: "sync:9:"})
	if !wrapped.Duplicate || wrapped.ID != direct.ID || wrapped.Generation != direct.Generation {
		t.Fatalf("through a wrapped Store: %+v, want the duplicate of %+v", wrapped, direct)
	}
	other := enqueueTagged(t, q, wrappedStore{s}, "order:10", idempotency.Message{Key: "sync:10:"})
	if other.Duplicate || other.Generation != generation(t, s, "order:10") {
		t.Fatalf("through a wrapped Store, another resource: %+v", other)
	}
}

// taggedIndependent checks that a claim moves only its own resource's tag.
func taggedIndependent(t *testing.T, q idempotency.TaggingQueue, s idempotency.Store, cfg Config) {
	rb := enqueueTagged(t, q, s, "order:2", idempotency.Message{Key: "sync:2:"})
	wantSync(t, "StartSync(order:3)", startSync(t, s, "order:3", "", longLease), idempotency.Claimed)
	again := enqueueTagged(t, q, s, "order:2", idempotency.Message{Key: "sync:2:"})
	if !again.Duplicate || again.ID != rb.ID {
		t.Fatalf("claiming order:3 changed order:2's tag: %+v after %+v", again, rb)
	}
}

func taggedInvalid(t *testing.T, q idempotency.TaggingQueue, s idempotency.Store, cfg Config) {
	ctx := t.Context()
	_, err := q.EnqueueTagged(ctx, s, "", idempotency.Message{Key: "k"})
	wantErr(t, `EnqueueTagged(resource "")`, err, idempotency.ErrInvalidArgument)
	_, err = q.EnqueueTagged(ctx, nil, "order:1", idempotency.Message{Key: "k"})
	wantErr(t, "EnqueueTagged(nil store)", err, idempotency.ErrInvalidArgument)
	_, err = q.EnqueueTagged(ctx, s, "order:1", idempotency.Message{Key: "k", Priority: 7})
	wantErr(t, "EnqueueTagged(priority 7)", err, idempotency.ErrInvalidArgument)
	noErr(t, "Close", q.Close())
	_, err = q.EnqueueTagged(ctx, s, "order:1", idempotency.Message{Key: "k"})
	wantErr(t, "EnqueueTagged after Close", err, idempotency.ErrClosed)
}

// taggedConcurrent sends cfg.Racers tagged events of one resource and as
// many untagged messages at once, so that implementations which commit
// concurrent calls together mix both kinds in one group: the tagged events
// must be one message, and every untagged one its own.
func taggedConcurrent(t *testing.T, q idempotency.TaggingQueue, s idempotency.Store, cfg Config) {
	n := cfg.Racers
	tagged := make([]idempotency.EnqueueResult, n)
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			tagged[i], errs[i] = q.EnqueueTagged(t.Context(), s, "order:5", idempotency.Message{Key: "sync:5:", Body: []byte("t")})
		})
		wg.Go(func() {
			<-start
			_, errs[n+i] = q.Enqueue(t.Context(), idempotency.Message{Key: fmt.Sprintf("plain-%d", i)})
		})
	}
	close(start)
	wg.Wait()
	fresh := 0
	for i, r := range tagged {
		noErr(t, fmt.Sprintf("tagged call %d", i), errs[i])
		noErr(t, fmt.Sprintf("untagged call %d", i), errs[n+i])
		if !r.Duplicate {
			fresh++
		}
		if r.ID != tagged[0].ID || r.Generation != tagged[0].Generation {
			t.Fatalf("tagged call %d got %+v, call 0 got %+v: one generation is one message", i, r, tagged[0])
		}
	}
	if fresh != 1 {
		t.Fatalf("%d of %d tagged calls queued a message, want exactly 1", fresh, n)
	}
	keys := map[string]int{}
	for range n + 1 {
		d := dequeue(t, q, longLease, cfg.Wait)
		keys[d.Key]++
		noErr(t, "Ack", q.Ack(t.Context(), d))
	}
	if keys["sync:5:"+tagged[0].Generation] != 1 || len(keys) != n+1 {
		t.Fatalf("delivered keys %v, want sync:5:%s once and %d untagged keys", keys, tagged[0].Generation, n)
	}
	wantEmpty(t, q, 300*time.Millisecond)
}

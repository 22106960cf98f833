package idemtest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

// The suite is only worth running if it fails broken implementations. Each
// mutant below breaks one promise of a memory implementation; TestMutant runs
// the suite on one of them in a child process, and TestSuiteCatchesMutants
// checks that the named case fails there.

const mutantEnv = "IDEMTEST_MUTANT"

type mutant struct {
	queue      func(q *idempotency.MemoryQueue) idempotency.Queue
	inspector  func(q *idempotency.MemoryQueue) idempotency.Inspector
	store      func(s *idempotency.MemoryStore) idempotency.Store
	checkpoint func(c *idempotency.MemoryCheckpoint) idempotency.Checkpoint
	tagging    func(q *idempotency.MemoryQueue) idempotency.TaggingQueue
	cases      []string // cases that must fail
}

var mutants = map[string]mutant{
	"ack-always-succeeds": {queue: func(q *idempotency.MemoryQueue) idempotency.Queue { return ackAlways{q} },
		cases: []string{"EnqueueDequeueAck", "AckRace", "LeaseExpiryRedelivers"}},
	"no-dedup": {queue: func(q *idempotency.MemoryQueue) idempotency.Queue { return &noDedup{MemoryQueue: q} },
		cases: []string{"DedupWindow"}},
	"retry-ignores-delay": {queue: func(q *idempotency.MemoryQueue) idempotency.Queue { return retryNow{q} },
		cases: []string{"RetryDelay"}},
	"attempt-stuck": {queue: func(q *idempotency.MemoryQueue) idempotency.Queue { return attemptStuck{q} },
		cases: []string{"RetryNow", "LeaseExpiryRedelivers"}},
	"loses-messages": {queue: func(q *idempotency.MemoryQueue) idempotency.Queue { return &lossy{MemoryQueue: q} },
		cases: []string{"ConcurrentConsumers"}},
	"claims-twice": {store: func(s *idempotency.MemoryStore) idempotency.Store { return claimsTwice{s} },
		cases: []string{"RaceForOneKey", "ClaimThenInFlight"}},
	"sync-never-covers": {store: func(s *idempotency.MemoryStore) idempotency.Store { return neverCovers{s} },
		cases: []string{"SyncGenerationTagsEvents", "SyncRaceForOneResource"}},
	"abort-covers": {store: func(s *idempotency.MemoryStore) idempotency.Store { return abortCovers{s} },
		cases: []string{"SyncAbortCoversNothing"}},
	"expired-sync-finishes": {store: func(s *idempotency.MemoryStore) idempotency.Store { return &lateFinisher{MemoryStore: s} },
		cases: []string{"SyncExpiredLeaseIsReclaimed"}},
	"first-failed-is-last": {inspector: func(q *idempotency.MemoryQueue) idempotency.Inspector { return firstFailedIsLast{q} },
		cases: []string{"FirstFailedAt"}},
	"oldest-is-first-entry": {inspector: func(q *idempotency.MemoryQueue) idempotency.Inspector { return &oldestFirstEnqueued{MemoryQueue: q} },
		cases: []string{"StatsOldest"}},
	"tag-left-out-of-key": {tagging: func(q *idempotency.MemoryQueue) idempotency.TaggingQueue { return untaggedKey{q} },
		cases: []string{"TaggedKeyEndsInGeneration", "TaggedEventsCoalesceUntilClaimed"}},
	"tag-read-after-enqueue": {tagging: func(q *idempotency.MemoryQueue) idempotency.TaggingQueue { return staleTag{q} },
		cases: []string{"TaggedEventsCoalesceUntilClaimed"}},
	"checkpoint-forgets": {checkpoint: func(c *idempotency.MemoryCheckpoint) idempotency.Checkpoint { return forgetful{c} },
		cases: []string{"SaveThenLoad", "LastSaveWins"}},
}

func TestMutant(t *testing.T) {
	name := os.Getenv(mutantEnv)
	if name == "" {
		t.Skip("runs only in the child process of TestSuiteCatchesMutants")
	}
	m := mutants[name]
	cfg := idemtest.Config{Messages: 300, Wait: time.Second, BulkWait: 5 * time.Second}
	switch {
	case m.tagging != nil:
		idemtest.RunTagging(t, cfg, func(t *testing.T) (idempotency.TaggingQueue, idempotency.Store) {
			return m.tagging(idempotency.NewMemoryQueue()), idempotency.NewMemoryStore()
		})
	case m.queue != nil || m.inspector != nil:
		idemtest.RunQueue(t, cfg, func(t *testing.T, opts ...idempotency.Option) (idempotency.Queue, idempotency.Inspector) {
			mq := idempotency.NewMemoryQueue(opts...)
			var (
				q   idempotency.Queue     = mq
				ins idempotency.Inspector = mq
			)
			if m.queue != nil {
				q = m.queue(mq)
			}
			if m.inspector != nil {
				ins = m.inspector(mq)
			}
			return q, ins
		})
	case m.store != nil:
		idemtest.RunStore(t, cfg, func(t *testing.T, opts ...idempotency.Option) idempotency.Store {
			return m.store(idempotency.NewMemoryStore(opts...))
		})
	default:
		idemtest.RunCheckpoint(t, cfg, func(t *testing.T) idempotency.Checkpoint {
			return m.checkpoint(&idempotency.MemoryCheckpoint{})
		})
	}
}

func TestSuiteCatchesMutants(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary: %v", err)
	}
	for name, m := range mutants {
		for _, c := range m.cases {
			t.Run(name+"/"+c, func(t *testing.T) {
				t.Parallel()
				cmd := exec.CommandContext(t.Context(), exe, "-test.run=^TestMutant$/^"+c+"$", "-test.count=1")
				cmd.Env = append(os.Environ(), mutantEnv+"="+name)
				out, err := cmd.CombinedOutput()
				if err == nil {
					t.Fatalf("the suite passed mutant %s:\n%s", name, out)
				}
				if !strings.Contains(string(out), "--- FAIL: TestMutant/"+c) {
					t.Fatalf("mutant %s: case %s did not fail:\n%s", name, c, out)
				}
			})
		}
	}
}

// untaggedKey reports the generation but keys the message by msg.Key alone.
type untaggedKey struct{ *idempotency.MemoryQueue }

func (q untaggedKey) EnqueueTagged(ctx context.Context, s idempotency.Store, resource string, m idempotency.Message) (idempotency.EnqueueResult, error) {
	g, err := s.Generation(ctx, resource)
	if err != nil {
		return idempotency.EnqueueResult{}, err
	}
	r, err := q.MemoryQueue.Enqueue(ctx, m)
	r.Generation = g
	return r, err
}

// staleTag remembers the first generation it read for each resource, as a
// cache would, instead of reading the current one.
type staleTag struct{ *idempotency.MemoryQueue }

var staleTags sync.Map

func (q staleTag) EnqueueTagged(ctx context.Context, s idempotency.Store, resource string, m idempotency.Message) (idempotency.EnqueueResult, error) {
	if g, ok := staleTags.Load(resource); ok {
		m.Key += g.(string)
		r, err := q.MemoryQueue.Enqueue(ctx, m)
		r.Generation = g.(string)
		return r, err
	}
	r, err := idempotency.EnqueueTaggedInTwoSteps(ctx, q.MemoryQueue, s, resource, m)
	if err == nil {
		staleTags.Store(resource, r.Generation)
	}
	return r, err
}

type ackAlways struct{ *idempotency.MemoryQueue }

func (q ackAlways) Ack(ctx context.Context, d *idempotency.Delivery) error {
	_ = q.MemoryQueue.Ack(ctx, d)
	return nil
}

type noDedup struct {
	*idempotency.MemoryQueue
	n atomic.Int64
}

func (q *noDedup) Enqueue(ctx context.Context, m idempotency.Message) (idempotency.EnqueueResult, error) {
	m.Key += "#" + strconv.FormatInt(q.n.Add(1), 10)
	return q.MemoryQueue.Enqueue(ctx, m)
}

type retryNow struct{ *idempotency.MemoryQueue }

func (q retryNow) Retry(ctx context.Context, d *idempotency.Delivery, _ time.Duration) error {
	return q.MemoryQueue.Retry(ctx, d, 0)
}

type attemptStuck struct{ *idempotency.MemoryQueue }

func (q attemptStuck) Dequeue(ctx context.Context, lease time.Duration) (*idempotency.Delivery, error) {
	d, err := q.MemoryQueue.Dequeue(ctx, lease)
	if d != nil {
		d.Attempt = 1
	}
	return d, err
}

type lossy struct {
	*idempotency.MemoryQueue
	n atomic.Int64
}

func (q *lossy) Enqueue(ctx context.Context, m idempotency.Message) (idempotency.EnqueueResult, error) {
	if q.n.Add(1) == 77 {
		return idempotency.EnqueueResult{ID: "lost"}, nil
	}
	return q.MemoryQueue.Enqueue(ctx, m)
}

type claimsTwice struct{ *idempotency.MemoryStore }

func (s claimsTwice) Begin(ctx context.Context, key string, lease time.Duration) (idempotency.Claim, error) {
	c, err := s.MemoryStore.Begin(ctx, key, lease)
	if err == nil && c.Status == idempotency.InFlight {
		return idempotency.Claim{Status: idempotency.Claimed, Token: "stolen", ExpiresAt: c.ExpiresAt}, nil
	}
	return c, err
}

// neverCovers reads the resource for every message, as an implementation
// without generations would.
type neverCovers struct{ *idempotency.MemoryStore }

func (s neverCovers) StartSync(ctx context.Context, resource, _ string, lease time.Duration) (idempotency.SyncClaim, error) {
	return s.MemoryStore.StartSync(ctx, resource, "", lease)
}

// abortCovers finishes a failed sync as if it had succeeded.
type abortCovers struct{ *idempotency.MemoryStore }

func (s abortCovers) AbortSync(ctx context.Context, resource, token string) error {
	return s.MemoryStore.FinishSync(ctx, resource, token, "")
}

// lateFinisher lets the holder of an expired sync claim still finish: it
// remembers the version the lost claim tried to record and reports it.
type lateFinisher struct {
	*idempotency.MemoryStore
	mu   sync.Mutex
	lost string
}

func (s *lateFinisher) FinishSync(ctx context.Context, resource, token, version string) error {
	err := s.MemoryStore.FinishSync(ctx, resource, token, version)
	if errors.Is(err, idempotency.ErrLeaseLost) {
		s.mu.Lock()
		s.lost = version
		s.mu.Unlock()
		return nil
	}
	return err
}

func (s *lateFinisher) StartSync(ctx context.Context, resource, gen string, lease time.Duration) (idempotency.SyncClaim, error) {
	c, err := s.MemoryStore.StartSync(ctx, resource, gen, lease)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Status == idempotency.Claimed && s.lost != "" {
		c.Version = s.lost
	}
	return c, err
}

// firstFailedIsLast reports the last failure as the first, as an
// implementation that does not keep the first failure would.
type firstFailedIsLast struct{ *idempotency.MemoryQueue }

func (q firstFailedIsLast) DeadLetters(ctx context.Context, limit int) ([]idempotency.DeadLetter, error) {
	dls, err := q.MemoryQueue.DeadLetters(ctx, limit)
	for i := range dls {
		dls[i].FirstFailedAt = dls[i].FailedAt
	}
	return dls, err
}

// oldestFirstEnqueued reports the oldest message ever enqueued that was not
// acknowledged, as an implementation that only looks at the head of its
// list would: it misses messages that died and came back.
type oldestFirstEnqueued struct {
	*idempotency.MemoryQueue
	mu    sync.Mutex
	first time.Time
}

func (q *oldestFirstEnqueued) Stats(ctx context.Context) (idempotency.Stats, error) {
	s, err := q.MemoryQueue.Stats(ctx)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.first.IsZero() || s.Oldest.IsZero() {
		q.first = s.Oldest
	}
	s.Oldest = q.first
	return s, err
}

// forgetful saves nothing.
type forgetful struct{ *idempotency.MemoryCheckpoint }

func (forgetful) Save(ctx context.Context, _ time.Time) error { return ctx.Err() }

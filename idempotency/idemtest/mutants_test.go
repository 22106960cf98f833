package idemtest_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
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
	queue func(q *idempotency.MemoryQueue) idempotency.Queue
	store func(s *idempotency.MemoryStore) idempotency.Store
	cases []string // cases that must fail
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
}

func TestMutant(t *testing.T) {
	name := os.Getenv(mutantEnv)
	if name == "" {
		t.Skip("runs only in the child process of TestSuiteCatchesMutants")
	}
	m := mutants[name]
	cfg := idemtest.Config{Messages: 300, Wait: time.Second, BulkWait: 5 * time.Second}
	if m.queue != nil {
		idemtest.RunQueue(t, cfg, func(t *testing.T, opts ...idempotency.Option) idempotency.Queue {
			return m.queue(idempotency.NewMemoryQueue(opts...))
		})
		return
	}
	idemtest.RunStore(t, cfg, func(t *testing.T, opts ...idempotency.Option) idempotency.Store {
		return m.store(idempotency.NewMemoryStore(opts...))
	})
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

package idemtest_test

import (
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

// ExampleRunQueue shows the test an implementation writes to run the queue
// suite: a factory that builds a fresh, isolated queue from the suite's
// options and returns it with its Inspector (here the same value).
func ExampleRunQueue() {
	testMemoryQueue := func(t *testing.T) {
		idemtest.RunQueue(t, idemtest.Config{}, func(t *testing.T, opts ...idempotency.Option) (idempotency.Queue, idempotency.Inspector) {
			q := idempotency.NewMemoryQueue(opts...)
			t.Cleanup(func() { _ = q.Close() })
			return q, q
		})
	}
	_ = testMemoryQueue // in a _test.go file: func TestMemoryQueue(t *testing.T) { ... }
}

// ExampleRunStore shrinks the suite, for instance for a slow backend in
// -short mode.
func ExampleRunStore() {
	testStore := func(t *testing.T) {
		cfg := idemtest.Config{Racers: 10, Lease: 300 * time.Millisecond}
		idemtest.RunStore(t, cfg, func(t *testing.T, opts ...idempotency.Option) idempotency.Store {
			return idempotency.NewMemoryStore(opts...)
		})
	}
	_ = testStore
}

// ExampleRunCheckpoint runs the checkpoint suite on MemoryCheckpoint, whose
// zero value is a fresh checkpoint.
func ExampleRunCheckpoint() {
	testCheckpoint := func(t *testing.T) {
		idemtest.RunCheckpoint(t, idemtest.Config{}, func(t *testing.T) idempotency.Checkpoint {
			return &idempotency.MemoryCheckpoint{}
		})
	}
	_ = testCheckpoint
}

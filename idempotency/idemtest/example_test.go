package idemtest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

// ExampleTestQueue shows the test an implementation writes to run the suite:
// a factory that builds a fresh, isolated queue from the suite's options.
func ExampleTestQueue() {
	testMemoryQueue := func(t *testing.T) {
		idemtest.TestQueue(t, func(t *testing.T, opts ...idempotency.Option) idempotency.Queue {
			q := idempotency.NewMemoryQueue(opts...)
			t.Cleanup(func() { _ = q.Close() })
			return q
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

// ExampleClock drives a MemoryQueue's retry delay by hand.
func ExampleClock() {
	clock := idemtest.NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	q := idempotency.NewMemoryQueue(idempotency.WithClock(clock))
	defer q.Close()
	ctx := context.Background()

	_, _ = q.Enqueue(ctx, idempotency.Message{Key: "order-100"})
	d, _ := q.Dequeue(ctx, time.Minute)
	_ = q.Retry(ctx, d, 10*time.Minute)

	s, _ := q.Stats(ctx)
	fmt.Println("ready:", s.Ready, "delayed:", s.Delayed)
	clock.Advance(10 * time.Minute)
	s, _ = q.Stats(ctx)
	fmt.Println("ready:", s.Ready, "delayed:", s.Delayed)
	d, _ = q.Dequeue(ctx, time.Minute)
	fmt.Println(d.Key, "attempt", d.Attempt, "at", d.LeaseExpiresAt.Add(-time.Minute).Format(time.Kitchen))
	// Output:
	// ready: 0 delayed: 1
	// ready: 1 delayed: 0
	// order-100 attempt 2 at 12:10PM
}

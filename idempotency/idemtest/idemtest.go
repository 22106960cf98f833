package idemtest

import (
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// StoreFactory returns a new, empty Store built with opts (the suite passes
// WithLease, WithRetention and the like). It registers its own cleanup with
// t.Cleanup and fails t on error.
type StoreFactory func(t *testing.T, opts ...idempotency.Option) idempotency.Store

// QueueFactory returns a new, empty Queue built with opts (the suite passes
// WithDedupWindow, WithCapacity and the like), isolated from every other
// Queue the factory returned, and the Inspector of that queue. Where one
// value implements both, as MemoryQueue and idemredis.Queue do, it returns
// that value twice. It registers its own cleanup with t.Cleanup, typically
// closing the queue (the Close case closes it first, which Close being
// idempotent allows), and fails t on error.
type QueueFactory func(t *testing.T, opts ...idempotency.Option) (idempotency.Queue, idempotency.Inspector)

// CheckpointFactory returns a new Checkpoint that holds nothing yet,
// isolated from every other Checkpoint the factory returned. It registers
// its own cleanup with t.Cleanup and fails t on error.
type CheckpointFactory func(t *testing.T) idempotency.Checkpoint

// Config sizes the suites. Its zero value, or any zero field, takes the
// default named beside the field.
type Config struct {
	// Racers is how many goroutines race for one key or one message: 50.
	Racers int
	// Messages is how many messages go through the concurrent-consumer
	// case: 10,000 (500 under -short).
	Messages int
	// Consumers is how many concurrent consumers that case runs: 8.
	Consumers int
	// Lease is the short lease used where the suite lets leases expire:
	// 200 ms.
	Lease time.Duration
	// Wait bounds every "eventually": 5 s.
	Wait time.Duration
	// BulkWait bounds the concurrent-consumer case: 2 minutes.
	BulkWait time.Duration
}

// withDefaults fills zero fields with the documented defaults.
func (c Config) withDefaults() Config {
	if c.Racers <= 0 {
		c.Racers = 50
	}
	if c.Messages <= 0 {
		c.Messages = 10000
		if testing.Short() {
			c.Messages = 500
		}
	}
	if c.Consumers <= 0 {
		c.Consumers = 8
	}
	if c.Lease <= 0 {
		c.Lease = 200 * time.Millisecond
	}
	if c.Wait <= 0 {
		c.Wait = 5 * time.Second
	}
	if c.BulkWait <= 0 {
		c.BulkWait = 2 * time.Minute
	}
	return c
}

// RunStore runs the Store suite as parallel subtests of t, each on a fresh
// Store from newStore, sized by cfg (pass Config{} for the defaults).
func RunStore(t *testing.T, cfg Config, newStore StoreFactory) {
	t.Helper()
	cfg = cfg.withDefaults()
	for _, c := range storeCases(cfg) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t, c.opts...))
		})
	}
}

// RunQueue runs the Queue and Inspector suite as parallel subtests of t,
// each on a fresh queue from newQueue, sized by cfg (pass Config{} for the
// defaults).
func RunQueue(t *testing.T, cfg Config, newQueue QueueFactory) {
	t.Helper()
	cfg = cfg.withDefaults()
	for _, c := range queueCases(cfg) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			q, ins := newQueue(t, c.opts...)
			if q == nil || ins == nil {
				t.Fatal("the factory returned a nil Queue or Inspector")
			}
			c.run(t, subject{Queue: q, Inspector: ins})
		})
	}
}

// RunCheckpoint runs the Checkpoint suite as parallel subtests of t, each on
// a fresh Checkpoint from newCheckpoint. The suite needs no sizing; cfg
// bounds its waits (Config.Wait) and is there so that every suite is called
// the same way.
func RunCheckpoint(t *testing.T, cfg Config, newCheckpoint CheckpointFactory) {
	t.Helper()
	cfg = cfg.withDefaults()
	for _, c := range checkpointCases(cfg) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newCheckpoint(t))
		})
	}
}

// subject is the queue under test with its Inspector.
type subject struct {
	idempotency.Queue
	idempotency.Inspector
}

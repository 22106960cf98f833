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
// Queue the factory returned. It registers its own cleanup with t.Cleanup,
// typically closing the queue (the Close case closes it first, which Close
// being idempotent allows), and fails t on error.
type QueueFactory func(t *testing.T, opts ...idempotency.Option) idempotency.Queue

// Config sizes the suite.
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

// DefaultConfig returns the sizes documented on Config, with Messages at 500
// when testing.Short() reports true.
func DefaultConfig() Config {
	c := Config{Racers: 50, Messages: 10000, Consumers: 8, Lease: 200 * time.Millisecond,
		Wait: 5 * time.Second, BulkWait: 2 * time.Minute}
	if testing.Short() {
		c.Messages = 500
	}
	return c
}

// withDefaults fills zero fields from DefaultConfig so that a partial
// Config works.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Racers <= 0 {
		c.Racers = d.Racers
	}
	if c.Messages <= 0 {
		c.Messages = d.Messages
	}
	if c.Consumers <= 0 {
		c.Consumers = d.Consumers
	}
	if c.Lease <= 0 {
		c.Lease = d.Lease
	}
	if c.Wait <= 0 {
		c.Wait = d.Wait
	}
	if c.BulkWait <= 0 {
		c.BulkWait = d.BulkWait
	}
	return c
}

// TestStore runs the Store suite with DefaultConfig.
func TestStore(t *testing.T, newStore StoreFactory) {
	t.Helper()
	RunStore(t, DefaultConfig(), newStore)
}

// TestQueue runs the Queue suite with DefaultConfig.
func TestQueue(t *testing.T, newQueue QueueFactory) {
	t.Helper()
	RunQueue(t, DefaultConfig(), newQueue)
}

// RunStore runs the Store suite as parallel subtests of t, sized by cfg
// (zero fields take their defaults).
func RunStore(t *testing.T, cfg Config, newStore StoreFactory) {
	t.Helper()
	cfg = cfg.withDefaults()
	for _, c := range storeCases(cfg) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
}

// RunQueue runs the Queue suite as parallel subtests of t, sized by cfg
// (zero fields take their defaults).
func RunQueue(t *testing.T, cfg Config, newQueue QueueFactory) {
	t.Helper()
	cfg = cfg.withDefaults()
	for _, c := range queueCases(cfg) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newQueue(t, c.opts...))
		})
	}
}

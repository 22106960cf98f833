package idempotency

import (
	"log/slog"
	"time"
)

// Defaults used by NewConfig, and so by every implementation that takes
// Options.
const (
	// DefaultLease is the lease of a Store claim or a Queue delivery when the
	// call passes a lease <= 0: 30 seconds.
	DefaultLease = 30 * time.Second

	// DefaultRetention is how long Store.Complete keeps a key done when the
	// call passes a retention <= 0: 7 days, well past BigCommerce's
	// redelivery window of about 48 hours.
	DefaultRetention = 7 * 24 * time.Hour

	// DefaultDedupWindow is how long a Queue remembers an enqueued key: 24
	// hours, which covers all but the last two steps of BigCommerce's
	// redelivery schedule (about 48 hours in all). The Store, which keeps
	// done keys for 7 days, is the gate that makes work happen once; the
	// dedup window only keeps repeated deliveries from filling the queue.
	DefaultDedupWindow = 24 * time.Hour

	// DefaultCapacity bounds the messages a MemoryQueue holds (ready,
	// delayed, in flight and dead together): 10,000.
	DefaultCapacity = 10000
)

// Config holds the settings shared by Store and Queue implementations. Build
// it with NewConfig so that unset fields get their defaults; fields that do
// not apply to an implementation are ignored.
type Config struct {
	// Lease is the default lease (DefaultLease unless set).
	Lease time.Duration
	// Retention is the default retention of a done key (DefaultRetention
	// unless set).
	Retention time.Duration
	// DedupWindow is how long a Queue remembers keys; 0 turns
	// deduplication off (DefaultDedupWindow unless set).
	DedupWindow time.Duration
	// Capacity bounds the messages a Queue holds (DefaultCapacity unless
	// set).
	Capacity int
	// Logger receives reports of background work (never message bodies);
	// unless set, a logger that discards.
	Logger *slog.Logger
}

// Option changes one setting of a Config.
type Option func(*Config)

// NewConfig returns the defaults with opts applied in order; nil options are
// skipped.
func NewConfig(opts ...Option) Config {
	c := Config{
		Lease:       DefaultLease,
		Retention:   DefaultRetention,
		DedupWindow: DefaultDedupWindow,
		Capacity:    DefaultCapacity,
		Logger:      slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// WithLease sets the default lease; d <= 0 keeps DefaultLease (30 s).
func WithLease(d time.Duration) Option {
	return func(c *Config) {
		if d > 0 {
			c.Lease = d
		}
	}
}

// WithRetention sets the default retention of done keys; d <= 0 keeps
// DefaultRetention (7 days).
func WithRetention(d time.Duration) Option {
	return func(c *Config) {
		if d > 0 {
			c.Retention = d
		}
	}
}

// WithDedupWindow sets how long a Queue remembers enqueued keys; d <= 0 turns
// deduplication off, so every Enqueue queues a message.
func WithDedupWindow(d time.Duration) Option {
	return func(c *Config) { c.DedupWindow = max(d, 0) }
}

// WithCapacity bounds the messages a Queue holds; n <= 0 keeps
// DefaultCapacity (10,000).
func WithCapacity(n int) Option {
	return func(c *Config) {
		if n > 0 {
			c.Capacity = n
		}
	}
}

// WithLogger sets the logger; nil keeps the logger that discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *Config) {
		if l != nil {
			c.Logger = l
		}
	}
}

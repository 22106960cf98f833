package idemredis

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// Defaults of the options of this package. The shared settings (lease,
// retention, dedup window, capacity, logger) default as idempotency.NewConfig
// says.
const (
	// DefaultPrefix starts every key: "bc2sf".
	DefaultPrefix = "bc2sf"
	// DefaultGroup is the consumer group of a Queue's streams: "bc2sf".
	DefaultGroup = "bc2sf"
	// DefaultBlockTimeout is the longest single wait of a Dequeue on the
	// server (XREAD BLOCK): 2 seconds. Dequeue waits again after each one
	// until its context ends, so this bounds how long a connection stays
	// busy after the caller gave up, not how long Dequeue waits.
	DefaultBlockTimeout = 2 * time.Second
)

// Option configures a Queue or a Store. Options that do not apply to one of
// them are ignored by it.
type Option func(*options)

type options struct {
	prefix   string
	group    string
	consumer string
	block    time.Duration
	common   []idempotency.Option
	err      error
}

// WithPrefix sets the prefix of every key (DefaultPrefix, "bc2sf", unless
// set). Queues or stores with different prefixes on one Redis never see each
// other's data. The prefix must be 1 to 64 bytes without '{', '}' or
// whitespace, since it becomes a Redis Cluster hash tag; anything else makes
// the constructor fail with idempotency.ErrInvalidArgument.
func WithPrefix(prefix string) Option {
	return func(o *options) {
		if prefix == "" || len(prefix) > 64 || strings.ContainsAny(prefix, "{} \t\r\n") {
			o.err = errors.Join(o.err, fmt.Errorf("%w: prefix %q must be 1 to 64 bytes without braces or whitespace",
				idempotency.ErrInvalidArgument, prefix))
			return
		}
		o.prefix = prefix
	}
}

// WithGroup sets the Queue's consumer group name (DefaultGroup, "bc2sf",
// unless set). All workers of one queue share a group; an empty name makes
// NewQueue fail with idempotency.ErrInvalidArgument.
func WithGroup(name string) Option {
	return func(o *options) {
		if name == "" {
			o.err = errors.Join(o.err, fmt.Errorf("%w: empty group name", idempotency.ErrInvalidArgument))
			return
		}
		o.group = name
	}
}

// WithConsumer sets the Queue's consumer name in its group. The default is
// "<hostname>-<pid>-<8 random hex digits>", unique per Queue. Names only
// label deliveries in XPENDING and XINFO: leases, not names, decide who may
// finish a delivery. An empty name makes NewQueue fail with
// idempotency.ErrInvalidArgument.
func WithConsumer(name string) Option {
	return func(o *options) {
		if name == "" {
			o.err = errors.Join(o.err, fmt.Errorf("%w: empty consumer name", idempotency.ErrInvalidArgument))
			return
		}
		o.consumer = name
	}
}

// WithBlockTimeout sets the longest single server-side wait of a Dequeue
// (DefaultBlockTimeout, 2 s, unless set; d <= 0 keeps it; values under 10 ms
// become 10 ms).
func WithBlockTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.block = max(d, 10*time.Millisecond)
		}
	}
}

// WithOptions applies the shared settings of package idempotency:
// idempotency.WithLease, WithRetention, WithDedupWindow, WithCapacity and
// WithLogger. Every deadline is kept in the server's time (TIME), so that
// clients whose clocks differ agree.
func WithOptions(opts ...idempotency.Option) Option {
	return func(o *options) { o.common = append(o.common, opts...) }
}

func buildOptions(opts []Option) (options, idempotency.Config, error) {
	o := options{prefix: DefaultPrefix, group: DefaultGroup, block: DefaultBlockTimeout}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.err != nil {
		return o, idempotency.Config{}, fmt.Errorf("idemredis: %w", o.err)
	}
	if o.consumer == "" {
		o.consumer = defaultConsumer()
	}
	return o, idempotency.NewConfig(o.common...), nil
}

// defaultConsumer names the consumer after the host and process, so that
// XINFO CONSUMERS shows where a delivery went, plus random digits so that two
// Queues in one process differ.
func defaultConsumer() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + randomHex(4)
}

// randomHex returns n random bytes in hex. crypto/rand.Read does not fail on
// the platforms Go supports (it panics internally if it ever could not
// read), so there is no error to handle.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

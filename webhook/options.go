package webhook

import (
	"fmt"
	"io"
	"log/slog"
	"time"
)

// DefaultMaxBodyBytes is the largest body, 1 MiB, that the middleware and the
// handler read when WithMaxBodyBytes is not given. BigCommerce envelopes are a
// few hundred bytes, so the limit only guards against abuse.
const DefaultMaxBodyBytes int64 = 1 << 20

// DefaultTolerance is how far, 5 minutes, a Standard Webhooks timestamp may
// lie from the receiver's clock in either direction when WithTolerance is not
// given. It matches the reference Standard Webhooks libraries.
const DefaultTolerance = 5 * time.Minute

// config collects what the options set; NewVerifier and NewHandler each read
// the part that concerns them.
type config struct {
	now       func() time.Time
	logger    *slog.Logger
	maxBody   int64
	tolerance time.Duration
	accept    func(scope string) bool
	set       optionSet
}

type optionSet uint8

const (
	setClock optionSet = 1 << iota
	setTolerance
	setScopes
)

func defaultConfig() config {
	return config{
		now:       time.Now,
		logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		maxBody:   DefaultMaxBodyBytes,
		tolerance: DefaultTolerance,
		accept:    IsOrderScope,
	}
}

func applyOptions(opts []Option) (config, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt == nil {
			return cfg, fmt.Errorf("%w: nil Option", ErrInvalidConfig)
		}
		if err := opt(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// Option configures NewVerifier, NewMiddleware or NewHandler. WithLogger and
// WithMaxBodyBytes apply to all three; WithClock and WithTolerance only to the
// verifier (NewHandler rejects them, so a misplaced option is not silently
// ignored); WithScopeFilter only to the handler (the verifier rejects it).
type Option func(*config) error

// WithClock sets the clock used to check Standard Webhooks timestamps. The
// default is time.Now. A nil clock is an error. Tests use it to pin "now".
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return fmt.Errorf("%w: WithClock(nil)", ErrInvalidConfig)
		}
		c.now = now
		c.set |= setClock
		return nil
	}
}

// WithLogger sets the logger that records rejected deliveries (at Warn) and
// sink failures (at Error). The default discards everything; a nil logger
// also means discard. Log records carry the reason and the remote address,
// never a secret, a signature or a header value.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithMaxBodyBytes sets the largest body accepted, in bytes; one byte more is
// answered with 413. The default is DefaultMaxBodyBytes (1 MiB). Zero or a
// negative size is an error.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("%w: WithMaxBodyBytes(%d): must be positive", ErrInvalidConfig, n)
		}
		c.maxBody = n
		return nil
	}
}

// WithTolerance sets how far a Standard Webhooks timestamp may lie from the
// clock, in both directions; a timestamp exactly at the edge is accepted. The
// default is DefaultTolerance (5 minutes). Zero or a negative duration is an
// error; to skip the check, do not configure Standard Webhooks.
func WithTolerance(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: WithTolerance(%v): must be positive", ErrInvalidConfig, d)
		}
		c.tolerance = d
		c.set |= setTolerance
		return nil
	}
}

// WithScopeFilter sets which scopes the handler hands to its sink; the rest
// are answered 200 and dropped. The default is IsOrderScope. A nil filter is
// an error.
func WithScopeFilter(accept func(scope string) bool) Option {
	return func(c *config) error {
		if accept == nil {
			return fmt.Errorf("%w: WithScopeFilter(nil)", ErrInvalidConfig)
		}
		c.accept = accept
		c.set |= setScopes
		return nil
	}
}

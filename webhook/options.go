package webhook

import (
	"fmt"
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

// VerifierOption configures NewVerifier. WithTolerance is one; every Option
// (WithLogger, WithMaxBodyBytes) is one too. A HandlerOption is not, so
// passing WithScopeFilter to NewVerifier does not compile.
type VerifierOption interface {
	applyVerifier(*verifierConfig) error
}

// HandlerOption configures NewHandler. WithScopeFilter is one; every
// Option (WithLogger, WithMaxBodyBytes) is one too. A VerifierOption is not,
// so passing WithTolerance to NewHandler does not compile.
type HandlerOption interface {
	applyHandler(*handlerConfig) error
}

// Option configures both NewVerifier and NewHandler: it is a VerifierOption
// and a HandlerOption. WithLogger and WithMaxBodyBytes return one.
type Option interface {
	VerifierOption
	HandlerOption
}

// shared is what an Option sets in either constructor.
type shared struct {
	logger  *slog.Logger
	maxBody int64
}

func defaultShared() shared {
	return shared{logger: slog.New(slog.DiscardHandler), maxBody: DefaultMaxBodyBytes}
}

type verifierConfig struct {
	shared
	tolerance time.Duration
}

type handlerConfig struct {
	shared
	accept func(scope string) bool
}

// sharedOption is an Option: one function applied to the shared part of
// either configuration.
type sharedOption func(*shared) error

func (o sharedOption) applyVerifier(c *verifierConfig) error { return o(&c.shared) }
func (o sharedOption) applyHandler(c *handlerConfig) error   { return o(&c.shared) }

type verifierOption func(*verifierConfig) error

func (o verifierOption) applyVerifier(c *verifierConfig) error { return o(c) }

type handlerOption func(*handlerConfig) error

func (o handlerOption) applyHandler(c *handlerConfig) error { return o(c) }

// WithLogger sets the logger that records rejected deliveries (at Warn) and
// sink failures (at Error). The default discards everything; a nil logger
// also means discard. Log records carry the reason and the remote address,
// never a secret, a signature or a header value.
func WithLogger(l *slog.Logger) Option {
	return sharedOption(func(c *shared) error {
		if l != nil {
			c.logger = l
		}
		return nil
	})
}

// WithMaxBodyBytes sets the largest body accepted, in bytes; one byte more is
// answered with 413. The default is DefaultMaxBodyBytes (1 MiB). Zero or a
// negative size is an error.
func WithMaxBodyBytes(n int64) Option {
	return sharedOption(func(c *shared) error {
		if n <= 0 {
			return fmt.Errorf("%w: WithMaxBodyBytes(%d): must be positive", ErrInvalidConfig, n)
		}
		c.maxBody = n
		return nil
	})
}

// WithTolerance sets how far a Standard Webhooks timestamp may lie from the
// clock (time.Now), in both directions; a timestamp exactly at the edge is
// accepted. The default is DefaultTolerance (5 minutes). Zero or a negative
// duration is an error; to skip the check, do not configure Standard
// Webhooks.
func WithTolerance(d time.Duration) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: WithTolerance(%v): must be positive", ErrInvalidConfig, d)
		}
		c.tolerance = d
		return nil
	})
}

// WithScopeFilter sets which scopes the handler hands to its sink; the rest
// are answered 200 and dropped. The default is IsOrderScope. A nil filter is
// an error.
func WithScopeFilter(accept func(scope string) bool) HandlerOption {
	return handlerOption(func(c *handlerConfig) error {
		if accept == nil {
			return fmt.Errorf("%w: WithScopeFilter(nil)", ErrInvalidConfig)
		}
		c.accept = accept
		return nil
	})
}

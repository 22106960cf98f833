package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// RetryPolicy bounds how the client retries a failed call. The zero value of
// each field means its default (see DefaultRetryPolicy).
type RetryPolicy struct {
	// MaxAttempts is the number of tries including the first (default 5);
	// 1 turns retries off.
	MaxAttempts int
	// InitialBackoff is the first wait after a 5xx or network failure
	// (default 500 ms). Later waits grow by 2x with ±50% jitter.
	InitialBackoff time.Duration
	// MaxBackoff caps one such wait (default 30 s); it also caps the growing
	// wait after a 429 that came without rate-limit headers.
	MaxBackoff time.Duration
	// MaxElapsed is the total time budget of one call, from its first
	// attempt (default 2 min): a wait that would end past it is not started
	// and the last error is returned instead.
	MaxElapsed time.Duration
	// RateLimitBackoff is the first wait after a 429 without
	// X-Rate-Limit-Time-Reset-Ms or X-Retry-After (default 1 s); it doubles
	// on each further such 429, up to MaxBackoff.
	RateLimitBackoff time.Duration
	// CheckRetry decides whether a failed attempt is tried again (default
	// DefaultCheckRetry). It is not consulted once MaxAttempts is reached.
	CheckRetry func(method string, err error) bool
}

// DefaultRetryPolicy returns the policy used when WithRetry is not given:
// 5 attempts, 500 ms initial and 30 s maximum backoff, 2 min in total, 1 s
// after a bare 429, DefaultCheckRetry.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{}.withDefaults()
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 5
	}
	if p.InitialBackoff == 0 {
		p.InitialBackoff = 500 * time.Millisecond
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = 30 * time.Second
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = 2 * time.Minute
	}
	if p.RateLimitBackoff == 0 {
		p.RateLimitBackoff = time.Second
	}
	if p.CheckRetry == nil {
		p.CheckRetry = DefaultCheckRetry
	}
	return p
}

// DefaultCheckRetry retries a 429 for every method, and a 5xx or network
// failure only for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE): a
// POST that failed that way may have taken effect, so it is not repeated.
// Other 4xx, decode failures and the caller's own context ending are never
// retried.
func DefaultCheckRetry(method string, err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, ErrRateLimited) {
		return true
	}
	return errors.Is(err, ErrUnavailable) && idempotent(method)
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// do runs one API call with rate-limit pacing and retries. It returns the
// first success, or the last error once the policy, the attempt budget, the
// time budget or the context says stop.
func (c *Client) do(ctx context.Context, r *apiRequest) (*apiResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := c.clock.Now()
	bo := c.newBackOff()
	var bareLimitWait time.Duration
	for attempt := 1; ; attempt++ {
		if err := c.waitForQuota(ctx, r.method, r.path); err != nil {
			return nil, err
		}
		resp, err := c.send(ctx, r)
		if err == nil {
			return resp, nil
		}
		if attempt >= c.retry.MaxAttempts || !c.retry.CheckRetry(r.method, err) {
			return nil, err
		}
		delay := c.retryDelay(err, bo, &bareLimitWait)
		if c.clock.Now().Sub(start)+delay > c.retry.MaxElapsed || deadlineWithin(ctx, delay) {
			// Sleeping into a deadline helps nobody: hand the error (and its
			// RetryAfter) to the caller now.
			return nil, err
		}
		c.logger.InfoContext(ctx, "bigcommerce: retrying", "method", r.method, "path", r.path,
			"attempt", attempt, "wait", delay, "error", err.Error())
		if serr := c.clock.Sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%w (gave up waiting to retry: %w)", err, serr)
		}
	}
}

// retryDelay is the wait before the next attempt. A 429 waits what the
// headers say (the longer of the reset and X-Retry-After) or, without them,
// a growing default; everything else backs off exponentially with jitter,
// or longer when the server sent X-Retry-After.
func (c *Client) retryDelay(err error, bo backoff.BackOff, bareLimitWait *time.Duration) time.Duration {
	var apiErr *APIError
	isAPI := errors.As(err, &apiErr)
	if isAPI && apiErr.Status == http.StatusTooManyRequests {
		d := apiErr.RetryAfter
		if d <= 0 {
			if *bareLimitWait == 0 {
				*bareLimitWait = c.retry.RateLimitBackoff
			} else {
				*bareLimitWait = min(2**bareLimitWait, c.retry.MaxBackoff)
			}
			d = *bareLimitWait
		}
		// Other goroutines must not spend the same window either.
		c.limiter.block(c.clock.Now().Add(d))
		return d
	}
	d := min(bo.NextBackOff(), c.retry.MaxBackoff)
	if isAPI && apiErr.RetryAfter > d {
		d = apiErr.RetryAfter
	}
	return d
}

func (c *Client) newBackOff() backoff.BackOff {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     c.retry.InitialBackoff,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         c.retry.MaxBackoff,
		MaxElapsedTime:      0, // the loop in do enforces MaxElapsed on the injected clock
		Stop:                backoff.Stop,
		Clock:               c.clock,
	}
	b.Reset()
	return b
}

package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// RetryPolicy bounds how the client repeats a failed call. It has the same
// fields, with the same meaning, as salesforce.RetryPolicy; only the
// defaults differ. The zero value of each field means its default (see
// DefaultRetryPolicy).
type RetryPolicy struct {
	// MaxAttempts is the number of tries including the first (default 5);
	// 1 turns retries off.
	MaxAttempts int
	// InitialBackoff is the first computed wait (default 500 ms); each later
	// one doubles, with ±50% jitter. A 429 that names no wait (platform-wide
	// load rather than the store's quota) waits twice as long: 1 s by
	// default, doubling without jitter.
	InitialBackoff time.Duration
	// MaxBackoff caps one computed wait (default 30 s, or InitialBackoff when
	// that is longer). A wait the server asks for (X-Rate-Limit-Time-Reset-Ms,
	// X-Retry-After) is not cut to it; it must fit MaxElapsed instead.
	MaxBackoff time.Duration
	// MaxElapsed is the time budget of one call, from its first attempt
	// (default 2 min): a wait that would end past it, or past the context's
	// deadline, is not started, and the last error is returned at once with
	// the wait the server asked for (see RetryAfter), so that a caller can
	// requeue instead of sleeping.
	MaxElapsed time.Duration
	// CheckRetry decides whether a failed attempt is tried again (default
	// DefaultCheckRetry). It is not consulted once MaxAttempts is reached.
	// When it returns an error, the call ends with that error instead of the
	// attempt's.
	CheckRetry func(ctx context.Context, a Attempt, err error) (bool, error)
}

// Attempt describes the failed attempt that RetryPolicy.CheckRetry is asked
// about.
type Attempt struct {
	// Method is the HTTP method, e.g. "GET".
	Method string
	// Path is the request path below the store, without the query string,
	// e.g. "/v2/orders/218".
	Path string
	// Idempotent reports whether sending the request twice has the effect of
	// sending it once (GET, HEAD, OPTIONS, PUT, DELETE), so that repeating it
	// after a lost answer cannot apply it twice.
	Idempotent bool
	// Number counts the attempts made so far: 1 after the first.
	Number int
}

// DefaultRetryPolicy returns the policy used when WithRetry is not given:
// 5 attempts, backoff from 500 ms (1 s after a 429 that names no wait) up to
// 30 s per wait, 2 min in total, DefaultCheckRetry.
func DefaultRetryPolicy() RetryPolicy {
	p, _ := RetryPolicy{}.normalize()
	return p
}

// normalize fills the defaults of zero fields and checks the rest.
func (p RetryPolicy) normalize() (RetryPolicy, error) {
	if p.MaxAttempts < 0 || p.InitialBackoff < 0 || p.MaxBackoff < 0 || p.MaxElapsed < 0 {
		return p, errors.New("bigcommerce: retry policy values must not be negative")
	}
	explicitMax := p.MaxBackoff != 0
	setDefault(&p.MaxAttempts, 5)
	setDefault(&p.InitialBackoff, 500*time.Millisecond)
	setDefault(&p.MaxBackoff, max(30*time.Second, p.InitialBackoff))
	setDefault(&p.MaxElapsed, 2*time.Minute)
	if explicitMax && p.MaxBackoff < p.InitialBackoff {
		return p, fmt.Errorf("bigcommerce: retry MaxBackoff %v is below InitialBackoff %v", p.MaxBackoff, p.InitialBackoff)
	}
	if p.CheckRetry == nil {
		p.CheckRetry = DefaultCheckRetry
	}
	return p, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// DefaultCheckRetry retries a 429 for every method, and a 5xx or network
// failure only for an idempotent request: a POST that failed that way may
// have taken effect, so it is not repeated. Other 4xx, decode failures and
// the end of ctx are never retried. It never returns an error.
func DefaultCheckRetry(ctx context.Context, a Attempt, err error) (bool, error) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false, nil
	}
	if errors.Is(err, ErrRateLimited) {
		return true, nil
	}
	return errors.Is(err, ErrUnavailable) && a.Idempotent, nil
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
	start := time.Now()
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
		if attempt >= c.retry.MaxAttempts {
			return nil, err
		}
		again, cerr := c.retry.CheckRetry(ctx, Attempt{Method: r.method, Path: r.path, Idempotent: idempotent(r.method), Number: attempt}, err)
		if cerr != nil {
			return nil, cerr
		}
		if !again {
			return nil, err
		}
		delay := c.retryDelay(err, bo, &bareLimitWait)
		if time.Since(start)+delay > c.retry.MaxElapsed || deadlineWithin(ctx, delay) {
			// Sleeping into a deadline helps nobody: hand the error (and its
			// RetryAfter) to the caller now.
			return nil, err
		}
		c.logger.InfoContext(ctx, "bigcommerce: retrying", "method", r.method, "path", r.path,
			"attempt", attempt, "wait", delay, "error", err.Error())
		if serr := sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%w (gave up waiting to retry: %w)", err, serr)
		}
	}
}

// retryDelay is the wait before the next attempt. A 429 waits what the
// headers say (the longer of the reset and X-Retry-After) or, without them,
// twice the backoff, growing; everything else backs off exponentially with
// jitter, or longer when the server sent X-Retry-After.
func (c *Client) retryDelay(err error, bo backoff.BackOff, bareLimitWait *time.Duration) time.Duration {
	var apiErr *APIError
	isAPI := errors.As(err, &apiErr)
	if isAPI && apiErr.Status == http.StatusTooManyRequests {
		d := apiErr.RetryAfter
		if d <= 0 {
			if *bareLimitWait == 0 {
				*bareLimitWait = min(2*c.retry.InitialBackoff, c.retry.MaxBackoff)
			} else {
				*bareLimitWait = min(2**bareLimitWait, c.retry.MaxBackoff)
			}
			d = *bareLimitWait
		}
		// Other goroutines must not spend the same window either.
		c.limiter.block(time.Now().Add(d))
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
		MaxElapsedTime:      0, // the loop in do enforces MaxElapsed
		Stop:                backoff.Stop,
		Clock:               backoff.SystemClock,
	}
	b.Reset()
	return b
}

// sleep waits for d, or returns ctx's error as soon as ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

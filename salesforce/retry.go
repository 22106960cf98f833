package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// DailyLimitRetryAfter is what RetryAfter reports for the org's daily request
// limit (REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded"): 1 hour. The
// limit is a rolling 24-hour window, so retrying sooner only wastes calls.
const DailyLimitRetryAfter = time.Hour

// RetryPolicy bounds how the client repeats a failed call. It has the same
// fields, with the same meaning, as bigcommerce.RetryPolicy; only the
// defaults differ. The zero value of each field means its default (see
// DefaultRetryPolicy).
type RetryPolicy struct {
	// MaxAttempts is the number of tries including the first (default 4,
	// that is 3 retries); 1 turns retries off.
	MaxAttempts int
	// InitialBackoff is the first computed wait (default 500 ms); each later
	// one doubles, with ±50% jitter.
	InitialBackoff time.Duration
	// MaxBackoff caps one computed wait (default 10 s, or InitialBackoff when
	// that is longer). A wait the server asks for (Retry-After) is not cut to
	// it; it must fit MaxElapsed instead.
	MaxBackoff time.Duration
	// MaxElapsed is the time budget of one call, from its first attempt
	// (default 1 min): a wait that would end past it, or past the context's
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
	// Method is the HTTP method, e.g. "PATCH".
	Method string
	// Path is the request path below the instance URL, without the query
	// string, e.g. "/services/data/v64.0/composite/graph".
	Path string
	// Idempotent reports whether sending the request twice has the effect of
	// sending it once, so that repeating it after a lost answer cannot apply
	// it twice: GET, PATCH (update, upsert by external ID), DELETE, and a
	// Composite or Composite Graph call without POST subrequests.
	Idempotent bool
	// Number counts the attempts made so far: 1 after the first.
	Number int
}

// DefaultRetryPolicy returns the policy used when WithRetry is not given:
// 4 attempts, backoff from 500 ms up to 10 s per wait, 1 min in total,
// DefaultCheckRetry.
func DefaultRetryPolicy() RetryPolicy {
	p, _ := RetryPolicy{}.normalize()
	return p
}

// normalize fills the defaults of zero fields and checks the rest.
func (p RetryPolicy) normalize() (RetryPolicy, error) {
	if p.MaxAttempts < 0 || p.InitialBackoff < 0 || p.MaxBackoff < 0 || p.MaxElapsed < 0 {
		return p, errors.New("salesforce: retry policy values must not be negative")
	}
	explicitMax := p.MaxBackoff != 0
	setDefault(&p.MaxAttempts, 4)
	setDefault(&p.InitialBackoff, 500*time.Millisecond)
	setDefault(&p.MaxBackoff, max(10*time.Second, p.InitialBackoff))
	setDefault(&p.MaxElapsed, time.Minute)
	if explicitMax && p.MaxBackoff < p.InitialBackoff {
		return p, fmt.Errorf("salesforce: retry MaxBackoff %v is below InitialBackoff %v", p.MaxBackoff, p.InitialBackoff)
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

// DefaultCheckRetry retries what Retryable calls retryable, except that a
// network failure is retried only for an idempotent request: a POST that
// failed in transit may have been applied. Nothing is retried once ctx has
// ended. It never returns an error.
func DefaultCheckRetry(ctx context.Context, a Attempt, err error) (bool, error) {
	if ctx.Err() != nil || !Retryable(err) {
		return false, nil
	}
	var apiErr *APIError
	var authErr *AuthError
	if errors.As(err, &apiErr) || errors.As(err, &authErr) {
		return true, nil
	}
	return a.Idempotent, nil
}

func (p RetryPolicy) newBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(p.InitialBackoff),
		backoff.WithMaxInterval(p.MaxBackoff),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMultiplier(2),
		backoff.WithMaxElapsedTime(0),
	)
	return b
}

// Retryable reports whether repeating the same call may succeed:
//   - 503 (SERVER_UNAVAILABLE or a CDN page), UNABLE_TO_LOCK_ROW;
//   - network errors and timeouts of a single attempt;
//   - 429 carrying Retry-After;
//   - 500, 502 and 504 only for idempotent calls (GET, PATCH, DELETE, and
//     composite or graph calls without POST subrequests);
//   - REQUEST_LIMIT_EXCEEDED for the concurrent-request limit;
//   - token endpoint errors that are 5xx or temporarily_unavailable.
//
// It is false for 4xx data errors, 300, 404, a 401 that survived one
// re-authentication, ErrUsageCeiling, the daily request limit (see
// RetryAfter), and a cancelled or expired context.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.retryable()
	}
	var authErr *AuthError
	if errors.As(err, &authErr) {
		return authErr.retryable()
	}
	if errors.Is(err, ErrUsageCeiling) {
		return false
	}
	return isNetworkError(err)
}

func (e *APIError) retryable() bool {
	switch {
	case e.StatusCode == http.StatusServiceUnavailable, e.HasCode(CodeUnableToLockRow), e.HasCode(CodeServerUnavailable):
		return true
	case e.StatusCode == http.StatusTooManyRequests:
		return e.RetryAfter > 0
	case e.HasCode(CodeRequestLimitExceeded):
		return !e.dailyLimit()
	case e.StatusCode == http.StatusInternalServerError, e.StatusCode == http.StatusBadGateway, e.StatusCode == http.StatusGatewayTimeout:
		return e.idempotent
	}
	return false
}

// RetryAfter returns how long to wait before repeating the call, when the
// error says: the server's Retry-After, DailyLimitRetryAfter (1 hour) for
// the daily request limit, or the time until the usage ceiling is checked
// again. It returns false when the error names no delay; a Retryable error
// without one is best retried with exponential backoff.
func RetryAfter(err error) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.RetryAfter > 0:
			return apiErr.RetryAfter, true
		case apiErr.dailyLimit():
			return DailyLimitRetryAfter, true
		}
		return 0, false
	}
	var ceilErr *UsageCeilingError
	if errors.As(err, &ceilErr) {
		return ceilErr.RetryAfter, true
	}
	return 0, false
}

// isNetworkError reports transport failures of one attempt.
func isNetworkError(err error) bool {
	var netErr net.Error
	var urlErr *url.Error
	return errors.As(err, &netErr) || errors.As(err, &urlErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// retrying runs try until it succeeds or the client's RetryPolicy says
// stop: the attempt budget, CheckRetry, MaxElapsed, the context's deadline
// or its end.
func retrying[T any](ctx context.Context, c *Client, method, path string, idempotent bool, try func() (T, error)) (T, error) {
	var zero T
	start := time.Now()
	bo := c.retry.newBackOff()
	for attempt := 1; ; attempt++ {
		out, err := try()
		if err == nil {
			return out, nil
		}
		if attempt >= c.retry.MaxAttempts {
			return zero, err
		}
		again, cerr := c.retry.CheckRetry(ctx, Attempt{Method: method, Path: path, Idempotent: idempotent, Number: attempt}, err)
		if cerr != nil {
			return zero, cerr
		}
		if !again {
			return zero, err
		}
		wait := nextWait(bo, err, c.retry.MaxBackoff)
		if time.Since(start)+wait > c.retry.MaxElapsed || deadlineWithin(ctx, wait) {
			// Sleeping into a deadline helps nobody: hand the error (and its
			// RetryAfter) to the caller now.
			return zero, err
		}
		c.log.DebugContext(ctx, "salesforce: retrying", "method", method, "path", path, "attempt", attempt, "wait", wait, "error", err)
		if serr := sleep(ctx, wait); serr != nil {
			return zero, fmt.Errorf("salesforce: gave up retrying: %w (last error: %w)", serr, err)
		}
	}
}

// nextWait returns the next backoff wait, capped at maxBackoff and
// lengthened to the server's Retry-After.
func nextWait(b backoff.BackOff, err error, maxBackoff time.Duration) time.Duration {
	d := min(b.NextBackOff(), maxBackoff)
	if ra, ok := RetryAfter(err); ok {
		d = max(d, ra)
	}
	return d
}

// deadlineWithin reports whether ctx has a deadline less than d away.
func deadlineWithin(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

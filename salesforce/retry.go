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

// RetryPolicy bounds the client's own retries of retryable errors (see
// Retryable). Waits grow exponentially from InitialInterval to MaxInterval
// with ±50% jitter; a server's Retry-After is honoured up to MaxRetryAfter.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt; 0 turns
	// retries off. Default 3.
	MaxRetries int
	// InitialInterval is the first wait. Default 500ms.
	InitialInterval time.Duration
	// MaxInterval caps one wait. Default 10s.
	MaxInterval time.Duration
	// MaxRetryAfter is the longest Retry-After the client sleeps itself; a
	// longer one is returned to the caller. Default 30s.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns 3 retries, waits from 500ms to 10s, and
// Retry-After honoured up to 30s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, InitialInterval: 500 * time.Millisecond, MaxInterval: 10 * time.Second, MaxRetryAfter: 30 * time.Second}
}

func (p RetryPolicy) normalize() (RetryPolicy, error) {
	if p.MaxRetries < 0 || p.MaxRetries > 20 || p.InitialInterval < 0 || p.MaxInterval < 0 || p.MaxRetryAfter < 0 {
		return p, fmt.Errorf("salesforce: retry policy out of range (retries 0-20, durations >= 0): %+v", p)
	}
	d := DefaultRetryPolicy()
	if p.InitialInterval == 0 {
		p.InitialInterval = d.InitialInterval
	}
	if p.MaxInterval == 0 {
		p.MaxInterval = max(d.MaxInterval, p.InitialInterval)
	}
	if p.MaxInterval < p.InitialInterval {
		return p, fmt.Errorf("salesforce: retry MaxInterval %v is below InitialInterval %v", p.MaxInterval, p.InitialInterval)
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	return p, nil
}

func (p RetryPolicy) newBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(p.InitialInterval),
		backoff.WithMaxInterval(p.MaxInterval),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMultiplier(2),
		backoff.WithMaxElapsedTime(0),
	)
	return backoff.WithMaxRetries(b, uint64(p.MaxRetries))
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

// shouldRetry adds the idempotency rule for network errors: a POST that
// failed in transit may have been applied.
func shouldRetry(err error, idempotent bool) bool {
	if !Retryable(err) {
		return false
	}
	var apiErr *APIError
	var authErr *AuthError
	if errors.As(err, &apiErr) || errors.As(err, &authErr) {
		return true
	}
	return idempotent
}

// nextWait returns the next backoff wait, lengthened to the server's
// Retry-After, and false when the budget is spent or the server asks for
// more than maxRetryAfter.
func nextWait(b backoff.BackOff, err error, maxRetryAfter time.Duration) (time.Duration, bool) {
	d := b.NextBackOff()
	if d == backoff.Stop {
		return 0, false
	}
	if ra, ok := RetryAfter(err); ok {
		if ra > maxRetryAfter {
			return 0, false
		}
		d = max(d, ra)
	}
	return d, true
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

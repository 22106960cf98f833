package bigcommerce

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate-limit headers sent on every response (names are case-insensitive).
const (
	headerWindowMs   = "X-Rate-Limit-Time-Window-Ms"
	headerResetMs    = "X-Rate-Limit-Time-Reset-Ms"
	headerQuota      = "X-Rate-Limit-Requests-Quota"
	headerLeft       = "X-Rate-Limit-Requests-Left"
	headerRetryAfter = "X-Retry-After"
)

// RateLimit is the store's request quota as reported by the last response
// that carried the rate-limit headers. BigCommerce counts requests per store
// (shared by every app) in a window of usually 30 s: 150 requests on
// Standard and Plus plans, 450 on Pro.
type RateLimit struct {
	// Window is the length of the quota window (X-Rate-Limit-Time-Window-Ms).
	Window time.Duration
	// ResetIn is the time from ObservedAt until the quota refreshes
	// (X-Rate-Limit-Time-Reset-Ms).
	ResetIn time.Duration
	// Quota is the number of requests allowed per window
	// (X-Rate-Limit-Requests-Quota).
	Quota int
	// Remaining is the number of requests left in the window
	// (X-Rate-Limit-Requests-Left).
	Remaining int
	// ObservedAt is when the response was received; zero when no response
	// has carried the headers yet.
	ObservedAt time.Time
}

// ResetAt is when the quota refreshes: ObservedAt plus ResetIn. It is the
// zero time when nothing has been observed.
func (r RateLimit) ResetAt() time.Time {
	if r.ObservedAt.IsZero() {
		return time.Time{}
	}
	return r.ObservedAt.Add(r.ResetIn)
}

// parseRateLimit reads the rate-limit headers of a response. ok is false when
// the response carried neither the remaining count nor the reset time.
func parseRateLimit(h http.Header, now time.Time) (RateLimit, bool) {
	left, okLeft := headerInt(h, headerLeft)
	reset, okReset := headerInt(h, headerResetMs)
	if !okLeft && !okReset {
		return RateLimit{}, false
	}
	window, _ := headerInt(h, headerWindowMs)
	quota, _ := headerInt(h, headerQuota)
	if !okLeft {
		left = -1
	}
	return RateLimit{
		Window:     msDuration(window),
		ResetIn:    msDuration(reset),
		Quota:      int(quota),
		Remaining:  int(left),
		ObservedAt: now,
	}, true
}

func headerInt(h http.Header, name string) (int64, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// msDuration converts milliseconds to a duration, capped at one hour so a
// bogus header cannot stall the client for longer.
func msDuration(ms int64) time.Duration {
	return time.Duration(min(ms, int64(time.Hour/time.Millisecond))) * time.Millisecond
}

// limiter paces requests from the rate-limit headers: when the last response
// said no request is left in the window, callers wait for the reset instead of
// collecting a 429. It is shared by every goroutine using the client.
type limiter struct {
	mu      sync.Mutex
	last    RateLimit // as observed, for Client.RateLimit
	left    int       // requests left, counted down locally between responses; -1 unknown
	resetAt time.Time // when left becomes unknown again
	// blockedUntil is the end of the wait a 429 asked for, which holds
	// whatever the window says.
	blockedUntil time.Time
}

func newLimiter() *limiter { return &limiter{left: -1} }

// observe records the headers of a response.
func (l *limiter) observe(h http.Header, now time.Time) {
	rl, ok := parseRateLimit(h, now)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = rl
	l.left = rl.Remaining
	l.resetAt = rl.ResetAt()
}

// block records that nothing may be sent before until (after a 429). It
// leaves the window alone: a 429 without rate-limit headers says nothing
// about the store's quota, so the window's count resumes once until passes.
func (l *limiter) block(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.blockedUntil) {
		l.blockedUntil = until
	}
}

// snapshot returns the last observed rate limit.
func (l *limiter) snapshot() RateLimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// reserve takes one request from the window. It returns 0 when the request
// may go now, or how long to wait for the window to reset. Several callers may
// be told to wait at once; each then calls reserve again.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.blockedUntil.After(now) {
		return l.blockedUntil.Sub(now)
	}
	if l.left < 0 || !l.resetAt.After(now) {
		// Unknown, or the window has reset: let the request go and learn
		// the new state from its response.
		l.left = -1
		return 0
	}
	if l.left == 0 {
		return l.resetAt.Sub(now)
	}
	l.left--
	return 0
}

// waitForQuota blocks until a request may be sent. If the context ends before the
// window resets it returns at once with an ErrRateLimited error instead of
// sleeping into the deadline.
func (c *Client) waitForQuota(ctx context.Context, method, path string) error {
	for {
		d := c.limiter.reserve(time.Now())
		if d <= 0 {
			return nil
		}
		if deadlineWithin(ctx, d) {
			return &APIError{
				Status:     http.StatusTooManyRequests,
				Method:     method,
				Path:       path,
				Messages:   []string{"request quota used up; the context ends before it resets"},
				RetryAfter: d,
			}
		}
		c.logger.DebugContext(ctx, "bigcommerce: request quota used up, waiting for reset",
			"method", method, "path", path, "wait", d)
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// deadlineWithin reports whether ctx has a deadline less than d away.
func deadlineWithin(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

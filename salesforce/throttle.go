package salesforce

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// UsageCeilingError is returned, without calling Salesforce, while the org's
// last known API usage is at or past the configured ceiling.
type UsageCeilingError struct {
	// Usage is the last api-usage the client saw.
	Usage Usage
	// Ceiling is the configured fraction, e.g. 0.9.
	Ceiling float64
	// RetryAfter is when the client will next let a call through to read
	// the usage again.
	RetryAfter time.Duration
}

// Error says how far usage is and that Salesforce was not called.
func (e *UsageCeilingError) Error() string {
	return fmt.Sprintf("salesforce: API usage %d/%d is at or past the %.0f%% ceiling; Salesforce was not called (next check in %v)",
		e.Usage.Used, e.Usage.Max, e.Ceiling*100, e.RetryAfter.Round(time.Second))
}

// Is reports ErrUsageCeiling.
func (e *UsageCeilingError) Is(target error) bool { return target == ErrUsageCeiling }

// throttle spaces requests and enforces the usage ceiling.
type throttle struct {
	limiter *rate.Limiter
	ceiling float64
	recheck time.Duration

	mu   sync.Mutex
	info LimitInfo
	have bool
	seen time.Time // when info was read, or when a probe was let through
}

func newThrottle(cfg *config) *throttle {
	t := &throttle{ceiling: cfg.ceiling, recheck: cfg.recheck}
	if cfg.limit != rate.Inf {
		t.limiter = rate.NewLimiter(cfg.limit, cfg.burst)
	}
	return t
}

// admit fails fast past the ceiling, then waits for the rate limiter.
func (t *throttle) admit(ctx context.Context) error {
	if err := t.checkCeiling(); err != nil {
		return err
	}
	if t.limiter == nil {
		return nil
	}
	if err := t.limiter.Wait(ctx); err != nil {
		return fmt.Errorf("salesforce: rate limiter: %w", err)
	}
	return nil
}

// checkCeiling refuses while usage is high; once the reading is older than
// recheck it lets one call through (and restarts the clock) so the client
// notices when the rolling window has moved.
func (t *throttle) checkCeiling() error {
	if t.ceiling <= 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	u := t.info.APIUsage
	if !t.have || u.Max <= 0 || u.Fraction() < t.ceiling {
		return nil
	}
	age := time.Since(t.seen)
	if age >= t.recheck {
		t.seen = time.Now()
		return nil
	}
	return &UsageCeilingError{Usage: u, Ceiling: t.ceiling, RetryAfter: t.recheck - age}
}

// observe records a Sforce-Limit-Info header; malformed headers are ignored.
func (t *throttle) observe(header string) {
	if header == "" {
		return
	}
	info, err := ParseLimitInfo(header)
	if err != nil {
		return
	}
	t.mu.Lock()
	t.info, t.have, t.seen = info, true, time.Now()
	t.mu.Unlock()
}

func (t *throttle) last() (LimitInfo, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.info, t.have
}

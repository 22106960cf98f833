package bctest

import (
	"net/http"
	"strconv"
	"time"
)

// window is the store's fixed rate-limit window: it opens on the first
// request after the previous one closed and admits quota requests.
type window struct {
	start time.Time
	used  int
}

// limitState is what the rate-limit headers of one response report.
type limitState struct {
	left  int
	reset time.Duration
}

// Rate-limit response headers, as the real API names them.
const (
	HeaderWindowMs      = "X-Rate-Limit-Time-Window-Ms"
	HeaderResetMs       = "X-Rate-Limit-Time-Reset-Ms"
	HeaderRequestsQuota = "X-Rate-Limit-Requests-Quota"
	HeaderRequestsLeft  = "X-Rate-Limit-Requests-Left"
	HeaderRetryAfter    = "X-Retry-After"
)

// roll opens a new window when the current one has closed. ctl must be held.
func (s *Server) roll(now time.Time) {
	if s.limit.start.IsZero() || !now.Before(s.limit.start.Add(s.cfg.window)) {
		s.limit = window{start: now}
	}
}

// admit spends one request of the window, or reports that none is left.
func (s *Server) admit() (limitState, bool) {
	now := time.Now()
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.roll(now)
	ok := s.limit.used < s.cfg.quota
	if ok {
		s.limit.used++
	}
	return s.stateLocked(now), ok
}

// peekLimit reports the window without spending a request, for answers
// (such as 401) that do not count against the store's quota.
func (s *Server) peekLimit() limitState {
	now := time.Now()
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.roll(now)
	return s.stateLocked(now)
}

func (s *Server) stateLocked(now time.Time) limitState {
	return limitState{
		left:  s.cfg.quota - s.limit.used,
		reset: s.limit.start.Add(s.cfg.window).Sub(now),
	}
}

// RequestsLeft reports how many requests the current rate-limit window
// still admits (the quota when a new window would open now).
func (s *Server) RequestsLeft() int { return s.peekLimit().left }

// ResetRateLimit closes the current window, so the next request opens a
// fresh one with the full quota.
func (s *Server) ResetRateLimit() {
	s.ctl.Lock()
	s.limit = window{}
	s.ctl.Unlock()
}

func (s *Server) writeRateHeaders(w http.ResponseWriter, st limitState) {
	h := w.Header()
	h.Set(HeaderWindowMs, strconv.FormatInt(s.cfg.window.Milliseconds(), 10))
	h.Set(HeaderResetMs, strconv.FormatInt(max(st.reset.Milliseconds(), 0), 10))
	h.Set(HeaderRequestsQuota, strconv.Itoa(s.cfg.quota))
	h.Set(HeaderRequestsLeft, strconv.Itoa(st.left))
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1, the unit
// of X-Retry-After.
func retryAfterSeconds(d time.Duration) string {
	secs := (d + time.Second - 1) / time.Second
	return strconv.FormatInt(max(int64(secs), 1), 10)
}

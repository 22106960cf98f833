package bctest

import (
	"fmt"
	"net/http"
	"time"
)

// Fault says how the fake answers a call instead of serving it. Faults are
// checked before authentication and the rate limit, and a faulted call does
// not spend the store's quota.
type Fault struct {
	// Route limits the fault to one route (a Route* constant); "" matches
	// every call.
	Route string
	// Status is the status to answer: 429, or 500 to 599. 0 serves the call
	// normally once Delay has passed.
	Status int
	// Delay is waited, on the time package's clock, before answering; the
	// wait ends early when the client gives up on the request. Default 0.
	Delay time.Duration
	// RetryAfter is the wait a 429 announces in X-Rate-Limit-Time-Reset-Ms
	// and, rounded up to whole seconds, X-Retry-After; default 1 s. A 5xx
	// sends X-Retry-After only when RetryAfter is set.
	RetryAfter time.Duration
	// NoRateHeaders leaves out the X-Rate-Limit-* headers and X-Retry-After,
	// as a 429 caused by platform-wide load rather than the store's quota
	// arrives. Default false.
	NoRateHeaders bool
}

func (f Fault) validate() error {
	switch {
	case f.Route != RouteUnknown && !knownRoutes[f.Route]:
		return fmt.Errorf("%w: fault route %q (want a Route* constant or \"\")", ErrInvalid, f.Route)
	case f.Status != 0 && f.Status != http.StatusTooManyRequests && (f.Status < 500 || f.Status > 599):
		return fmt.Errorf("%w: fault status %d (want 0, 429 or 5xx)", ErrInvalid, f.Status)
	case f.Delay < 0 || f.RetryAfter < 0:
		return fmt.Errorf("%w: negative fault delay", ErrInvalid)
	case f.Status == 0 && f.Delay == 0:
		return fmt.Errorf("%w: a fault needs a status or a delay", ErrInvalid)
	}
	return nil
}

// FailNext answers the next n calls that match f.Route with f. Scripts
// queue: a call takes the oldest script that matches it and still has calls
// left. It fails, with an error wrapping ErrInvalid, when n < 1 or f is
// invalid.
func (s *Server) FailNext(n int, f Fault) error {
	if n < 1 {
		return fmt.Errorf("%w: FailNext count %d", ErrInvalid, n)
	}
	if err := f.validate(); err != nil {
		return err
	}
	s.ctl.Lock()
	s.faults.Script(f.Route, n, f)
	s.ctl.Unlock()
	return nil
}

// FailRandomly answers a fraction (0 to 1) of the calls that match f.Route
// with f, drawing from the source WithSeed seeded, so the same sequence of
// calls fails the same way on every run. Scripts of FailNext take
// precedence. A fraction of 0 turns random faults off; a new call replaces
// the previous setting.
func (s *Server) FailRandomly(fraction float64, f Fault) error {
	if !(fraction >= 0 && fraction <= 1) {
		return fmt.Errorf("%w: failure fraction %v (want 0 to 1)", ErrInvalid, fraction)
	}
	if err := f.validate(); err != nil {
		return err
	}
	s.ctl.Lock()
	s.faults.Randomly(f.Route, fraction, f)
	s.ctl.Unlock()
	return nil
}

// ClearFaults drops every script and turns random faults off.
func (s *Server) ClearFaults() {
	s.ctl.Lock()
	s.faults.Clear()
	s.ctl.Unlock()
}

// Calls returns how many requests reached route (a Route* constant, or
// RouteUnknown for requests no route took) since the start or the last
// ResetCalls, whatever they were answered: an injected fault, a 401 or a
// 429 included. BigCommerce counts every request against the store's quota
// in the same way, one per request (RequestsLeft reports the quota itself,
// which faulted and 401 calls do not spend).
func (s *Server) Calls(route string) int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.calls[route]
}

// TotalCalls returns how many requests reached the server, on any route,
// counted as Calls counts them.
func (s *Server) TotalCalls() int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.total
}

// FaultsInjected returns how many calls an injected fault answered since
// the start or the last ResetCalls (a delay-only fault counts too).
func (s *Server) FaultsInjected() int {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	return s.faulted
}

// ResetCalls sets Calls, TotalCalls and FaultsInjected back to 0.
func (s *Server) ResetCalls() {
	s.ctl.Lock()
	s.calls, s.total, s.faulted = make(map[string]int), 0, 0
	s.ctl.Unlock()
}

// record counts a call and picks the fault it gets, if any.
func (s *Server) record(route string) *Fault {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.calls[route]++
	s.total++
	f, ok := s.faults.Pick(route)
	if !ok {
		return nil
	}
	s.faulted++
	return &f
}

// applyFault waits and answers as f says. It reports whether it answered;
// a delay-only fault lets the call go on.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.Status == 0 {
		return false
	}
	title := http.StatusText(f.Status)
	if title == "" {
		title = "Server Error"
	}
	wait, state := f.RetryAfter, s.peekLimit()
	if f.Status == http.StatusTooManyRequests {
		title = "Too many requests"
		if wait == 0 {
			wait = time.Second
		}
		state = limitState{left: 0, reset: wait}
	}
	if !f.NoRateHeaders {
		s.writeRateHeaders(w, state)
		if wait > 0 {
			w.Header().Set(HeaderRetryAfter, retryAfterSeconds(wait))
		}
	}
	writeV3Error(w, f.Status, title, nil)
	return true
}

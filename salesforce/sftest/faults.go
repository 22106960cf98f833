package sftest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/bc2sf/bc2sf/internal/fakehttp"
)

// Fault says how the fake answers a call instead of serving it. Faults are
// checked before the session and the daily allowance, and a faulted call
// changes nothing in the org and does not use the allowance. Token requests
// are never faulted.
type Fault struct {
	// Route limits the fault to one route (a Route* constant); "" matches
	// every REST call.
	Route string
	// Status is the status to answer: 400, 403, 429, or 500 to 599. 0 serves
	// the call normally once Delay has passed.
	Status int
	// Code is the errorCode of the answer. Default by status: 503
	// SERVER_UNAVAILABLE, 403 and 429 REQUEST_LIMIT_EXCEEDED, any other 5xx
	// UNKNOWN_EXCEPTION. A 400 needs one, such as "UNABLE_TO_LOCK_ROW".
	Code string
	// Message is the message of the answer. Default by code:
	// SERVER_UNAVAILABLE "Server too busy"; UNABLE_TO_LOCK_ROW "unable to
	// obtain exclusive access to this record"; REQUEST_LIMIT_EXCEEDED
	// "TotalRequests Limit exceeded." (the daily allowance; the concurrent
	// long-running limit says "ConcurrentPerOrgLongTxn Limit exceeded.") or,
	// on a 429, "Too many requests"; UNKNOWN_EXCEPTION an "unexpected error"
	// text with an ErrorId; any other code repeats the code.
	Message string
	// Delay is waited, on the time package's clock, before answering; the
	// wait ends early when the client gives up on the request. Default 0.
	Delay time.Duration
	// RetryAfter is sent, in whole seconds rounded up, as Retry-After. A 429
	// sends 1 s when it is 0; other statuses send none then.
	RetryAfter time.Duration
}

func (f Fault) validate() error {
	switch {
	case f.Route != RouteUnknown && !knownRoutes[f.Route]:
		return fmt.Errorf("%w: fault route %q (want a Route* constant or \"\")", ErrInvalid, f.Route)
	case f.Status != 0 && f.Status != http.StatusBadRequest && f.Status != http.StatusForbidden &&
		f.Status != http.StatusTooManyRequests && (f.Status < 500 || f.Status > 599):
		return fmt.Errorf("%w: fault status %d (want 0, 400, 403, 429 or 5xx)", ErrInvalid, f.Status)
	case f.Status == http.StatusBadRequest && f.Code == "":
		return fmt.Errorf("%w: a 400 fault needs a Code", ErrInvalid)
	case f.Delay < 0 || f.RetryAfter < 0:
		return fmt.Errorf("%w: negative fault delay", ErrInvalid)
	case f.Status == 0 && f.Delay == 0:
		return fmt.Errorf("%w: a fault needs a status or a delay", ErrInvalid)
	}
	return nil
}

// String describes the answer the fault gives, e.g.
// "503 SERVER_UNAVAILABLE", or "delay 1s" for a delay-only fault.
func (f Fault) String() string {
	if f.Status == 0 {
		return "delay " + f.Delay.String()
	}
	s := strconv.Itoa(f.Status) + " " + f.code()
	if f.Route != "" {
		s += " on " + f.Route
	}
	return s
}

func (f Fault) code() string {
	switch {
	case f.Code != "":
		return f.Code
	case f.Status == http.StatusServiceUnavailable:
		return "SERVER_UNAVAILABLE"
	case f.Status == http.StatusForbidden, f.Status == http.StatusTooManyRequests:
		return "REQUEST_LIMIT_EXCEEDED"
	}
	return "UNKNOWN_EXCEPTION"
}

func (f Fault) message() string {
	if f.Message != "" {
		return f.Message
	}
	switch code := f.code(); {
	case code == "SERVER_UNAVAILABLE":
		return "Server too busy"
	case code == "UNABLE_TO_LOCK_ROW":
		return "unable to obtain exclusive access to this record"
	case code == "REQUEST_LIMIT_EXCEEDED" && f.Status == http.StatusTooManyRequests:
		return "Too many requests"
	case code == "REQUEST_LIMIT_EXCEEDED":
		return "TotalRequests Limit exceeded."
	case code == "UNKNOWN_EXCEPTION":
		return "An unexpected error occurred. Please include this ErrorId if you contact support: 0000000000-00000 (-0)"
	default:
		return code
	}
}

func (f Fault) response() response {
	r := errorResponse(f.Status, f.code(), f.message())
	wait := f.RetryAfter
	if wait == 0 && f.Status == http.StatusTooManyRequests {
		wait = time.Second
	}
	if wait > 0 {
		secs := (wait + time.Second - 1) / time.Second
		r.header = map[string]string{"Retry-After": strconv.FormatInt(int64(secs), 10)}
	}
	return r
}

type faultState struct {
	schedule    *fakehttp.Schedule[Fault]
	expireAfter int
}

// FailNext answers the next n REST calls that match f.Route with f. Scripts
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.schedule.Script(f.Route, n, f)
	return nil
}

// FailRandomly answers a fraction (0 to 1) of the REST calls that match
// f.Route with f, drawing from the source WithSeed seeded, so the same
// sequence of calls fails the same way on every run. Scripts of FailNext
// take precedence. A fraction of 0 turns random faults off; a new call
// replaces the previous setting.
func (s *Server) FailRandomly(fraction float64, f Fault) error {
	if !(fraction >= 0 && fraction <= 1) {
		return fmt.Errorf("%w: failure fraction %v (want 0 to 1)", ErrInvalid, fraction)
	}
	if err := f.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.schedule.Randomly(f.Route, fraction, f)
	return nil
}

// ClearFaults drops every FailNext script, turns random faults off and
// cancels an ExpireTokensAfter countdown. Tokens already expired stay
// expired.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.schedule.Clear()
	s.faults.expireAfter = 0
}

// sleepFault waits out f.Delay; it reports false when the client gave up.
func sleepFault(r *http.Request, f *Fault) bool {
	if f.Delay <= 0 {
		return true
	}
	t := time.NewTimer(f.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

package sftest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
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
	nodes       *nodeFaults // nil: graph nodes are not failed
}

// nodeFaults fails a fraction of Composite Graph nodes with a code.
type nodeFaults struct {
	fraction float64
	code     string
	rng      *rand.Rand
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

// FailGraphNodesRandomly fails a fraction (0 to 1) of the nodes of Composite
// Graph calls with 400 and code (default "UNABLE_TO_LOCK_ROW"), as
// contention for a locked row fails them in a busy org: the node's graph
// rolls back, its other nodes report PROCESSING_HALTED, and the call and
// its other graphs go on. It works beside FailNext and FailRandomly, which
// fail whole calls. The draws come from a source seeded with the WithSeed
// seed, so the same sequence of nodes fails the same ones. A fraction of 0
// turns it off; a new call replaces the previous setting. It fails, with an
// error wrapping ErrInvalid, for a fraction outside 0 to 1 or a code that is
// not an upper-case error code.
func (s *Server) FailGraphNodesRandomly(fraction float64, code string) error {
	if !(fraction >= 0 && fraction <= 1) {
		return fmt.Errorf("%w: node failure fraction %v (want 0 to 1)", ErrInvalid, fraction)
	}
	if code == "" {
		code = "UNABLE_TO_LOCK_ROW"
	}
	if !errorCodeRE.MatchString(code) {
		return fmt.Errorf("%w: node failure code %q (want an upper-case error code)", ErrInvalid, code)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.nodes = nil
	if fraction > 0 {
		seed := s.cfg.seed ^ 0x6e6f6465 // "node": a stream apart from FailRandomly's
		s.faults.nodes = &nodeFaults{fraction: fraction, code: code, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	}
	return nil
}

// errorCodeRE matches a Salesforce error code such as UNABLE_TO_LOCK_ROW.
var errorCodeRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// failNode reports whether the node about to run fails, and with what code,
// counting it as an injected fault. s.mu is held.
func (s *Server) failNode() (string, bool) {
	n := s.faults.nodes
	if n == nil || n.rng.Float64() >= n.fraction {
		return "", false
	}
	s.counts.faulted++
	return n.code, true
}

// ClearFaults drops every FailNext script, turns random faults off, stops
// FailGraphNodesRandomly and cancels an ExpireTokensAfter countdown. Tokens
// already expired stay expired.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.schedule.Clear()
	s.faults.expireAfter = 0
	s.faults.nodes = nil
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

package sftest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"time"
)

// Fault is a failure the server can answer with instead of serving a call.
// An injected fault is decided before the call is read, so it changes
// nothing in the org and does not count against the daily allowance.
type Fault int

// The faults Salesforce sends that a client has to survive.
const (
	// FaultServerUnavailable answers 503 SERVER_UNAVAILABLE "Server too busy".
	FaultServerUnavailable Fault = iota + 1
	// FaultUnableToLockRow answers 400 UNABLE_TO_LOCK_ROW "unable to obtain
	// exclusive access to this record", the record-lock contention error;
	// retrying usually succeeds. Clients should key on the code: reports of
	// the status Salesforce uses for it differ.
	FaultUnableToLockRow
	// FaultRequestLimitExceeded answers 403 REQUEST_LIMIT_EXCEEDED
	// "TotalRequests Limit exceeded.", the daily allowance message.
	FaultRequestLimitExceeded
	// FaultConcurrentLimit answers 403 REQUEST_LIMIT_EXCEEDED
	// "ConcurrentPerOrgLongTxn Limit exceeded.", the long-running request cap.
	FaultConcurrentLimit
	// FaultTooManyRequests answers 429 with "Retry-After: 1". Core Salesforce
	// REST does not document 429, but edges in front of it send one.
	FaultTooManyRequests
	// FaultInternalError answers 500 UNKNOWN_EXCEPTION. Any Fault value not
	// listed here answers the same.
	FaultInternalError
)

// String describes the answer the fault gives, e.g.
// "503 SERVER_UNAVAILABLE".
func (f Fault) String() string {
	switch f {
	case FaultServerUnavailable:
		return "503 SERVER_UNAVAILABLE"
	case FaultUnableToLockRow:
		return "400 UNABLE_TO_LOCK_ROW"
	case FaultRequestLimitExceeded:
		return "403 REQUEST_LIMIT_EXCEEDED TotalRequests"
	case FaultConcurrentLimit:
		return "403 REQUEST_LIMIT_EXCEEDED ConcurrentPerOrgLongTxn"
	case FaultTooManyRequests:
		return "429 REQUEST_LIMIT_EXCEEDED"
	case FaultInternalError:
		return "500 UNKNOWN_EXCEPTION"
	}
	return fmt.Sprintf("Fault(%d) 500 UNKNOWN_EXCEPTION", int(f))
}

func (f Fault) response() response {
	switch f {
	case FaultServerUnavailable:
		return errorResponse(http.StatusServiceUnavailable, "SERVER_UNAVAILABLE", "Server too busy")
	case FaultUnableToLockRow:
		return errorResponse(http.StatusBadRequest, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record")
	case FaultRequestLimitExceeded:
		return errorResponse(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	case FaultConcurrentLimit:
		return errorResponse(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
	case FaultTooManyRequests:
		r := errorResponse(http.StatusTooManyRequests, "REQUEST_LIMIT_EXCEEDED", "Too many requests")
		r.header = map[string]string{"Retry-After": "1"}
		return r
	}
	return errorResponse(http.StatusInternalServerError, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support: 0000000000-00000 (-0)")
}

// rule is one armed fault: it fires on up to n matching calls (n < 0: always
// subject to the fraction), or on a seeded fraction of them.
type rule struct {
	fault    Fault
	n        int
	pattern  *regexp.Regexp
	fraction float64
	rng      *rand.Rand
}

type faultState struct {
	rules       []*rule
	latency     time.Duration
	expireAfter int
}

// take returns the fault for a call to method and the escaped path, if an
// armed rule fires, consuming one use of it.
func (fs *faultState) take(method, path string) *Fault {
	for i, r := range fs.rules {
		if r.pattern != nil && !r.pattern.MatchString(method+" "+path) {
			continue
		}
		if r.rng != nil {
			if r.rng.Float64() >= r.fraction {
				continue
			}
			f := r.fault
			return &f
		}
		r.n--
		if r.n <= 0 {
			fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
		}
		f := r.fault
		return &f
	}
	return nil
}

// FailNext answers the next n REST calls with fault f (n < 1 does nothing).
// Token requests are never failed by this.
func (s *Server) FailNext(f Fault, n int) {
	if n < 1 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &rule{fault: f, n: n})
}

// FailMatching answers the next n REST calls whose "METHOD /escaped/path"
// matches the regular expression pattern with fault f, e.g.
// `^PATCH /services/data/v[0-9.]+/sobjects/Order/`. It returns an error for an
// invalid pattern; n < 1 does nothing.
func (s *Server) FailMatching(f Fault, n int, pattern string) error {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return fmt.Errorf("sftest: fault pattern: %w", err)
	}
	if n < 1 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &rule{fault: f, n: n, pattern: re})
	return nil
}

// FailFraction answers each REST call with fault f with probability fraction
// (clamped to [0, 1]) until ClearFaults. The choice is drawn from a generator
// seeded with seed, so a run with the same calls in the same order fails the
// same ones.
func (s *Server) FailFraction(f Fault, fraction float64, seed uint64) {
	fraction = min(max(fraction, 0), 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.rules = append(s.faults.rules, &rule{fault: f, fraction: fraction,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))})
}

// SetLatency delays every REST call by d before it is processed (0, the
// default, for none). The delay ends early if the client cancels.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.latency = d
}

// ClearFaults disarms every injected fault and the latency, and cancels an
// ExpireTokensAfter countdown. Tokens already expired stay expired.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faultState{}
}

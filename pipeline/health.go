package pipeline

import (
	"errors"
	"time"

	"github.com/bc2sf/bc2sf/salesforce"
)

// health is the Worker's one view of how Salesforce is doing, shared by all
// its calls: a breaker that slows down when whole calls fail and recovers as
// soon as they succeed again. It is owned by the batcher's goroutine.
//
// Each call that fails as a whole (a 503, a timeout, an expired session, a
// rate limit: see callFailure) halves the calls allowed in flight, down to
// one, and holds every call back for a delay: the one the server asked
// for, else 50 ms doubled for each failure in a row, up to 30 s, less up to
// a quarter at random. Each call that goes through lets one more call fly,
// up to MaxInFlight, ends the run of failures, and ends a hold of the
// breaker's own (a wait the server asked for is kept).
type health struct {
	max       int
	limit     int       // calls allowed in flight now, 1 to max
	failures  int       // whole calls failed in a row
	notBefore time.Time // no call starts before
	asked     bool      // notBefore is a wait the server asked for
}

// Bounds of the breaker's delay when the server names none.
const (
	healthBase = 50 * time.Millisecond
	healthCap  = 30 * time.Second
)

func newHealth(max int) health { return health{max: max, limit: max} }

func (h *health) failed(now time.Time, delay time.Duration) {
	h.failures++
	h.limit = max(1, h.limit/2)
	asked := delay > 0
	if !asked {
		delay = exponentialBackoff(healthBase, healthCap)(h.failures)
	}
	if t := now.Add(delay); t.After(h.notBefore) {
		h.notBefore, h.asked = t, asked
	}
}

func (h *health) succeeded() {
	h.failures = 0
	h.limit = min(h.max, h.limit+1)
	if !h.asked {
		h.notBefore = time.Time{}
	}
}

// callFailure reports whether err, the error of a whole call, failed it for
// a reason that is not about the orders it carried: a rate limit, an expired
// or refused credential, a 5xx, a timeout, a transport failure, an answer
// that could not be read. delay is the wait the server asked for, if any.
// Such a failure is retried for every order of the call without counting
// against any of them.
func callFailure(err error) (bool, time.Duration) {
	var graphErr *salesforce.GraphError
	if errors.As(err, &graphErr) {
		return false, 0
	}
	kind, delay := classify(err)
	return kind != kindData, delay
}

// Retries of an order whose graph failed on a node with a transient error
// (UNABLE_TO_LOCK_ROW and the like): up to maxNodeRetries more writes from
// the Worker's memory, after 100 ms doubled each time, before the task goes
// back to the queue by the usual policy.
const (
	maxNodeRetries = 5
	nodeRetryBase  = 20 * time.Millisecond
	nodeRetryCap   = time.Second
)

// suspectAfter is the number of whole-call failures after which an order is
// sent in a call of its own: if that call fails while Salesforce otherwise
// answers, the order itself is to blame (a record that makes the org fail
// the request), and its failure counts as the task's.
const suspectAfter = 3

// SalesforceRetryPolicy returns the retry policy for the salesforce.Client
// a Worker writes with: 2 attempts, the second after about 20 ms. A call
// that still fails is then the Worker's to retry, from memory and with one
// view of the org's health for all its calls (see Worker), rather than each
// call's own: the client's default policy (4 attempts, from 500 ms) holds a
// failing call's orders for seconds while the Worker cannot tell that the
// org is failing.
func SalesforceRetryPolicy() salesforce.RetryPolicy {
	return salesforce.RetryPolicy{MaxAttempts: 2, InitialBackoff: 20 * time.Millisecond}
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// failureKind is how a failure is settled.
type failureKind int

const (
	// kindTransient: retry after Backoff, up to MaxAttempts.
	kindTransient failureKind = iota
	// kindRateLimit: retry after the server's delay and pause the pool.
	kindRateLimit
	// kindData: dead-letter at once; retrying cannot help.
	kindData
)

// fail settles a job whose work failed with err, by the policy in the
// Worker's documentation. A failure after the work context ended is the
// drain running out of time: the job is given back untouched.
func (w *Worker) fail(ctx context.Context, j *job, r Result, err error) {
	if ctx.Err() != nil {
		w.giveBack(j)
		return
	}
	reason := fmt.Sprintf("%s: %v", j.task.subject(), err)
	kind, delay := classify(err)
	r.Cause = causeOf(err, kind)
	switch kind {
	case kindData:
		w.dead(j, r, dataHint(err)+reason)
		return
	case kindRateLimit:
		if delay <= 0 {
			delay = w.cfg.RateLimitDelay
		}
		w.pause(delay)
	default:
		delay = w.cfg.Backoff(j.d.Attempt)
	}
	if j.d.Attempt-j.waited >= w.cfg.MaxAttempts {
		w.dead(j, r, fmt.Sprintf("%s (gave up after %d attempts)", reason, j.d.Attempt))
		return
	}
	w.retry(j, r, delay, reason)
}

// classify tells how to settle err, and the delay the server asked for when
// it named one.
func classify(err error) (failureKind, time.Duration) {
	var graphErr *salesforce.GraphError
	if errors.As(err, &graphErr) {
		return classifyGraph(graphErr), 0
	}
	if isRateLimit(err) {
		if d, ok := bigcommerce.RetryAfter(err); ok {
			return kindRateLimit, d
		}
		if d, ok := salesforce.RetryAfter(err); ok {
			return kindRateLimit, d
		}
		return kindRateLimit, 0
	}
	if bigcommerce.Retryable(err) || salesforce.Retryable(err) || isAuth(err) {
		return kindTransient, 0
	}
	if isDataError(err) {
		return kindData, 0
	}
	// Not known to be about the data (a store outage, an answer that could
	// not be read): retry, within MaxAttempts.
	return kindTransient, 0
}

func isRateLimit(err error) bool {
	if errors.Is(err, bigcommerce.ErrRateLimited) || errors.Is(err, salesforce.ErrRequestLimitExceeded) ||
		errors.Is(err, salesforce.ErrUsageCeiling) {
		return true
	}
	var sfErr *salesforce.APIError
	return errors.As(err, &sfErr) && sfErr.StatusCode == http.StatusTooManyRequests
}

// isAuth reports a credential failure: the clients already fetched a new
// token where they could, so this needs an operator, not a dead letter per
// order.
func isAuth(err error) bool {
	var authErr *salesforce.AuthError
	return errors.Is(err, bigcommerce.ErrUnauthorized) || errors.Is(err, bigcommerce.ErrForbidden) ||
		errors.Is(err, salesforce.ErrSessionExpired) || errors.As(err, &authErr)
}

// isDataError reports an error that retrying the same task cannot fix.
func isDataError(err error) bool {
	if errors.Is(err, ErrInvalidTask) || isMapperError(err) || errors.Is(err, errMissingPricebookEntry) ||
		errors.Is(err, salesforce.ErrInvalidGraph) || errors.Is(err, bigcommerce.ErrTooManyLineItems) {
		return true
	}
	var fieldErr *bigcommerce.FieldError
	if errors.As(err, &fieldErr) {
		return true // an order field BigCommerce sent has no usable value
	}
	var bcErr *bigcommerce.APIError
	if errors.As(err, &bcErr) {
		return bcErr.Status >= 400 && bcErr.Status < 500
	}
	var sfErr *salesforce.APIError
	if errors.As(err, &sfErr) {
		return sfErr.StatusCode >= 300 && sfErr.StatusCode < 500
	}
	return false
}

// transientGraphCodes are node errors that a later attempt can clear:
// a record lock, a busy server, and what two concurrent syncs of one new
// order cause: DUPLICATE_VALUE when both create the same key, and
// INVALID_FIELD_FOR_INSERT_UPDATE when one created an OrderItem after the
// other's existence query, so the other sent its create-only fields on what
// became an update. The retry queries again and finds the record.
var transientGraphCodes = [...]string{
	salesforce.CodeUnableToLockRow, salesforce.CodeServerUnavailable, salesforce.CodeDuplicateValue,
	codeInvalidFieldForInsertUpdate,
}

// codeInvalidFieldForInsertUpdate is Salesforce's error for a field that
// cannot be written in this operation, e.g. OrderItem.OrderId on an update.
const codeInvalidFieldForInsertUpdate = "INVALID_FIELD_FOR_INSERT_UPDATE"

// haltedGraph reports whether err is a graph that Salesforce did not
// process, blaming none of its nodes: once more than 14 graphs of a request
// have failed, every graph after them answers PROCESSING_HALTED. Such a
// graph is sent again at once, and the attempt does not count against its
// order: nothing of it was tried.
func haltedGraph(err error) bool {
	var graphErr *salesforce.GraphError
	return errors.As(err, &graphErr) && len(graphErr.Nodes) == 0
}

// maxHalts bounds how many times in a row one order's graph is sent again
// after a halt, before a halt counts as a node-level failure of its own.
const maxHalts = 8

func classifyGraph(e *salesforce.GraphError) failureKind {
	if len(e.Nodes) == 0 {
		return kindTransient // halted without blame, e.g. after too many failed graphs
	}
	for _, n := range e.Nodes {
		var apiErr *salesforce.APIError
		if !errors.As(n.Err(), &apiErr) || !hasAnyCode(apiErr, transientGraphCodes[:]) {
			return kindData
		}
	}
	return kindTransient
}

// duplicateRuleHint starts the dead-letter reason of an order that an
// org's duplicate rule refused, so that the console says what to change.
const duplicateRuleHint = "a Salesforce duplicate rule blocked the save (DUPLICATES_DETECTED): " +
	"build the client with salesforce.WithDuplicateRuleAllowSave, or set the rule's action " +
	"to Allow with an alert, then replay; "

// dataHint returns the advice that starts the dead-letter reason of a data
// error whose fix is outside the order, or "".
func dataHint(err error) string {
	if errors.Is(err, salesforce.ErrDuplicatesDetected) {
		return duplicateRuleHint
	}
	return ""
}

func hasAnyCode(e *salesforce.APIError, codes []string) bool {
	for _, c := range codes {
		if e.HasCode(c) {
			return true
		}
	}
	return false
}

// ExponentialBackoff returns a backoff policy: base doubled per attempt
// (attempt 1 waits base), capped at max, with up to 25% random jitter
// subtracted so that many tasks failing together do not return together.
// A base <= 0 is 1 s; a max below base is base.
func ExponentialBackoff(base, max time.Duration) func(attempt int) time.Duration {
	return exponentialBackoff(base, max)
}

func exponentialBackoff(base, max time.Duration) func(int) time.Duration {
	if base <= 0 {
		base = time.Second
	}
	if max < base {
		max = base
	}
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		d = min(d, max)
		return d - rand.N(d/4+1)
	}
}

// isMapperError reports the mapper's errors, all of which are about the
// order's data or the configuration, never transient.
func isMapperError(err error) bool {
	for _, target := range []error{
		mapper.ErrNilOrder, mapper.ErrInvalidOrder, mapper.ErrNoProductKey,
		mapper.ErrInvalidCustomer, mapper.ErrInvalidProduct, errProductConfig,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

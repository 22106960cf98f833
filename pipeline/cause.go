package pipeline

import (
	"errors"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// Cause is why a delivery was retried or dead-lettered, as one of a fixed
// set of words: a label that metrics can carry without growing a series per
// order, where Result.Reason is the full text.
type Cause string

// The causes a Result reports. The first five come with a retry, and the
// first three with a dead letter too once a delivery reaches MaxAttempts;
// the others come with a dead letter only.
const (
	// CauseRateLimited: BigCommerce or Salesforce said to slow down (a 429,
	// REQUEST_LIMIT_EXCEEDED, the client's usage ceiling).
	CauseRateLimited Cause = "rate_limited"
	// CauseUnavailable: a failure that a later attempt can clear: a network
	// error, a 5xx, a locked row, a Store outage, or an error not known to
	// be about the data.
	CauseUnavailable Cause = "unavailable"
	// CauseAuth: a credential was refused after the clients had renewed
	// what they could.
	CauseAuth Cause = "auth"
	// CauseClaimed: another task holds the task's key or the order's sync
	// claim in the Store.
	CauseClaimed Cause = "claimed"
	// CauseShutdown: the Worker gave the delivery back as it stopped.
	CauseShutdown Cause = "shutdown"
	// CauseInvalidTask: the message body is not a Task.
	CauseInvalidTask Cause = "invalid_task"
	// CauseNotConfigured: the task is a customer's or a product's, and the
	// Worker has no Customers or Products to sync it with.
	CauseNotConfigured Cause = "not_configured"
	// CauseBigCommerceRejected: BigCommerce answered the order read with a
	// 4xx, e.g. 404 for a deleted order.
	CauseBigCommerceRejected Cause = "bigcommerce_rejected"
	// CauseInvalidOrder: the mapper refused the order's data.
	CauseInvalidOrder Cause = "invalid_order"
	// CauseMissingPricebookEntry: an order line's product has no
	// PricebookEntry in the price book (Order target).
	CauseMissingPricebookEntry Cause = "missing_pricebook_entry"
	// CauseSalesforceRejected: Salesforce refused the order's records (a
	// graph node error such as REQUIRED_FIELD_MISSING, or a 4xx).
	CauseSalesforceRejected Cause = "salesforce_rejected"
)

// CauseOf returns the Cause the Worker gives a delivery that failed with
// err, by the classification its failure policy settles it with (see
// Worker). Beside the Worker's own Results it names the cause of a
// failed API call anywhere, e.g. the retries of a client's
// RetryPolicy.CheckRetry. A nil err has no cause: "".
func CauseOf(err error) Cause {
	if err == nil {
		return ""
	}
	kind, _ := classify(err)
	return causeOf(err, kind)
}

// causeOf names the cause of a failure that the policy settles as kind.
func causeOf(err error, kind failureKind) Cause {
	switch kind {
	case kindRateLimit:
		return CauseRateLimited
	case kindTransient:
		if isAuth(err) {
			return CauseAuth
		}
		return CauseUnavailable
	}
	var bcErr *bigcommerce.APIError
	switch {
	case errors.Is(err, ErrInvalidTask):
		return CauseInvalidTask
	case isMapperError(err):
		return CauseInvalidOrder
	case errors.Is(err, errMissingPricebookEntry):
		return CauseMissingPricebookEntry
	case errors.As(err, &bcErr):
		return CauseBigCommerceRejected
	}
	return CauseSalesforceRejected
}

package pipeline

import (
	"time"

	"github.com/bc2sf/bc2sf/mapper"
)

// Outcome is what became of one order in the Worker.
type Outcome string

// The outcomes a Result reports.
const (
	// OutcomeSynced: Salesforce accepted the order's records; the task is
	// completed and acknowledged.
	OutcomeSynced Outcome = "synced"
	// OutcomeSkipped: nothing was written, for a reason in Result.Reason
	// (the mapper skipped the order, or the task was already done); the task
	// is acknowledged.
	OutcomeSkipped Outcome = "skipped"
	// OutcomeRetried: the task was put back in the queue to be tried again
	// after Result.RetryIn.
	OutcomeRetried Outcome = "retried"
	// OutcomeDead: the task was dead-lettered with Result.Reason.
	OutcomeDead Outcome = "dead"
)

// RecordID names one Salesforce record written for an order.
type RecordID struct {
	// SObject is the object, e.g. "Opportunity".
	SObject string
	// ExternalIDField and ExternalID are the upsert key.
	ExternalIDField string
	ExternalID      string
	// ID is the Salesforce record id from the graph result; it may be empty
	// when Salesforce did not return one.
	ID string
}

// Result reports what the Worker did with one task. It is passed to
// WorkerConfig.OnResult.
type Result struct {
	// Kind is what the task synced: KindOrder, KindCustomer or KindProduct
	// (KindOrder when the task could not be decoded).
	Kind Kind
	// OrderID is the BigCommerce order id (0 for a customer's or product's
	// task, and when the task could not be decoded).
	OrderID int64
	// CustomerID and ProductID are the ids of a customer's or a product's
	// task, 0 otherwise.
	CustomerID, ProductID int64
	// Key is the queue message key, e.g. "sync:<order id>:<generation>" or
	// "order:250:1700000000".
	Key string
	// Source is where the task came from.
	Source Source
	// Attempt is the delivery's attempt number, from 1.
	Attempt int
	// Outcome is synced, skipped, retried or dead.
	Outcome Outcome
	// Reason explains a skip, a retry or a dead letter; empty when synced.
	// For a skip by the mapper it starts with the skip code, e.g.
	// "status_not_synced: ...".
	Reason string
	// SkipCode is the mapper's skip code, "already_done" for a task whose key
	// the Store holds as done, or empty.
	SkipCode string
	// Cause says in one word from a fixed list why the delivery was retried
	// or dead-lettered (CauseRateLimited, CauseInvalidOrder, ...), for
	// metrics and dashboards that need few distinct values; Reason has the
	// details. Empty when synced or skipped.
	Cause Cause
	// RetryIn is the delay of a retry; 0 otherwise.
	RetryIn time.Duration
	// Warnings are the mapper's fallbacks for the order.
	Warnings []mapper.Warning
	// Records are the Salesforce records written, for a synced order.
	Records []RecordID
}

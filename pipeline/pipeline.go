package pipeline

import (
	"context"
	"encoding/json"
	"iter"
	"log/slog"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// OrderSource fetches one order with its line items. *BigCommerceAdapter
// implements it with one BigCommerce call per order.
type OrderSource interface {
	GetOrder(ctx context.Context, id int64) (*bigcommerce.Order, error)
}

// OrderLister lists orders page by page, as bigcommerce.OrdersService.List
// does: the iterator yields an error once and stops, and breaking out of the
// loop stops further requests. *BigCommerceAdapter implements it.
type OrderLister interface {
	ListOrders(ctx context.Context, opts bigcommerce.ListOrdersOptions) iter.Seq2[bigcommerce.Order, error]
}

// GraphWriter sends one Composite Graph call. *salesforce.Client implements
// it.
type GraphWriter interface {
	CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error)
}

// Querier runs a SOQL query and yields its records. *salesforce.Client
// implements it. The Worker uses it only for the Order target, to find the
// OrderItems Salesforce already holds and to resolve PricebookEntry ids.
type Querier interface {
	Query(ctx context.Context, soql string) iter.Seq2[json.RawMessage, error]
}

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
	// OrderID is the BigCommerce order id (0 when the task could not be
	// decoded).
	OrderID int64
	// Key is the queue message key, e.g. "evt:<hash>" or
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
	// RetryIn is the delay of a retry; 0 otherwise.
	RetryIn time.Duration
	// Warnings are the mapper's fallbacks for the order.
	Warnings []mapper.Warning
	// Records are the Salesforce records written, for a synced order.
	Records []RecordID
}

// Stats is a snapshot of a Worker's counters since it was made.
type Stats struct {
	// Dequeued counts deliveries taken from the queue.
	Dequeued int64
	// Synced counts tasks whose order was written to Salesforce; two tasks
	// of one order settled by the same graph count twice (GraphOrders once).
	Synced int64
	// Skipped counts tasks acknowledged without a write; SkipReasons splits
	// them by code (the mapper's skip codes and "already_done").
	Skipped     int64
	SkipReasons map[string]int64
	// Retried counts deliveries put back with Queue.Retry, including those
	// given back at shutdown.
	Retried int64
	// DeadLettered counts deliveries dead-lettered.
	DeadLettered int64
	// BigCommerceCalls counts OrderSource.GetOrder calls.
	BigCommerceCalls int64
	// GraphCalls counts Composite Graph calls; GraphOrders counts the orders
	// they carried.
	GraphCalls  int64
	GraphOrders int64
	// PricebookQueries counts PricebookEntry queries (Order target only);
	// a batch whose OrderItems all exist makes none.
	PricebookQueries int64
	// ExistenceQueries counts the queries for the OrderItems Salesforce
	// already holds (Order target only): one per batch, more only when the
	// batch's line ids pass 16,000 characters of SOQL.
	ExistenceQueries int64
}

// OrdersPerGraphCall returns GraphOrders / GraphCalls, or 0 before the first
// call.
func (s Stats) OrdersPerGraphCall() float64 {
	if s.GraphCalls == 0 {
		return 0
	}
	return float64(s.GraphOrders) / float64(s.GraphCalls)
}

// WorkerConfig configures a Worker. Queue, Store, Orders, Graphs and Mapper
// are required; every other field has the default named beside it.
type WorkerConfig struct {
	// Queue holds the Tasks; Store records which keys are done.
	Queue idempotency.Queue
	Store idempotency.Store
	// Orders fetches each order (BigCommerceOrders over a client).
	Orders OrderSource
	// Graphs writes the batches (a *salesforce.Client).
	Graphs GraphWriter
	// Mapper turns an order into records; its Config picks the target.
	Mapper *mapper.Mapper
	// Pricebook runs the Order target's SOQL queries; required when the
	// Mapper's target is mapper.TargetOrder, unused otherwise. Per batch it
	// makes one query for the batch's OrderItem external IDs that already
	// exist (more than one only past 16,000 characters of SOQL), so that
	// their graphs leave out the fields Salesforce refuses on update, then
	// one PricebookEntry query for the product keys of the new lines, left
	// out when there are none. A batch thus costs three API calls (two
	// queries and the Composite Graph call) when it creates lines and two
	// when it only updates them, against one for the Opportunity target.
	Pricebook Querier
	// PricebookKeyField is the PricebookEntry field matched against the
	// mapper's product keys; default DefaultPricebookKeyField
	// ("Product2.BigCommerce_Product_Key__c").
	PricebookKeyField string
	// APIVersion is the Salesforce API version of the upsert URLs; default
	// salesforce.DefaultAPIVersion.
	APIVersion string

	// Concurrency is the number of goroutines that dequeue and fetch
	// orders; default 4.
	Concurrency int
	// Lease is the queue lease and the Store claim of one task; default
	// 5 minutes. It must outlast a fetch, the linger and a graph call.
	Lease time.Duration
	// BatchSize is the most orders per Composite Graph call, 1 to 75;
	// default 75 (salesforce.MaxGraphs).
	BatchSize int
	// Linger is how long the first order of a batch waits for company
	// before the batch is sent; default 100 ms.
	Linger time.Duration

	// MaxAttempts is the delivery attempt after which a transient failure
	// dead-letters the task; default 8.
	MaxAttempts int
	// Backoff gives the delay before attempt+1 after a transient failure
	// of attempt (from 1); default ExponentialBackoff(1 s, 5 min).
	Backoff func(attempt int) time.Duration
	// RateLimitDelay is the wait after a rate limit that names no delay;
	// default 30 s. The whole pool stops dequeuing for that long.
	RateLimitDelay time.Duration
	// InFlightDelay is the retry delay of a task whose key another worker
	// holds; default 5 s.
	InFlightDelay time.Duration
	// DrainTimeout bounds the work done after Run's context ends (finishing
	// fetches, sending the last batch, giving back the rest); default 10 s.
	DrainTimeout time.Duration

	// Logger receives one line per order outcome and per graph call;
	// default discard.
	Logger *slog.Logger
	// OnResult, when set, is called once per settled delivery, from the
	// Worker's goroutines; it must be safe for concurrent use and quick.
	OnResult func(Result)
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// ExponentialBackoff returns a backoff policy: base doubled per attempt
// (attempt 1 waits base), capped at max, with up to 25% random jitter
// subtracted so that many tasks failing together do not return together.
// A base <= 0 is 1 s; a max below base is base.
func ExponentialBackoff(base, max time.Duration) func(attempt int) time.Duration {
	return exponentialBackoff(base, max)
}

// ReconcilerConfig configures a Reconciler. Orders, Queue and Checkpoint are
// required.
type ReconcilerConfig struct {
	// Orders lists orders (BigCommerceOrders over a client).
	Orders OrderLister
	// Queue receives the Tasks, at PriorityLow.
	Queue idempotency.Queue
	// Checkpoint keeps the date_modified to list from between runs
	// (idempotency.MemoryCheckpoint, idemredis.Checkpoint).
	Checkpoint idempotency.Checkpoint
	// Interval is the pause between runs of Run; default 5 minutes.
	Interval time.Duration
	// Overlap is subtracted from the saved checkpoint so that an order
	// whose date_modified lags behind (clock skew, a slow commit) is still
	// listed next time; default 1 minute. Orders listed twice map to the
	// same queue key and are not enqueued again.
	Overlap time.Duration
	// InitialLookback is how far back the first run looks when the
	// checkpoint is empty; default 24 hours.
	InitialLookback time.Duration
	// PageSize is the number of orders per list call, 1 to 250; default 250.
	PageSize int
	// Logger receives one line per run; default discard.
	Logger *slog.Logger
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// BackfillConfig configures Backfill. Orders and Queue are required.
type BackfillConfig struct {
	// Orders lists orders (BigCommerceOrders over a client).
	Orders OrderLister
	// Queue receives the Tasks, at PriorityLow.
	Queue idempotency.Queue
	// From and To bound the orders' creation date, inclusive; the zero
	// time leaves that side open.
	From, To time.Time
	// Checkpoint, when set, holds the creation date of the last order
	// enqueued: Backfill starts from it instead of From and saves it after
	// every page, so an interrupted backfill resumes where it stopped.
	Checkpoint idempotency.Checkpoint
	// PageSize is the number of orders per list call, 1 to 250; default 250.
	PageSize int
	// Progress, when set, is called after every page.
	Progress func(Progress)
	// Logger receives one line per page; default discard.
	Logger *slog.Logger
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// Progress reports how far a backfill got.
type Progress struct {
	// Listed counts the orders listed, Enqueued those newly enqueued and
	// Duplicates those the queue already held.
	Listed, Enqueued, Duplicates int
	// Total is the number of orders to backfill when known, else 0.
	Total int
	// Last is the creation date of the last order enqueued.
	Last time.Time
	// Elapsed is the time since Backfill started; Rate is Listed per second.
	Elapsed time.Duration
	Rate    float64
}

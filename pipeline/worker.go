package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// Defaults of WorkerConfig.
const (
	// DefaultConcurrency is the number of dequeuing goroutines and of
	// BigCommerce calls in flight: 4.
	DefaultConcurrency = 4
	// DefaultLease is the queue lease and Store claim of a task: 5 minutes,
	// longer than a fetch, a wait in the batcher and a 2-minute graph call
	// together.
	DefaultLease = 5 * time.Minute
	// DefaultMaxInFlight is the number of Composite Graph calls a Worker
	// makes at once: 4. Salesforce caps the requests of an org that run 20 s
	// or longer at 25 at a time in production and sandbox orgs and at 5 in
	// Developer Edition and trial orgs (shorter requests have no cap), and
	// refuses more with REQUEST_LIMIT_EXCEEDED. A graph call of 75 orders
	// normally takes well under 20 s, but a slow org can stretch every call
	// past it: 4 keeps one Worker under the cap of the smallest org even
	// then, with one request to spare for other integrations, and lets six
	// Workers share a production org's 25. Four calls also carry enough: at
	// 150 ms a call they move up to 2,000 orders a second.
	DefaultMaxInFlight = 4
	// DefaultMaxBatchWait bounds how long an order that could be sent
	// waits for orders still being fetched to fill its call, and how long
	// the newest ids wait for company before they are read: 5 s, time
	// enough to read a page of 250 orders from a slow store.
	DefaultMaxBatchWait = 5 * time.Second
	// DefaultMaxAttempts is the attempt at which a retryable failure
	// dead-letters instead: 8.
	DefaultMaxAttempts = 8
	// DefaultBackoffBase and DefaultBackoffCap shape the default Backoff:
	// 1 s, 2 s, 4 s ... up to 5 minutes.
	DefaultBackoffBase = time.Second
	DefaultBackoffCap  = 5 * time.Minute
	// DefaultRateLimitDelay is the wait after a rate limit that names no
	// delay: 30 s, a BigCommerce window.
	DefaultRateLimitDelay = 30 * time.Second
	// DefaultInFlightDelay is the retry delay of a task claimed elsewhere: 5 s.
	DefaultInFlightDelay = 5 * time.Second
	// DefaultDrainTimeout bounds the work after Run's context ends: 10 s.
	DefaultDrainTimeout = 10 * time.Second
	// DefaultPricebookKeyField is the PricebookEntry field holding the
	// mapper's product key, through the entry's Product2.
	DefaultPricebookKeyField = "Product2.BigCommerce_Product_Key__c"
)

// WorkerConfig configures a Worker. Queue, Store, Orders, Graphs and Mapper
// are required; every other field has the default named beside it.
type WorkerConfig struct {
	// Queue holds the Tasks; Store records which keys are done.
	Queue idempotency.Queue
	Store idempotency.Store
	// Orders fetches each order (a *bigcommerce.Client's Orders). When it
	// also implements OrderLister, as a client's Orders does, orders
	// pending together are read in pages of up to 250 (see Worker);
	// otherwise each is read alone.
	Orders OrderSource
	// Graphs writes the batches (a *salesforce.Client, whose API version
	// completes the graphs' node URLs). Give the client
	// SalesforceRetryPolicy: the Worker retries failed calls itself, with
	// one view of the org's health, and the client's default policy would
	// hold each failing call's orders for seconds on its own.
	Graphs GraphWriter
	// Mapper turns an order into records; its Config picks the target.
	Mapper *mapper.Mapper
	// Pricebook runs the Order target's SOQL queries; required when the
	// Mapper's target is mapper.TargetOrder, unused otherwise. Per batch it
	// makes one query for the batch's OrderItem external IDs that already
	// exist, so that their graphs leave out the fields Salesforce refuses
	// on update, then one query for the active PricebookEntries of the
	// product keys of the new lines (in their orders' currencies when the
	// Mapper is multi-currency), left out when there are none. Either is
	// split only past 14,000 bytes of URL-encoded SOQL, so that no query
	// passes Salesforce's 16,384-byte limit on a request URI. A batch thus
	// costs three API calls (two queries and the Composite Graph call) when
	// it creates lines and two when it only updates them, against one for
	// the Opportunity target.
	Pricebook Querier
	// PricebookKeyField is the PricebookEntry field matched against the
	// mapper's product keys; default DefaultPricebookKeyField
	// ("Product2.BigCommerce_Product_Key__c"). It goes into SOQL as is, so
	// NewWorker refuses anything but an API name or a dotted relationship
	// path of API names (salesforce.CheckFieldPath).
	PricebookKeyField string

	// Customers reads the customers of KindCustomer tasks
	// (store/customer/* events and the Reconciler's customer listing), many
	// in one call (a *bigcommerce.Client's Customers). Nil dead-letters
	// customer tasks, naming this field.
	Customers CustomerSource
	// Products reads the catalog products of KindProduct tasks
	// (store/product/created and updated), many in one call (a
	// *bigcommerce.Client's Products). With the Order target it also reads
	// the product of an order line that has no PricebookEntry yet, and
	// writes it before the order. Nil dead-letters product tasks, naming
	// this field. Product syncs need Pricebook (the PricebookEntry query of
	// a product's first sync) and StandardPricebookID.
	Products ProductSource
	// StandardPricebookID is the org's standard price book, where product
	// syncs keep one active PricebookEntry per product key (per active
	// currency in a multi-currency org); required with Products. When the
	// Mapper targets Orders priced from another price book
	// (mapper.Config.Pricebook2ID), product syncs keep that book's entries
	// too, each after its standard one, as Salesforce takes a custom
	// price only for a product with an active standard price.
	StandardPricebookID string
	// StoreCurrency is the ISO code of the currency the BigCommerce catalog
	// prices are in, for a multi-currency Mapper: the entry of another
	// currency gets the price converted with the org's conversion rates
	// (CurrencyType.ConversionRate). Default: the org's corporate currency.
	StoreCurrency string

	// Concurrency is the number of goroutines that dequeue and claim
	// tasks, and the most BigCommerce calls the Worker makes at once;
	// default 4.
	Concurrency int
	// Lease is the queue lease and the Store claim of one task; default
	// 5 minutes. It must outlast a fetch, MaxBatchWait and a graph call.
	Lease time.Duration
	// BatchSize is the most orders per Composite Graph call, 1 to 75;
	// default 75 (salesforce.MaxGraphs).
	BatchSize int
	// MaxInFlight is the most Composite Graph calls in flight at once;
	// default 4 (DefaultMaxInFlight explains the choice). 1 sends one call
	// at a time.
	MaxInFlight int
	// MaxBatchWait is the longest an order that could be sent waits because
	// other orders are still being fetched and could join its call, and the
	// longest the newest pending ids wait for company while a BigCommerce
	// call is in flight; default 5 s. It only bounds a wait that a slow
	// fetch stretches: an order is sent as soon as nothing more is being
	// fetched, and read as soon as no call is in flight.
	MaxBatchWait time.Duration

	// MaxAttempts is the delivery attempt after which a transient failure
	// dead-letters the task; default 8. The retries this Worker made because
	// the task's key or order was held by another task, or because
	// Salesforce failed whole calls for longer than half the task's lease,
	// do not count; those another process made do.
	MaxAttempts int
	// Backoff gives the delay before attempt+1 after a transient failure
	// of attempt (from 1); default ExponentialBackoff(1 s, 5 min).
	Backoff func(attempt int) time.Duration
	// RateLimitDelay is the wait after a rate limit that names no delay;
	// default 30 s. The whole pool stops dequeuing for that long.
	RateLimitDelay time.Duration
	// InFlightDelay is the retry delay of a task whose key, or whose order,
	// another task holds (a sync of one order runs at a time); default 5 s.
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
	// Hooks, when set, follow each delivery through its stages, for
	// tracing; default none. See Hooks.
	Hooks Hooks
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// settleTimeout bounds each Ack, Retry, DeadLetter, Complete and Release,
// which run on a context of their own so that they happen even after Run's
// context and the drain have ended.
const settleTimeout = 5 * time.Second

// Worker syncs queued Tasks to Salesforce. Build it with NewWorker and start
// it with Run.
//
// Concurrency goroutines dequeue tasks (each under a lease) and claim the
// task's key and its order (Store.StartSync) in the Store. A fetcher reads
// the claimed orders from BigCommerce, with up to Concurrency calls at once,
// by the same rule as the batcher below: an order that is pending alone,
// with no call in flight, is read at once with one OrderSource call (a quiet
// store spends one BigCommerce call per order); orders pending together, as
// in a burst or a backfill, at least one in 16 of the ids in their range,
// are read in one page of up to 250 (OrderLister.List with min_id, max_id and
// the line items inlined), and the newest run waits for company while a call
// is in flight, at most MaxBatchWait. An order a page did not return
// (BigCommerce does not list every order, Incomplete ones for instance) is
// then read alone, as are the orders of a page that failed for another
// reason than a rate limit; a rate limit pauses the pool and reads the page
// again, without counting an attempt against its orders. The Worker holds at
// most 4 × 250 + Concurrency deliveries before their fetch, and when it
// reaches that bound it dequeues again only once a page's worth has moved
// on, so that what it dequeues next is read in pages too.
//
// Each order read is mapped and checked against the version last written
// (see "Never stale, never lost" in the package documentation): an order
// already covered by a finished sync, older than what was written, or
// unchanged since, is acknowledged without a write. Mapped orders go to one
// batcher, which sends them in Composite Graph
// calls of up to BatchSize (75) orders and 500 nodes, with up to MaxInFlight
// (4) calls at once, and never waits on a timer for company:
//
//   - an order goes at once when no call is in flight and no other order is
//     being fetched;
//   - while calls are in flight, orders wait; when a call returns, everything
//     waiting is sent;
//   - a full call goes as soon as fewer than MaxInFlight calls are in flight;
//   - an order that could go waits for orders still being fetched, which
//     could join its call, for at most MaxBatchWait (5 s);
//   - an order waits while a call in flight writes one of its records (the
//     same order, or an order of the same customer), so that two calls never
//     contend for the same rows.
//
// A quiet store thus spends one Salesforce call per order, and a busy one
// one per 75; the Order target adds up to two queries per call (see
// WorkerConfig.Pricebook). The syncs of one order run one at a time: a task
// whose order another task holds is retried after InFlightDelay. The Worker holds at
// most (MaxInFlight+1) × BatchSize deliveries past their fetch, and stops
// dequeuing while it does.
//
// Customer and product tasks (KindCustomer, KindProduct) are claimed the
// same way and then batched per kind, one call of each kind at a time:
// what waits goes at once when no call of its kind is in flight, and up to
// BatchSize together when one returns. A batch costs one BigCommerce read
// and one Composite Graph call (products add one PricebookEntry query the
// first time the Worker writes them);
// see "Customers and products" in the package documentation.
//
// How a failure is settled depends on what it is about. A failure of a
// whole call is not a failure of each order in it:
//
//   - a Composite Graph call (or its Order-target lookups) that fails as a
//     whole for a reason not about its orders (a 503, a timeout, an expired
//     session, a rate limit, an answer that cannot be read): its orders wait
//     in memory, holding their claims, and are written again without
//     counting an attempt. The Worker keeps one view of Salesforce's health
//     for all its calls: each such failure halves the calls allowed in
//     flight (down to one) and holds every call back for the wait the
//     server asked for, else 50 ms doubled per failure in a row up to 30 s;
//     each call that goes through lets one more fly and ends the breaker's
//     hold. An order whose lease is half gone goes back to the queue instead
//     (Retry, not counted against MaxAttempts). An order that was in
//     several failed calls is then sent alone, and if that call fails while
//     the org otherwise answers, the failure is the order's;
//   - a page of orders that fails as a whole (a rate limit, an expired
//     credential, a 5xx) pauses the pool and is read again, without
//     counting an attempt (after three failures in a row for a reason one of
//     its orders could cause, its orders are read one by one); an order
//     read alone that hits a rate limit or an expired credential is read
//     again after the pause, likewise;
//   - a graph that fails on a node with a transient error (UNABLE_TO_LOCK_ROW
//     and the like, see below) is written again from memory, alone among its
//     call's graphs, after 20 ms doubling to 1 s, up to 5 times, before the
//     task goes back to the queue as below. Such orders do not wait for a
//     call in flight to return;
//   - a graph that Salesforce did not process because more than 14 other
//     graphs of its call failed (every node PROCESSING_HALTED) was never
//     tried: it is written again from memory at once, up to 8 times in a
//     row, without counting against those 5 (customer and product graphs
//     alike, within their sync).
//
// The failures about a task, and those not known to be about anything:
//
//   - rate limits (bigcommerce.ErrRateLimited, salesforce
//     ErrRequestLimitExceeded, ErrUsageCeiling, HTTP 429) that reach this
//     point: Release and Retry after the server's delay (RateLimitDelay, 30
//     s, when it names none), and no goroutine dequeues until that delay
//     has passed;
//   - transient errors (Retryable in the client packages, UNABLE_TO_LOCK_ROW
//     in a graph node after its retries from memory, DUPLICATE_VALUE and
//     INVALID_FIELD_FOR_INSERT_UPDATE, which two concurrent syncs of the
//     same new order cause, a 5xx on an order read alone, Store errors, and
//     any error not known to be about the data): Release and Retry after
//     Backoff;
//   - once a delivery's Attempt reaches MaxAttempts (8), not counting the
//     retries this Worker made while another task held the key or the
//     order, or while Salesforce failed, either of the above dead-letters
//     the task instead;
//   - data errors (a 4xx from BigCommerce such as a deleted order, an order
//     with more line items than the client reads
//     (bigcommerce.ErrTooManyLineItems) or an essential field without a
//     usable value (*bigcommerce.FieldError), a mapper.ErrInvalidOrder, a graph
//     node error such as
//     REQUIRED_FIELD_MISSING or STRING_TOO_LONG, a body that is not a Task):
//     DeadLetter at once, with a reason naming the order and the errors.
//
// Nothing is retried forever and nothing is dropped without a dead letter.
type Worker struct {
	cfg    WorkerConfig
	log    *slog.Logger
	target mapper.Target
	// multiCurrency keys the PricebookEntries by currency (the Mapper's
	// Config.MultiCurrency).
	multiCurrency bool
	stats         counters
	running       atomic.Bool
	gate          *gate        // of the current Run
	entities      *entities    // of the current Run
	currencies    currencyMemo // the org's active currencies, read once
	// onlyFull is a test hook: see batcher.onlyFull.
	onlyFull bool
	// nodeRetry bounds the retries from memory after a node-level failure:
	// maxNodeRetries after nodeRetryBase doubling to nodeRetryCap; tests
	// shorten it.
	nodeRetry struct {
		max       int
		base, cap time.Duration
	}
	// pauseUntil is a Unix time in nanoseconds before which no goroutine
	// dequeues, set by rate limits.
	pauseUntil atomic.Int64
	// waits counts the retries of messages whose order was held.
	waits waitLog
}

// NewWorker checks cfg, fills its defaults and returns a Worker. It fails
// with an error wrapping ErrInvalidConfig when Queue, Store, Orders, Graphs
// or Mapper is nil, when the Mapper targets mapper.TargetOrder without
// Pricebook, when Products is set without Pricebook or a valid
// StandardPricebookID, when StoreCurrency is not a three-letter code, when
// PricebookKeyField is not a field path, or when BatchSize is above 75 or a
// duration is negative.
func NewWorker(cfg WorkerConfig) (*Worker, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	w := &Worker{
		cfg:           cfg,
		log:           cfg.Logger,
		target:        cfg.Mapper.Config().Target,
		multiCurrency: cfg.Mapper.Config().MultiCurrency,
		stats:         counters{skipReasons: map[string]int64{}},
	}
	w.nodeRetry.max, w.nodeRetry.base, w.nodeRetry.cap = maxNodeRetries, nodeRetryBase, nodeRetryCap
	return w, nil
}

func (c *WorkerConfig) fill() error {
	var problems []string
	for _, m := range []struct {
		missing bool
		name    string
	}{
		{isNil(c.Queue), "Queue"}, {isNil(c.Store), "Store"}, {isNil(c.Orders), "Orders"},
		{isNil(c.Graphs), "Graphs"}, {c.Mapper == nil, "Mapper"},
	} {
		if m.missing {
			problems = append(problems, m.name+" is nil")
		}
	}
	if c.Mapper != nil && c.Mapper.Config().Target == mapper.TargetOrder && isNil(c.Pricebook) {
		problems = append(problems, "Pricebook is nil but the Mapper targets Order")
	}
	problems = append(problems, c.entityProblems()...)
	if c.PricebookKeyField != "" {
		if err := salesforce.CheckFieldPath(c.PricebookKeyField); err != nil {
			problems = append(problems, fmt.Sprintf("PricebookKeyField %q cannot go into SOQL: %v", c.PricebookKeyField, err))
		}
	}
	if c.BatchSize < 0 || c.BatchSize > salesforce.MaxGraphs {
		problems = append(problems, fmt.Sprintf("BatchSize %d is outside 1-%d", c.BatchSize, salesforce.MaxGraphs))
	}
	for _, d := range []struct {
		v    time.Duration
		name string
	}{
		{c.Lease, "Lease"}, {c.MaxBatchWait, "MaxBatchWait"}, {c.RateLimitDelay, "RateLimitDelay"},
		{c.InFlightDelay, "InFlightDelay"}, {c.DrainTimeout, "DrainTimeout"},
	} {
		if d.v < 0 {
			problems = append(problems, d.name+" is negative")
		}
	}
	if c.Concurrency < 0 || c.MaxAttempts < 0 || c.MaxInFlight < 0 {
		problems = append(problems, "Concurrency, MaxInFlight and MaxAttempts must not be negative")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, joinProblems(problems))
	}
	setDefault(&c.Concurrency, DefaultConcurrency)
	setDefault(&c.BatchSize, salesforce.MaxGraphs)
	setDefault(&c.MaxAttempts, DefaultMaxAttempts)
	setDefault(&c.Lease, DefaultLease)
	setDefault(&c.MaxInFlight, DefaultMaxInFlight)
	setDefault(&c.MaxBatchWait, DefaultMaxBatchWait)
	setDefault(&c.RateLimitDelay, DefaultRateLimitDelay)
	setDefault(&c.InFlightDelay, DefaultInFlightDelay)
	setDefault(&c.DrainTimeout, DefaultDrainTimeout)
	setDefault(&c.PricebookKeyField, DefaultPricebookKeyField)
	if c.Backoff == nil {
		c.Backoff = ExponentialBackoff(DefaultBackoffBase, DefaultBackoffCap)
	}
	if c.Logger == nil {
		c.Logger = discardLogger()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Run works until ctx ends, then drains: it stops dequeuing, lets fetches
// in progress finish and sends the last batch within DrainTimeout (10 s),
// gives back every task it could not finish (Store.Release and Queue.Retry
// with no delay), and returns nil. It returns an error wrapping
// idempotency.ErrClosed, after the same drain, when the queue was closed
// under it, and ErrRunning when the Worker is already running.
func (w *Worker) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer w.running.Store(false)
	w.gate = newGate(4*DefaultPageSize+w.cfg.Concurrency, (w.cfg.MaxInFlight+1)*w.cfg.BatchSize+DefaultPageSize, DefaultPageSize)

	// Work runs on its own context so that a fetch or graph call started
	// before ctx ended may finish; the drain timer ends it.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	stopDrainTimer := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(w.cfg.DrainTimeout, cancelWork)
		context.AfterFunc(workCtx, func() { t.Stop() })
	})
	defer stopDrainTimer()

	w.entities = w.startEntities(workCtx)
	items := make(chan fetched)
	claimed := make(chan *job)
	var (
		wg      sync.WaitGroup
		errOnce sync.Once
		stopErr error
	)
	for range w.cfg.Concurrency {
		wg.Go(func() {
			if err := w.dequeueLoop(ctx, workCtx, claimed, items); err != nil {
				errOnce.Do(func() { stopErr = err })
			}
		})
	}
	fetched := make(chan struct{})
	go func() {
		w.fetchLoop(workCtx, claimed, items)
		close(fetched)
	}()
	done := make(chan struct{})
	go func() {
		w.batchLoop(workCtx, items)
		close(done)
	}()
	wg.Wait()
	w.entities.stop() // sends what waits, after the last hand-over
	close(claimed)
	<-fetched
	close(items)
	<-done
	return stopErr
}

// waitPause blocks while a rate limit pauses the pool.
func (w *Worker) waitPause(ctx context.Context) error {
	for {
		until := w.pauseUntil.Load()
		d := time.Duration(until - w.cfg.Now().UnixNano())
		if until == 0 || d <= 0 {
			return ctx.Err()
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// pause stops dequeuing for d from now, unless a longer pause is on.
func (w *Worker) pause(d time.Duration) {
	until := w.cfg.Now().Add(d).UnixNano()
	for {
		cur := w.pauseUntil.Load()
		if cur >= until || w.pauseUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func joinProblems(p []string) string {
	s := p[0]
	for _, x := range p[1:] {
		s += "; " + x
	}
	return s
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
)

// job is one delivery the Worker holds, with its Store claims.
type job struct {
	d     *idempotency.Delivery
	task  Task
	token string // Store claim token; empty when nothing was claimed
	log   *slog.Logger
	// syncToken holds the order's sync claim (Store.StartSync) from before
	// the fetch until the job is settled; empty when none is held.
	syncToken string
	// written is the version the Store records as written for the order;
	// version is the version of the order this job fetched.
	written string
	version orderVersion
	// waited is how many of the delivery's attempts this Worker spent
	// waiting for another task's claim; they do not count to MaxAttempts.
	waited int
	// ctx is the task's context from Hooks.Task (the work context without
	// it), and end, when set, reports the Result to the hook.
	ctx context.Context
	end func(Result)
	// pageFails counts the pages with this job that failed in a row.
	pageFails int
}

// item is one mapped order waiting in a batch, with every delivery it
// settles.
type item struct {
	order  *bigcommerce.Order
	result mapper.Result
	jobs   []*job
	since  time.Time // when it joined the batcher's waiting list
	// notBefore delays the item's next write, after a node-level failure.
	notBefore time.Time
	// nodeRetries and callFails count the item's writes that failed on a
	// node of its graph (and were retried from memory), and with the whole
	// call.
	nodeRetries, callFails int
	// halts counts the item's writes that Salesforce halted, blaming none
	// of its nodes, after too many other graphs of the call failed.
	halts int
}

// claim decodes a delivery, claims its key in the Store and then its order
// (Store.StartSync). It settles the delivery itself and returns nil when
// there is no order to fetch: a body that is not a Task, a key done already
// or claimed by another worker, an order covered by a finished sync or held
// by another task, or a Store failure; a customer or product task is handed
// to its kind's loop (routeEntity) and nil returned too. Otherwise the job
// holds the order's sync claim until it is settled.
func (w *Worker) claim(ctx context.Context, d *idempotency.Delivery) *job {
	j := &job{d: d, log: w.log.With("key", d.Key, "attempt", d.Attempt), waited: w.waits.count(d.ID)}
	task, err := DecodeTask(d.Body)
	if err != nil {
		w.dead(j, Result{Cause: CauseInvalidTask}, fmt.Sprintf("message %s: %v", d.ID, err))
		return nil
	}
	task.Generation = task.SyncGeneration(d.Key)
	j.task = task
	j.log = j.log.With(task.syncKind()+"_id", task.ID())
	w.taskHook(ctx, j)
	ctx = j.ctx

	claim, err := w.cfg.Store.Begin(ctx, d.Key, w.cfg.Lease)
	if err != nil {
		w.fail(ctx, j, Result{}, fmt.Errorf("claim: %w", err))
		return nil
	}
	switch claim.Status {
	case idempotency.Done:
		w.ack(j, Result{Outcome: OutcomeSkipped, SkipCode: SkipAlreadyDone, Reason: SkipAlreadyDone + ": key is done in the store"})
		return nil
	case idempotency.InFlight:
		w.retryHeld(j, "key is claimed by another worker")
		return nil
	}
	j.token = claim.Token
	if task.EntityKind() != KindOrder {
		w.routeEntity(ctx, j)
		return nil
	}
	if !w.startSync(ctx, j) {
		return nil
	}
	return j
}

// toWrite maps a fetched order for its deliveries and checks it against the
// version each last wrote (see "Never stale, never lost" in the package
// documentation). It settles the deliveries itself and returns nil when the
// mapper skips the order or fails, or when no delivery is left to write;
// otherwise it returns the item for the batcher.
func (w *Worker) toWrite(ctx context.Context, order *bigcommerce.Order, jobs []*job) *item {
	res, err := w.cfg.Mapper.Map(order)
	if err != nil {
		for _, j := range jobs {
			w.fail(ctx, j, Result{}, fmt.Errorf("map order %d: %w", order.ID, err))
		}
		return nil
	}
	if res.Skipped() {
		w.markVersion(order, jobs)
		for _, j := range jobs {
			w.complete(j, Result{
				Outcome:  OutcomeSkipped,
				SkipCode: string(res.Skip.Code),
				Reason:   string(res.Skip.Code) + ": " + res.Skip.Message,
				Warnings: res.Warnings,
			})
		}
		return nil
	}
	var keep []*job
	for _, j := range jobs {
		j.version = versionOf(order, &res)
		if code := freshness(j.written, j.version, j.task.Force); code != "" {
			w.markVersion(order, []*job{j})
			w.complete(j, Result{
				Outcome: OutcomeSkipped, SkipCode: code, Warnings: res.Warnings,
				Reason: fmt.Sprintf("%s: order %d modified at %s; Salesforce holds the version %s",
					code, order.ID, order.DateModified.UTC().Format(time.RFC3339), j.written),
			})
			continue
		}
		keep = append(keep, j)
	}
	if len(keep) == 0 {
		return nil
	}
	return &item{order: order, result: res, jobs: keep}
}

// SkipAlreadyDone is the Result.SkipCode of a task whose key the Store holds
// as done: a redelivery of work already finished.
const SkipAlreadyDone = "already_done"

// graphID names the graph of an order; ids are unique within a batch.
func graphID(orderID int64) string { return "order_" + strconv.FormatInt(orderID, 10) }

// pageDensity sets when a page is worth it: when at least one id in
// pageDensity of the range it spans is pending. Pages are for runs of nearly
// consecutive ids, as a burst of new orders or a backfill gives; ids far from
// every other, as edits of old orders give, are read alone rather than with
// hundreds of orders nobody asked for.
const pageDensity = 16

// fetchPlan is one BigCommerce call of the fetcher: the orders ids (in
// ascending order), read alone when there is one, else as the page of ids
// ids[0] to ids[len-1].
type fetchPlan struct{ ids []int64 }

func (p fetchPlan) page() bool { return len(p.ids) > 1 }

// planRuns splits sorted, distinct order ids into runs that one call can
// fetch, from the lowest: the ids within pageSize of the lowest form a page
// when they are at least two and fill at least 1/pageDensity of the range
// they span; otherwise the lowest is read alone.
func planRuns(ids []int64, pageSize int) []fetchPlan {
	var out []fetchPlan
	for len(ids) > 0 {
		n := firstRun(ids, pageSize)
		out = append(out, fetchPlan{ids: ids[:n:n]})
		ids = ids[n:]
	}
	return out
}

// firstRun returns the length of the first run of planRuns.
func firstRun(ids []int64, pageSize int) int {
	j := 0
	for j+1 < len(ids) && ids[j+1]-ids[0] < int64(pageSize) {
		j++
	}
	if n := j + 1; n >= 2 && int64(n)*pageDensity >= ids[j]-ids[0]+1 {
		return n
	}
	return 1
}

// fetcher decides which BigCommerce calls fetch the claimed deliveries. It
// is owned by the goroutine running Worker.fetchLoop.
//
// Pending deliveries are grouped by order id (two deliveries of one order are
// fetched once), and the ids split into runs (planRuns). Every run but the
// one with the highest ids is fetched as soon as a call is free: no id that
// arrives later can join it. The last run, where the ids of new orders
// land, is fetched at once when no call is in flight, and otherwise waits
// for one to return, so that a burst is read in full pages; it waits at most
// maxWait.
type fetcher struct {
	pageSize    int
	maxInFlight int
	maxWait     time.Duration

	pending  map[int64]*pendingOrder
	ids      []int64 // the keys of pending, sorted
	inFlight int
	// backlogAt is when the last delivery that waited in the queue for
	// backlogAge or more arrived: messages are then likely queued right
	// behind it.
	backlogAt time.Time
}

// backlogAge and backlogGrace shape the wait of the newest run when no call
// is in flight: after a delivery that waited in the queue for backlogAge (a
// backlog is draining), the run waits until no delivery has arrived for
// backlogGrace, so that the deliveries queued behind it are read with it
// rather than one call each. An order that arrives at a quiet store is read
// at once.
const (
	backlogAge   = time.Second
	backlogGrace = 20 * time.Millisecond
)

// pendingOrder is the deliveries of one order that wait for a fetch.
type pendingOrder struct {
	jobs  []*job
	since time.Time
}

func newFetcher(pageSize, maxInFlight int, maxWait time.Duration) *fetcher {
	return &fetcher{pageSize: pageSize, maxInFlight: maxInFlight, maxWait: maxWait, pending: map[int64]*pendingOrder{}}
}

func (f *fetcher) add(j *job, now time.Time) {
	id := j.task.OrderID
	if j.d != nil && !j.d.EnqueuedAt.IsZero() && now.Sub(j.d.EnqueuedAt) >= backlogAge {
		f.backlogAt = now
	}
	if p, ok := f.pending[id]; ok {
		p.jobs = append(p.jobs, j)
		return
	}
	f.pending[id] = &pendingOrder{jobs: []*job{j}, since: now}
	if n := len(f.ids); n == 0 || f.ids[n-1] < id {
		f.ids = append(f.ids, id) // new orders come in id order
	} else {
		i, _ := slices.BinarySearch(f.ids, id)
		f.ids = slices.Insert(f.ids, i, id)
	}
}

// next returns the next call to make, with the deliveries it serves by
// order id, or ok false; wake is then when the decision may change with no
// other event (the zero time for none). draining fetches everything without
// waiting.
func (f *fetcher) next(now time.Time, draining bool) (plan fetchPlan, jobs map[int64][]*job, wake time.Time, ok bool) {
	if f.inFlight >= f.maxInFlight || len(f.pending) == 0 {
		return fetchPlan{}, nil, time.Time{}, false
	}
	n := firstRun(f.ids, f.pageSize)
	plan = fetchPlan{ids: slices.Clone(f.ids[:n])}
	// The newest run, which later ids could join, waits for company while a
	// call is in flight, or right after a backlog's delivery.
	open := n == len(f.ids) && !draining &&
		len(plan.ids) < f.pageSize && plan.ids[len(plan.ids)-1]-plan.ids[0] < int64(f.pageSize)-1
	switch {
	case open && f.inFlight == 0 && now.Sub(f.backlogAt) < backlogGrace:
		return fetchPlan{}, nil, f.backlogAt.Add(backlogGrace), false
	case open && f.inFlight > 0:
		oldest := now
		for _, id := range plan.ids {
			if s := f.pending[id].since; s.Before(oldest) {
				oldest = s
			}
		}
		if now.Sub(oldest) < f.maxWait {
			return fetchPlan{}, nil, oldest.Add(f.maxWait), false
		}
	}
	jobs = make(map[int64][]*job, len(plan.ids))
	for _, id := range plan.ids {
		jobs[id] = f.pending[id].jobs
		delete(f.pending, id)
	}
	f.ids = slices.Delete(f.ids, 0, n)
	f.inFlight++
	return plan, jobs, time.Time{}, true
}

// putBack returns deliveries whose fetch did not happen to the pending set.
func (f *fetcher) putBack(jobs map[int64][]*job, now time.Time) {
	for _, js := range jobs {
		for _, j := range js {
			f.add(j, now)
		}
	}
}

// fetchDone is what a fetch reports to the fetcher when it is over: the
// deliveries to fetch again, after the pause a rate limit set.
type fetchDone struct {
	again map[int64][]*job
}

// dequeueLoop dequeues until ctx ends or the queue is closed, claims each
// delivery and hands it to the fetcher; a delivery settled at once is
// reported straight to the batcher.
func (w *Worker) dequeueLoop(ctx, workCtx context.Context, claimed chan<- *job, in chan<- fetched) error {
	for {
		if err := w.waitPause(ctx); err != nil {
			return nil
		}
		if err := w.gate.acquire(ctx); err != nil {
			return nil
		}
		d, err := w.cfg.Queue.Dequeue(ctx, w.cfg.Lease)
		w.gate.dequeued(err == nil)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, idempotency.ErrClosed):
			return fmt.Errorf("pipeline: worker stopped: %w", err)
		default:
			w.log.Error("dequeue failed", "err", err)
			if sleep(ctx, time.Second) != nil {
				return nil
			}
			continue
		}
		w.stats.dequeued.Add(1)
		if j := w.claim(workCtx, d); j != nil {
			claimed <- j
		} else {
			in <- fetched{jobs: 1}
		}
	}
}

// fetchLoop runs the fetcher: it takes the claimed deliveries, makes the
// BigCommerce calls by the fetcher's rule, each from a goroutine of its own,
// and hands what they read to the batcher. While a rate limit pauses the
// pool it makes no call. When claimed closes it fetches everything pending
// (or gives it back, during a pause or once ctx has ended), waits for every
// call, and returns.
func (w *Worker) fetchLoop(ctx context.Context, claimed <-chan *job, in chan<- fetched) {
	f := newFetcher(DefaultPageSize, w.cfg.Concurrency, w.cfg.MaxBatchWait)
	if _, ok := w.cfg.Orders.(OrderLister); !ok {
		f.pageSize = 1 // a source that cannot list reads every order alone
	}
	done := make(chan fetchDone)
	var calls sync.WaitGroup
	defer calls.Wait()
	var timer *time.Timer
	var timerC <-chan time.Time
	draining := false
	ctxDone := ctx.Done()
	for {
		now := time.Now()
		var wake time.Time
		paused := time.Duration(w.pauseUntil.Load() - w.cfg.Now().UnixNano())
		switch {
		case draining && (paused > 0 || ctx.Err() != nil):
			w.giveBackPending(f, in)
		case paused > 0:
			wake = now.Add(paused)
		default:
			for {
				plan, jobs, at, ok := f.next(now, draining)
				if !ok {
					wake = at
					break
				}
				calls.Go(func() { done <- w.fetch(ctx, plan, jobs, in) })
			}
		}
		if draining && f.inFlight == 0 && len(f.pending) == 0 {
			return
		}
		if timer != nil {
			timer.Stop()
			timer, timerC = nil, nil
		}
		if !wake.IsZero() {
			timer = time.NewTimer(wake.Sub(now))
			timerC = timer.C
		}
		select {
		case j, ok := <-claimed:
			if !ok {
				claimed, draining = nil, true
				continue
			}
			f.add(j, time.Now()) // not now: the select may have waited long
		case d := <-done:
			f.inFlight--
			f.putBack(d.again, time.Now())
		case <-timerC:
			timer, timerC = nil, nil
		case <-ctxDone:
			ctxDone = nil
		}
	}
}

// giveBackPending gives every pending delivery back to the queue.
func (w *Worker) giveBackPending(f *fetcher, in chan<- fetched) {
	for id, p := range f.pending {
		for _, j := range p.jobs {
			w.giveBack(j)
		}
		in <- fetched{jobs: len(p.jobs)}
		delete(f.pending, id)
	}
	f.ids = f.ids[:0]
}

// fetch makes the call of plan and hands each order it read to the batcher.
// A page is one call for every order it spans; an order the page did not
// return (one that is not listed, such as an Incomplete or deleted one) is
// then read alone, and so is every order of a page that failed for another
// reason than a rate limit, so that an error is only ever blamed on the order
// it is about. A rate limit on a page pauses the pool and gives the page's
// deliveries back to the fetcher, without counting an attempt.
func (w *Worker) fetch(ctx context.Context, plan fetchPlan, jobs map[int64][]*job, in chan<- fetched) fetchDone {
	again := fetchDone{again: map[int64][]*job{}}
	if plan.page() {
		var pageJobs []*job
		for _, id := range plan.ids {
			pageJobs = append(pageJobs, jobs[id]...)
		}
		cctx, end := w.callHook(ctx, StageFetch, pageJobs)
		orders, err := w.fetchPage(cctx, plan)
		end(err)
		if err != nil {
			if delay, ok := w.pageAgain(ctx, err, jobs); ok {
				w.log.Warn("page of orders failed as a whole; fetching it again after a wait",
					"min_id", plan.ids[0], "max_id", plan.ids[len(plan.ids)-1], "delay", delay, "err", err)
				return fetchDone{again: jobs}
			}
			w.log.Warn("page of orders failed; reading its orders one by one",
				"min_id", plan.ids[0], "max_id", plan.ids[len(plan.ids)-1], "err", err)
		}
		var items []*item
		handled := 0
		for i := range orders {
			o := &orders[i]
			js, ok := jobs[o.ID]
			if !ok {
				continue
			}
			delete(jobs, o.ID)
			w.stats.ordersRead.Add(1)
			handled += len(js)
			if it := w.toWrite(ctx, o, js); it != nil {
				items = append(items, it)
			}
		}
		if handled > 0 {
			in <- fetched{items: items, jobs: handled}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(jobs)) {
		js := jobs[id]
		w.stats.bigcommerceCalls.Add(1)
		cctx, end := w.callHook(ctx, StageFetch, js)
		order, err := w.cfg.Orders.Get(cctx, id)
		end(err)
		f := fetched{jobs: len(js)}
		if err != nil {
			if kind, delay := classify(err); ctx.Err() == nil && (kind == kindRateLimit || isAuth(err)) {
				// Not about the order: read it again after the wait,
				// without counting an attempt.
				w.pause(w.bcDelay(kind, delay))
				again.again[id] = js
				continue
			}
			for _, j := range js {
				w.fail(ctx, j, Result{}, fmt.Errorf("fetch order %d: %w", id, err))
			}
		} else {
			w.stats.ordersRead.Add(1)
			if it := w.toWrite(ctx, order, js); it != nil {
				f.items = []*item{it}
			}
		}
		in <- f
	}
	return again
}

// pageAgain decides what follows a page that failed as a whole: a rate
// limit, an expired credential or a failure of the store (5xx, timeout)
// pauses the pool and reads the page again, without counting an attempt
// against its orders, up to maxPageFailures times in a row for the
// failures that could be caused by an order in it; any other error, and
// then those too, has the orders read one by one, so that an error is only
// ever blamed on the order it is about.
func (w *Worker) pageAgain(ctx context.Context, err error, jobs map[int64][]*job) (time.Duration, bool) {
	kind, delay := classify(err)
	if ctx.Err() != nil || kind == kindData {
		return 0, false
	}
	if kind != kindRateLimit && !isAuth(err) {
		for _, js := range jobs {
			for _, j := range js {
				if j.pageFails >= maxPageFailures {
					return 0, false
				}
			}
		}
		for _, js := range jobs {
			for _, j := range js {
				j.pageFails++
			}
		}
	}
	delay = w.bcDelay(kind, delay)
	w.pause(delay)
	return delay, true
}

// maxPageFailures is how many times in a row a page that failed for a
// reason that could be one of its orders' is read again before its orders
// are read one by one.
const maxPageFailures = 3

// bcDelay is the wait after a BigCommerce call that failed as a whole: the
// server's, else RateLimitDelay for a rate limit, else the breaker's short
// backoff.
func (w *Worker) bcDelay(kind failureKind, delay time.Duration) time.Duration {
	switch {
	case delay > 0:
		return delay
	case kind == kindRateLimit:
		return w.cfg.RateLimitDelay
	}
	return exponentialBackoff(healthBase, healthCap)(1)
}

// fetchPage reads the orders of plan's ids in one call of the OrderLister,
// with their line items.
func (w *Worker) fetchPage(ctx context.Context, plan fetchPlan) ([]bigcommerce.Order, error) {
	lo, hi := plan.ids[0], plan.ids[len(plan.ids)-1]
	limit := int(hi - lo + 1)
	w.stats.bigcommerceCalls.Add(1)
	w.stats.orderPages.Add(1)
	// Sized for the plan's orders, which fill most of the range (orders in
	// it that are not pending come back too), so that the slice is not
	// grown by copies of whole orders.
	out := make([]bigcommerce.Order, 0, len(plan.ids))
	opts := bigcommerce.ListOrdersOptions{MinID: lo, MaxID: hi, Sort: "id:asc", WithLineItems: true, PageSize: limit}
	for o, err := range w.cfg.Orders.(OrderLister).List(ctx, opts) {
		if err != nil {
			return nil, err
		}
		out = append(out, o)
		if len(out) >= limit {
			break // the ids are distinct: the page holds every order in range
		}
	}
	return out, nil
}

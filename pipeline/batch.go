package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/salesforce"
)

// batch is the content of one Composite Graph call: mapped orders by id, in
// arrival order.
type batch struct {
	items map[int64]*item
	order []int64 // order ids in arrival order
	nodes int
	// blame is set on the call of a suspect order sent alone while the org
	// answers: a whole-call failure is then the order's.
	blame bool
}

func newBatch() *batch { return &batch{items: map[int64]*item{}} }

func (b *batch) len() int { return len(b.order) }

// add puts it in the batch; its order must not be in the batch yet.
func (b *batch) add(it *item) {
	id := it.result.OrderID
	b.items[id] = it
	b.order = append(b.order, id)
	b.nodes += len(it.result.Records)
}

// each calls f for every item, in arrival order.
func (b *batch) each(f func(*item)) {
	for _, id := range b.order {
		f(b.items[id])
	}
}

// recordKey names a Salesforce record by its upsert key.
type recordKey struct{ sobject, externalID string }

// fetched is what the fetching side hands to the batcher: the items to
// write, and how many dequeued deliveries it accounts for (those in the items
// and those settled without a write), so that the batcher knows how many
// deliveries are still on their way.
type fetched struct {
	items []*item
	jobs  int
}

// callDone reports the end of one Composite Graph call to the batcher: the
// items to write again, and whether the call failed as a whole (with the
// delay the server asked for) or went through.
type callDone struct {
	b      *batch
	again  []*item
	failed bool
	delay  time.Duration
}

// batcher decides when mapped orders go to Salesforce and with whom. It is
// owned by the goroutine running Worker.batchLoop; nothing in it is shared.
//
// The rule, in the words of the Worker's documentation: an order goes at once
// when no call is in flight and no other order is being fetched; while calls
// are in flight, orders wait, and when a call returns, everything waiting is
// sent. A full call (BatchSize orders or 500 nodes) goes as soon as a slot is
// free, with up to MaxInFlight calls at once. An order never goes while a
// call in flight writes one of its records (the same order, or an order of
// the same customer): the two calls would contend for the same rows.
type batcher struct {
	maxOrders   int
	maxInFlight int
	maxWait     time.Duration
	// onlyFull holds partial calls until the drain; tests set it through
	// Worker.onlyFull to put many orders in one call whatever the timing.
	onlyFull bool

	waiting  []*item         // arrival order
	byOrder  map[int64]*item // waiting items by order id
	nodes    int             // records of the waiting items
	busy     map[recordKey]int
	inFlight int
	health   health
	// returned is set when a call returned since the last partial call was
	// sent: the moment to send what waits.
	returned bool
}

func newBatcher(maxOrders, maxInFlight int, maxWait time.Duration) *batcher {
	return &batcher{
		maxOrders: maxOrders, maxInFlight: maxInFlight, maxWait: maxWait,
		byOrder: map[int64]*item{}, busy: map[recordKey]int{}, health: newHealth(maxInFlight),
	}
}

// add puts a mapped order in the waiting list. A second task of an order
// already waiting joins it, and the more recently modified copy of the order
// is the one written; the joined item keeps its place and its waiting time.
func (b *batcher) add(it *item, now time.Time) {
	id := it.result.OrderID
	if cur, ok := b.byOrder[id]; ok {
		cur.jobs = append(cur.jobs, it.jobs...)
		if it.order.DateModified.After(cur.order.DateModified) {
			b.nodes += len(it.result.Records) - len(cur.result.Records)
			cur.order, cur.result = it.order, it.result
		}
		return
	}
	if it.since.IsZero() {
		it.since = now
	}
	b.byOrder[id] = it
	b.waiting = append(b.waiting, it)
	b.nodes += len(it.result.Records)
}

// isBusy reports whether a call in flight writes one of its records.
func (b *batcher) isBusy(it *item) bool {
	for i := range it.result.Records {
		r := &it.result.Records[i]
		if b.busy[recordKey{r.SObject, r.ExternalID}] > 0 {
			return true
		}
	}
	return false
}

func (b *batcher) mark(it *item, delta int) {
	for i := range it.result.Records {
		r := &it.result.Records[i]
		k := recordKey{r.SObject, r.ExternalID}
		if n := b.busy[k] + delta; n > 0 {
			b.busy[k] = n
		} else {
			delete(b.busy, k)
		}
	}
}

// next returns the batch to send now, or nil. upstream is the number of
// deliveries dequeued and not yet handed over; draining sends whatever is
// ready without waiting for company. When next returns nil, wake is the time
// at which the decision may change with no other event, or the zero time.
func (b *batcher) next(now time.Time, upstream int, draining bool) (out *batch, wake time.Time) {
	if b.inFlight >= b.health.limit || len(b.waiting) == 0 {
		return nil, time.Time{}
	}
	if now.Before(b.health.notBefore) {
		return nil, b.health.notBefore
	}
	if !draining && len(b.waiting) < b.maxOrders && b.nodes <= salesforce.MaxGraphNodes {
		// No call can be full: decide on a partial one before looking at
		// which orders are busy, which costs a pass over their records.
		if b.onlyFull {
			return nil, time.Time{}
		}
		oldest, retry := b.waiting[0].since, false
		for _, it := range b.waiting {
			if it.since.Before(oldest) {
				oldest = it.since
			}
			retry = retry || it.nodeRetries > 0
		}
		if !retry && now.Sub(oldest) < b.maxWait && !((b.inFlight == 0 || b.returned) && upstream == 0) {
			return nil, oldest.Add(b.maxWait)
		}
	}
	cand := newBatch()
	full, retry := false, false
	var oldest, soonest time.Time
	for _, it := range b.waiting {
		if it.notBefore.After(now) {
			if soonest.IsZero() || it.notBefore.Before(soonest) {
				soonest = it.notBefore
			}
			continue
		}
		if b.isBusy(it) {
			continue
		}
		if it.callFails >= suspectAfter {
			if cand.len() == 0 {
				// Sent alone: blamed if it fails while the org answers.
				solo := newBatch()
				solo.add(it)
				solo.blame = b.health.failures == 0
				b.take(solo)
				return solo, time.Time{}
			}
			continue
		}
		n := len(it.result.Records)
		if cand.len() >= b.maxOrders || cand.nodes+n > salesforce.MaxGraphNodes {
			full = true
			break
		}
		cand.add(it)
		retry = retry || it.nodeRetries > 0
		if oldest.IsZero() || it.since.Before(oldest) {
			oldest = it.since
		}
	}
	if cand.len() == 0 {
		return nil, soonest
	}
	full = full || cand.len() >= b.maxOrders
	if !full && !draining && b.onlyFull {
		return nil, time.Time{}
	}
	if !full && !draining && !retry {
		waited := now.Sub(oldest) >= b.maxWait
		mayFlush := b.inFlight == 0 || b.returned
		if !waited && !(mayFlush && upstream == 0) {
			wake := oldest.Add(b.maxWait)
			if !soonest.IsZero() && soonest.Before(wake) {
				wake = soonest
			}
			return nil, wake
		}
	}
	b.take(cand)
	if !full {
		b.returned = false
	}
	return cand, time.Time{}
}

// take moves the batch's items from the waiting list into a call in flight.
func (b *batcher) take(out *batch) {
	kept := b.waiting[:0]
	for _, it := range b.waiting {
		if _, ok := out.items[it.result.OrderID]; ok {
			delete(b.byOrder, it.result.OrderID)
			b.nodes -= len(it.result.Records)
			b.mark(it, 1)
			continue
		}
		kept = append(kept, it)
	}
	clear(b.waiting[len(kept):])
	b.waiting = kept
	b.inFlight++
}

// takeExpiring removes from the waiting list the items half of whose lease
// is gone (see leaseLowAt), to go back to the queue, and returns when the
// next one will be.
func (b *batcher) takeExpiring(now time.Time, lease time.Duration) (out []*item, next time.Time) {
	kept := b.waiting[:0]
	for _, it := range b.waiting {
		at := leaseLowAt(it, lease)
		switch {
		case at.IsZero():
		case !at.After(now):
			out = append(out, it)
			delete(b.byOrder, it.result.OrderID)
			b.nodes -= len(it.result.Records)
			continue
		case next.IsZero() || at.Before(next):
			next = at
		}
		kept = append(kept, it)
	}
	clear(b.waiting[len(kept):])
	b.waiting = kept
	return out, next
}

// leaseLowAt is when half the lease of the item's oldest delivery will be
// gone: from then on the item goes back to the queue rather than wait in
// memory, lest the queue deliver it again meanwhile. It is the zero time
// when the queue named no lease end.
func leaseLowAt(it *item, lease time.Duration) time.Time {
	var at time.Time
	for _, j := range it.jobs {
		if j.d == nil || j.d.LeaseExpiresAt.IsZero() {
			continue
		}
		if t := j.d.LeaseExpiresAt.Add(-lease / 2); at.IsZero() || t.Before(at) {
			at = t
		}
	}
	return at
}

// done records the end of a call: the health of the org, and the items to
// write again, which keep their place in time.
func (b *batcher) done(d callDone, now time.Time) {
	d.b.each(func(it *item) { b.mark(it, -1) })
	b.inFlight--
	b.returned = true
	if d.failed {
		b.health.failed(now, d.delay)
	} else {
		b.health.succeeded()
	}
	for _, it := range d.again {
		b.add(it, now)
	}
}

// batchLoop runs the batcher: it takes what the fetching side hands over and
// sends calls by the batcher's rule, each from a goroutine of its own. When
// in closes it sends everything that waits, waits for every call, and
// returns.
func (w *Worker) batchLoop(ctx context.Context, in <-chan fetched) {
	b := newBatcher(w.cfg.BatchSize, w.cfg.MaxInFlight, w.cfg.MaxBatchWait)
	b.onlyFull = w.onlyFull
	done := make(chan callDone)
	var calls sync.WaitGroup
	defer calls.Wait() // the settling of the last calls
	var timer *time.Timer
	var timerC <-chan time.Time
	draining := false
	for {
		now := time.Now()
		expiring, wake := b.takeExpiring(now, w.cfg.Lease)
		for _, it := range expiring {
			delay := max(b.health.notBefore.Sub(now), 0)
			calls.Go(func() {
				w.giveBackItem(it, delay, "held while Salesforce failed; given back before its lease ends")
			})
		}
		for {
			out, at := b.next(now, w.gate.upstream(), draining)
			if out == nil {
				if wake.IsZero() || !at.IsZero() && at.Before(wake) {
					wake = at
				}
				break
			}
			calls.Go(func() {
				w.writeBatch(ctx, out, func(d callDone) { done <- d })
			})
		}
		if draining && b.inFlight == 0 {
			// With no call in flight no record is busy, so next sent
			// everything it could: what still waits is held back by the
			// org's health or a retry delay, and goes back to the queue.
			for _, it := range b.waiting {
				w.giveBackItem(it, 0, "worker shutting down")
			}
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
		case f, ok := <-in:
			if !ok {
				in, draining = nil, true
				continue
			}
			w.gate.handOver(f.jobs, f.items)
			at := time.Now() // not now: the select may have waited long
			for _, it := range f.items {
				b.add(it, at)
			}
		case d := <-done:
			b.done(d, time.Now())
		case <-w.gate.poke:
		case <-timerC:
			timer, timerC = nil, nil
		}
	}
}

// writeBatch writes a batch in one Composite Graph call and settles each of
// its orders; returned is called as soon as the call is over, before the
// orders are settled, so that the next call need not wait for the settling.
//
// For the Order target it first learns which OrderItems exist and resolves
// the PricebookEntry ids of the new ones (lookups), then builds one graph per
// order (orderGraph) and sends the graphs in as few Composite Graph calls as
// the limits allow (one, for a batch of at most 75 orders and 500 nodes).
//
// What failed without being the orders' fault is not settled but handed
// back to the batcher, to be written again from memory: every order of a
// call that failed as a whole (callFailure), and an order whose graph failed
// on a node with a transient error (UNABLE_TO_LOCK_ROW and the like), up to
// maxNodeRetries times, after a short delay. An order whose lease is half
// gone goes back to the queue instead, without counting an attempt.
func (w *Worker) writeBatch(ctx context.Context, b *batch, returned func(callDone)) {
	var jobs []*job
	b.each(func(it *item) { jobs = append(jobs, it.jobs...) })
	cctx, end := w.callHook(ctx, StageWrite, jobs)
	outcomes, callErr := w.write(cctx, b)
	end(callErr)
	now := time.Now()
	d := callDone{b: b}
	settle := make([]outcome, 0, len(outcomes))
	for _, o := range outcomes {
		switch {
		case o.err == nil || ctx.Err() != nil:
			settle = append(settle, o)
		case o.call:
			again, delay := callFailure(o.err)
			if !again {
				settle = append(settle, o)
				continue
			}
			d.failed, d.delay = true, max(d.delay, delay)
			o.it.callFails++
			if b.blame { // alone, while the org answers: the order's fault
				settle = append(settle, o)
				continue
			}
			d.again = append(d.again, o.it)
		case haltedGraph(o.err) && o.it.halts < maxHalts:
			o.it.halts++
			w.stats.nodeRetries.Add(1)
			d.again = append(d.again, o.it)
		default:
			if kind, _ := classify(o.err); kind != kindTransient || o.it.nodeRetries >= w.nodeRetry.max {
				settle = append(settle, o)
				continue
			}
			o.it.nodeRetries++
			o.it.notBefore = now.Add(exponentialBackoff(w.nodeRetry.base, w.nodeRetry.cap)(o.it.nodeRetries))
			w.stats.nodeRetries.Add(1)
			d.again = append(d.again, o.it)
		}
	}
	if d.failed {
		w.stats.failedGraphCalls.Add(1)
		w.log.Warn("composite graph call failed as a whole; its orders are written again",
			"orders", b.len(), "err", firstCallErr(outcomes))
	}
	var back []*item
	kept := d.again[:0]
	for _, it := range d.again {
		if w.leaseLow(it, now) {
			back = append(back, it)
		} else {
			kept = append(kept, it)
		}
	}
	d.again = kept
	returned(d)
	for _, it := range back {
		w.giveBackItem(it, max(d.delay, time.Second), "held while Salesforce failed; given back before its lease ends")
	}
	// Each order's settling is a few Store and queue round trips of its
	// own: do them side by side, so that the last order of a full call is
	// not reported a hundred round trips after the first.
	var wg sync.WaitGroup
	sem := make(chan struct{}, settleParallel)
	for _, o := range settle {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			w.settleItem(ctx, o)
		})
	}
	wg.Wait()
}

// settleParallel is how many orders of one call are settled at once.
const settleParallel = 16

// firstCallErr returns the error of a failed call, for the log.
func firstCallErr(outcomes []outcome) error {
	for _, o := range outcomes {
		if o.call && o.err != nil {
			return o.err
		}
	}
	return nil
}

// leaseLow reports whether half of the lease of one of the item's
// deliveries is gone (see leaseLowAt).
func (w *Worker) leaseLow(it *item, now time.Time) bool {
	at := leaseLowAt(it, w.cfg.Lease)
	return !at.IsZero() && !at.After(now)
}

// giveBackItem puts the item's deliveries back on the queue after delay,
// as attempts that were no failure of theirs (see waitLog), and ends them
// in the batcher.
func (w *Worker) giveBackItem(it *item, delay time.Duration, reason string) {
	for _, j := range it.jobs {
		w.waits.add(j.d.ID)
		w.retry(j, Result{Warnings: it.result.Warnings}, delay, reason)
	}
	w.gate.settled(len(it.jobs))
}

// outcome is what became of one item in a call: written (err nil, with the
// ids Salesforce returned) or failed with err; call is set when err failed
// the whole call (or its lookups), not the item's graph.
type outcome struct {
	it   *item
	res  Result
	err  error
	call bool
}

// write makes the batch's call and tells, per item, how it went, and the
// error of the first Salesforce call that failed as a whole.
func (w *Worker) write(ctx context.Context, b *batch) ([]outcome, error) {
	outcomes := make([]outcome, 0, b.len())
	failAll := func(err error) ([]outcome, error) {
		b.each(func(it *item) {
			outcomes = append(outcomes, outcome{it: it, res: Result{Warnings: it.result.Warnings}, err: err, call: true})
		})
		return outcomes, err
	}
	if ctx.Err() != nil { // the drain ran out: no call can succeed now
		return failAll(ctx.Err())
	}
	look, err := w.lookups(ctx, b)
	if err != nil {
		return failAll(err)
	}
	var graphs []salesforce.Graph
	byGraph := make(map[string]*item, b.len())
	b.each(func(it *item) {
		g, err := orderGraph(graphID(it.result.OrderID), &it.result, look)
		if err != nil {
			outcomes = append(outcomes, outcome{it: it, res: Result{Warnings: it.result.Warnings},
				err: fmt.Errorf("build graph: %w", err)})
			return
		}
		graphs = append(graphs, g)
		byGraph[g.GraphID] = it
	})
	if len(graphs) == 0 {
		return outcomes, nil
	}
	reqs, err := salesforce.SplitGraphs(graphs)
	if err != nil {
		for _, g := range graphs {
			it := byGraph[g.GraphID]
			outcomes = append(outcomes, outcome{it: it, res: Result{Warnings: it.result.Warnings},
				err: fmt.Errorf("split graphs: %w", err)})
		}
		return outcomes, nil
	}
	var callErr error
	for _, req := range reqs {
		var err error
		outcomes, err = w.send(ctx, byGraph, req, outcomes)
		if callErr == nil {
			callErr = err
		}
	}
	return outcomes, callErr
}

// send makes one Composite Graph call and appends the outcome of each of its
// orders; it returns the call's error.
func (w *Worker) send(ctx context.Context, byGraph map[string]*item, req salesforce.GraphRequest, outcomes []outcome) ([]outcome, error) {
	w.stats.graphCalls.Add(1)
	w.stats.graphOrders.Add(int64(len(req.Graphs)))
	start := time.Now()
	resp, err := w.cfg.Graphs.CompositeGraph(ctx, req)
	w.log.Debug("composite graph call", "orders", len(req.Graphs), "nodes", req.Nodes(),
		"duration", time.Since(start), "err", err)
	for _, g := range req.Graphs {
		it := byGraph[g.GraphID]
		o := outcome{it: it, res: Result{Warnings: it.result.Warnings}}
		switch gr, ok := graphResult(resp, g.GraphID); {
		case err != nil:
			o.err, o.call = fmt.Errorf("composite graph: %w", err), true
		case !ok:
			o.err = fmt.Errorf("composite graph: no result for graph %s", g.GraphID)
		case gr.Err() != nil:
			o.err = gr.Err()
		default:
			o.res.Outcome, o.res.Records = OutcomeSynced, recordIDs(it, gr)
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, err
}

func graphResult(resp *salesforce.GraphResponse, id string) (salesforce.GraphResult, bool) {
	if resp == nil {
		return salesforce.GraphResult{}, false
	}
	return resp.Graph(id)
}

// settleItem settles every delivery of an item after its call.
func (w *Worker) settleItem(ctx context.Context, o outcome) {
	defer w.gate.settled(len(o.it.jobs))
	if o.err != nil {
		w.failItem(ctx, o.it, o.res, o.err)
		return
	}
	w.markVersion(o.it.order, o.it.jobs)
	for _, j := range o.it.jobs {
		w.complete(j, o.res)
	}
}

func (w *Worker) failItem(ctx context.Context, it *item, r Result, err error) {
	for _, j := range it.jobs {
		w.fail(ctx, j, r, err)
	}
}

// recordIDs pairs the order's records with the ids Salesforce returned.
func recordIDs(it *item, gr salesforce.GraphResult) []RecordID {
	ids := make([]RecordID, 0, len(it.result.Records))
	for _, rec := range it.result.Records {
		id := RecordID{SObject: rec.SObject, ExternalIDField: rec.ExternalIDField, ExternalID: rec.ExternalID}
		if sub, ok := gr.Result(rec.Ref); ok {
			id.ID = sub.ID()
		}
		ids = append(ids, id)
	}
	return ids
}

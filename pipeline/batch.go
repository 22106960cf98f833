package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/bc2sf/bc2sf/salesforce"
)

// batch collects mapped orders for one Composite Graph call.
type batch struct {
	items map[int64]*item
	order []int64 // order ids in arrival order
	nodes int
}

func newBatch() *batch { return &batch{items: map[int64]*item{}} }

func (b *batch) len() int { return len(b.order) }

// add puts it in the batch. A second task of an order already waiting joins
// it, and the more recently modified copy of the order is the one written.
func (b *batch) add(it *item) {
	id := it.result.OrderID
	if cur, ok := b.items[id]; ok {
		cur.jobs = append(cur.jobs, it.jobs...)
		if it.order.DateModified.After(cur.order.DateModified) {
			b.nodes += len(it.result.Records) - len(cur.result.Records)
			cur.order, cur.result = it.order, it.result
		}
		return
	}
	b.items[id] = it
	b.order = append(b.order, id)
	b.nodes += len(it.result.Records)
}

// fits reports whether it can join without the batch passing the node limit.
func (b *batch) fits(it *item) bool {
	if _, ok := b.items[it.result.OrderID]; ok {
		return true
	}
	return b.nodes+len(it.result.Records) <= salesforce.MaxGraphNodes
}

// batchLoop collects items and flushes them: when BatchSize orders wait,
// when the next one would pass 500 nodes, Linger after a batch's first order,
// and, when items closes, at once.
func (w *Worker) batchLoop(ctx context.Context, items <-chan *item) {
	cur := newBatch()
	var linger *time.Timer
	var lingerC <-chan time.Time
	flush := func() {
		if linger != nil {
			linger.Stop()
			linger, lingerC = nil, nil
		}
		if cur.len() > 0 {
			w.flush(ctx, cur)
			cur = newBatch()
		}
	}
	for {
		select {
		case it, ok := <-items:
			if !ok {
				flush()
				return
			}
			if !cur.fits(it) {
				flush()
			}
			cur.add(it)
			if cur.len() >= w.cfg.BatchSize {
				flush()
			} else if linger == nil {
				linger = time.NewTimer(w.cfg.Linger)
				lingerC = linger.C
			}
		case <-lingerC:
			linger, lingerC = nil, nil
			flush()
		}
	}
}

// flush writes a batch: for the Order target it first learns which
// OrderItems exist and resolves the PricebookEntry ids of the new ones
// (lookups), then builds one graph per order (orderGraph) and sends the
// graphs in as few Composite Graph calls as the limits allow (one, for a
// batch of at most 75 orders and 500 nodes).
func (w *Worker) flush(ctx context.Context, b *batch) {
	if ctx.Err() != nil { // the drain ran out: no call can succeed now
		for _, id := range b.order {
			w.giveBackAll(b.items[id].jobs)
		}
		return
	}
	look, err := w.lookups(ctx, b)
	if err != nil {
		for _, id := range b.order {
			w.failItem(ctx, b.items[id], Result{}, err)
		}
		return
	}
	var graphs []salesforce.Graph
	byGraph := make(map[string]*item, b.len())
	for _, id := range b.order {
		it := b.items[id]
		g, err := orderGraph(graphID(id), &it.result, look)
		if err != nil {
			w.failItem(ctx, it, Result{Warnings: it.result.Warnings}, fmt.Errorf("build graph: %w", err))
			continue
		}
		graphs = append(graphs, g)
		byGraph[g.GraphID] = it
	}
	if len(graphs) == 0 {
		return
	}
	reqs, err := salesforce.SplitGraphs(graphs)
	if err != nil {
		for _, g := range graphs {
			it := byGraph[g.GraphID]
			w.failItem(ctx, it, Result{Warnings: it.result.Warnings}, fmt.Errorf("split graphs: %w", err))
		}
		return
	}
	for _, req := range reqs {
		w.send(ctx, byGraph, req)
	}
}

// send makes one Composite Graph call and settles each of its orders.
func (w *Worker) send(ctx context.Context, byGraph map[string]*item, req salesforce.GraphRequest) {
	w.stats.graphCalls.Add(1)
	w.stats.graphOrders.Add(int64(len(req.Graphs)))
	start := time.Now()
	resp, err := w.cfg.Graphs.CompositeGraph(ctx, req)
	w.log.Debug("composite graph call", "orders", len(req.Graphs), "nodes", req.Nodes(),
		"duration", time.Since(start), "err", err)
	for _, g := range req.Graphs {
		it := byGraph[g.GraphID]
		r := Result{Warnings: it.result.Warnings}
		if err != nil {
			w.failItem(ctx, it, r, fmt.Errorf("composite graph: %w", err))
			continue
		}
		gr, ok := resp.Graph(g.GraphID)
		if !ok {
			w.failItem(ctx, it, r, fmt.Errorf("composite graph: no result for graph %s", g.GraphID))
			continue
		}
		if gerr := gr.Err(); gerr != nil {
			w.failItem(ctx, it, r, gerr)
			continue
		}
		r.Outcome, r.Records = OutcomeSynced, recordIDs(it, gr)
		w.markVersion(it.order, it.jobs)
		for _, j := range it.jobs {
			w.complete(j, r)
		}
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

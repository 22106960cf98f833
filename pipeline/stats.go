package pipeline

import (
	"maps"
	"sync"
	"sync/atomic"
)

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
	// BigCommerceCalls counts the Worker's BigCommerce calls: orders read
	// one by one (OrderSource.Get), pages of orders (OrderPages of them),
	// and the requests that read the customers and products of a batch (one
	// per 250 ids).
	BigCommerceCalls int64
	// OrderPages counts the pages of orders read with OrderLister.List,
	// each one call for up to 250 orders.
	OrderPages int64
	// OrdersRead counts the orders read for deliveries, alone or in pages;
	// several deliveries of one order pending together read it once.
	OrdersRead int64
	// FailedGraphCalls counts Composite Graph calls (with their lookups)
	// that failed as a whole for a reason not about their orders (a 503, a
	// timeout, an expired session, a rate limit): their orders were written
	// again without counting an attempt, and the Worker slowed down.
	FailedGraphCalls int64
	// NodeRetries counts orders written again from memory after a
	// transient error on a node of their graph (UNABLE_TO_LOCK_ROW and the
	// like).
	NodeRetries int64
	// GraphCalls counts Composite Graph calls; GraphOrders counts the orders
	// they carried.
	GraphCalls  int64
	GraphOrders int64
	// GraphEntities counts the customers and products the Composite Graph
	// calls carried (a product of many variants may take several graphs;
	// it counts once per graph).
	GraphEntities int64
	// PricebookQueries counts PricebookEntry queries: the Order target's,
	// one per batch that creates lines, more only when its product keys
	// pass 14,000 bytes of URL-encoded SOQL (a batch whose OrderItems all
	// exist makes none); the product syncs', one per batch of products; and
	// the one CurrencyType query of a multi-currency Worker that syncs
	// products.
	PricebookQueries int64
	// ExistenceQueries counts the queries for the OrderItems Salesforce
	// already holds (Order target only): one per batch, more only when the
	// batch's line ids pass 14,000 bytes of URL-encoded SOQL.
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

type counters struct {
	dequeued, synced, skipped, retried, dead atomic.Int64
	bigcommerceCalls, orderPages, ordersRead atomic.Int64
	graphCalls, graphOrders, graphEntities   atomic.Int64
	failedGraphCalls, nodeRetries            atomic.Int64
	pricebookQueries, existenceQueries       atomic.Int64

	mu          sync.Mutex
	skipReasons map[string]int64
}

func (c *counters) skip(code string) {
	c.skipped.Add(1)
	c.mu.Lock()
	c.skipReasons[code]++
	c.mu.Unlock()
}

// Stats returns a snapshot of the Worker's counters. It is safe to call
// while the Worker runs; the counters are read one by one, so a snapshot
// taken mid-flight may be slightly out of step.
func (w *Worker) Stats() Stats {
	c := &w.stats
	c.mu.Lock()
	reasons := maps.Clone(c.skipReasons)
	c.mu.Unlock()
	return Stats{
		Dequeued:         c.dequeued.Load(),
		Synced:           c.synced.Load(),
		Skipped:          c.skipped.Load(),
		SkipReasons:      reasons,
		Retried:          c.retried.Load(),
		DeadLettered:     c.dead.Load(),
		BigCommerceCalls: c.bigcommerceCalls.Load(),
		OrderPages:       c.orderPages.Load(),
		OrdersRead:       c.ordersRead.Load(),
		FailedGraphCalls: c.failedGraphCalls.Load(),
		NodeRetries:      c.nodeRetries.Load(),
		GraphCalls:       c.graphCalls.Load(),
		GraphOrders:      c.graphOrders.Load(),
		GraphEntities:    c.graphEntities.Load(),
		PricebookQueries: c.pricebookQueries.Load(),
		ExistenceQueries: c.existenceQueries.Load(),
	}
}

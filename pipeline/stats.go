package pipeline

import (
	"maps"
	"sync"
	"sync/atomic"
)

type counters struct {
	dequeued, synced, skipped, retried, dead  atomic.Int64
	bigcommerceCalls, graphCalls, graphOrders atomic.Int64
	pricebookQueries, existenceQueries        atomic.Int64

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
		GraphCalls:       c.graphCalls.Load(),
		GraphOrders:      c.graphOrders.Load(),
		PricebookQueries: c.pricebookQueries.Load(),
		ExistenceQueries: c.existenceQueries.Load(),
	}
}

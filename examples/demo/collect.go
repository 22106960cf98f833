package main

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// collector keeps the last final outcome of each order, as the worker
// reports them through OnResult.
type collector struct {
	mu    sync.Mutex
	final map[int64]pipeline.Result
}

func newCollector() *collector { return &collector{final: map[int64]pipeline.Result{}} }

// add is the worker's OnResult hook. Retries are not final: the order
// comes back.
func (c *collector) add(r pipeline.Result) {
	if r.Outcome == pipeline.OutcomeRetried {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.final[r.OrderID] = r
}

func (c *collector) results() map[int64]pipeline.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.final)
}

// wait returns once every order has an outcome and the queue holds nothing
// ready, delayed or in flight, or with an error when ctx ends first.
func (c *collector) wait(ctx context.Context, queue idempotency.Inspector, orders []seeded) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := queue.Stats(ctx)
		if err != nil {
			return fmt.Errorf("queue stats: %w", err)
		}
		if c.allSettled(orders) && st.Ready+st.Delayed+st.InFlight == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the queue to drain (%d ready, %d delayed, %d in flight): %w",
				st.Ready, st.Delayed, st.InFlight, ctx.Err())
		case <-tick.C:
		}
	}
}

func (c *collector) allSettled(orders []seeded) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range orders {
		if _, ok := c.final[s.order.ID]; !ok {
			return false
		}
	}
	return true
}

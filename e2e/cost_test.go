package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/pipeline"
)

// TestCostOneAtATime syncs orders one after another, each webhook sent only
// once the previous order is in Salesforce, as a quiet store sends them. It
// logs the API calls each order costs on both sides and the latency from
// webhook to record.
func TestCostOneAtATime(t *testing.T) {
	t.Parallel()
	const n = 20
	r := newRig(t, rigConfig{worker: productionPool})
	ctx := context.Background()
	orders := seedPlain(t, r, n)
	r.startWorkers()
	for _, o := range orders {
		r.deliver(ctx, o.ID)
		r.waitSettled([]int64{o.ID}, time.Minute)
	}
	for _, o := range orders {
		r.assertOpportunity(o)
	}
	logCost(t, r, "one at a time", n)
	// Alone, an order travels in a graph of its own: one Salesforce call,
	// and one BigCommerce call to fetch it.
	if got := r.org.TotalCalls(); got != n {
		t.Errorf("%d Salesforce API calls for %d orders one at a time, want %d", got, n, n)
	}
	if got := r.store.Calls(bctest.RouteGetOrder); got != n {
		t.Errorf("%d BigCommerce calls for %d orders, want %d", got, n, n)
	}
}

// TestCostBurst delivers thousands of webhooks as fast as the receiver takes
// them, as after a sale or a backlog, and logs what the batching saves. The
// pool has 8 fetching goroutines rather than the default 4: the latency of
// a burst is mostly the wait in the queue, and halving it keeps the test
// short under the race detector.
func TestCostBurst(t *testing.T) {
	t.Parallel()
	n := orderCount()
	r := newRig(t, rigConfig{
		storeOpts: []bctest.Option{bctest.WithRateLimit(1_000_000, 30*time.Second)},
	})
	ctx := context.Background()
	orders := seedPlain(t, r, n)
	r.startWorkers()
	deliverEach(ctx, t, r, idsOf(orders), 4, false)
	r.waitSettled(idsOf(orders), 2*time.Minute)
	for _, o := range orders {
		r.assertOpportunity(o)
	}
	logCost(t, r, "burst", n)
	// Orders pending together are read in pages: never more than one call
	// per order, each order read once.
	if got, st := r.store.TotalCalls(), r.workerStats(); got > n || st.OrdersRead != int64(n) || int64(got) != st.BigCommerceCalls {
		t.Errorf("%d BigCommerce calls (the worker counted %d) reading %d orders, want at most %d reading %d",
			got, st.BigCommerceCalls, st.OrdersRead, n, n)
	}
	// A graph call carries up to 75 orders; a burst that filled a tenth of
	// that would still use under 14% of the calls of one order at a time.
	if got := r.org.TotalCalls(); got*7 > n {
		t.Errorf("%d Salesforce API calls for a burst of %d orders, want at most %d", got, n, n/7)
	}
}

// productionPool sets the pool's size back to the pipeline's default (4
// goroutines), so the measured latency is what a deployment with default
// settings sees.
func productionPool(c *pipeline.WorkerConfig) {
	c.Concurrency = pipeline.DefaultConcurrency
}

// seedPlain adds n syncable orders of 300 customers.
func seedPlain(t *testing.T, r *rig, n int) []bctest.Order {
	t.Helper()
	orders := make([]bctest.Order, 0, n)
	for i := range n {
		orders = append(orders, mustAddOrder(t, r.store, bctest.Order{
			CustomerID: int64(i%300 + 1), StatusID: 11, TotalIncTax: amount(i),
			BillingAddress: bctest.Address{FirstName: "Sam", LastName: "Roe", Email: "sam" + amount(i%300) + "@example.com"},
		}))
	}
	return orders
}

// logCost writes the calls per order and the latency percentiles.
func logCost(t *testing.T, r *rig, label string, n int) {
	t.Helper()
	p50, p99, samples := r.rec.percentiles()
	st := r.workerStats()
	t.Logf("%s, %d orders: Salesforce %.3f API calls/order (%d calls, %d token requests, %.1f orders/graph call); "+
		"BigCommerce %.3f calls/order (%d calls); webhook-to-record latency p50 %v, p99 %v (%d samples)",
		label, n, float64(r.org.TotalCalls())/float64(n), r.org.TotalCalls(), r.org.TokenRequests(), st.OrdersPerGraphCall(),
		float64(r.store.TotalCalls())/float64(n), r.store.TotalCalls(),
		p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), samples)
}

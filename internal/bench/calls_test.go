package bench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// BenchmarkAPICalls counts the API calls one order costs, as the fake org
// (sftest.TotalCalls: a graph call is one call, the token request none) and
// the fake store (bctest call counters, every route) count them, with a
// Worker on the default settings (batches of up to 75, up to 4 calls in
// flight, orders read in pages when many are pending) and a memory queue.
//
//   - spaced=20: 20 orders, each delivered as a signed webhook only after the
//     one before it was synced, so that no two share a call: a quiet store
//     where an order arrives every second or so. Ideal: 1 Salesforce call
//     per order; goal: 1 BigCommerce call per order.
//   - burst=2000 and burst=20000: that many tasks queued at once, as after
//     a spike or a backfill. Ideal: one call per 75 orders (0.0135 for 2,000,
//     27 calls; 0.01335 for 20,000, 267 calls). Each task names an order
//     of its own (consecutive ids): tasks that name one order again find it
//     unchanged and are not written, which would make the calls per order
//     look better than they are. Goal: at most 0.05 BigCommerce calls per
//     order.
//   - backfill=20000: pipeline.Backfill lists 20,000 orders created a
//     minute apart into the queue, then the Worker syncs them: BigCommerce
//     calls count the listing and the Worker's reads. Ideal: 267 Salesforce
//     calls; goal: at most 0.01 BigCommerce calls per order.
//
// The ideal is the baseline; x-ideal is the measured Salesforce calls per
// order over it. It runs once whatever b.N is; run it with -benchtime=1x.
func BenchmarkAPICalls(b *testing.B) {
	b.Run("spaced=20", func(b *testing.B) { runSpaced(b, 20) })
	for _, n := range []int{2000, 20000} {
		b.Run(fmt.Sprintf("burst=%d", n), func(b *testing.B) { runBurst(b, n) })
	}
	b.Run("backfill=20000", func(b *testing.B) { runBackfill(b, 20000) })
}

func runSpaced(b *testing.B, n int) {
	f := newFakes(b)
	ids := f.addOrders(b, n)
	q, s := newBackend(b, false, 10*n)
	recv := serve(b, receiverHandler(b, q, s))
	f.registerHook(b, recv.URL)
	times := newSyncTimes()
	cfg := f.workerConfig(q, s)
	cfg.OnResult = times.record
	w := newWorker(b, cfg)
	stop := runWorker(b, w)
	ctx := context.Background()
	b.ResetTimer()
	for i, id := range ids {
		deliverOrFail(ctx, b, f, recv.URL, id)
		if !waitUntil(30*time.Second, func() bool { return times.synced.Load() >= int64(i+1) }) {
			b.Fatalf("order %d was not synced within 30 s", id)
		}
	}
	b.StopTimer()
	stop()
	reportCalls(b, f, w, n, float64(n))
}

func runBurst(b *testing.B, n int) {
	f := newFakes(b)
	ids := f.addOrders(b, n)
	q, s := newBackend(b, false, 2*n)
	ctx := context.Background()
	for i := range n {
		id := ids[i]
		body, err := pipeline.EncodeTask(pipeline.Task{OrderID: id, Source: pipeline.SourceWebhook, Scope: bctest.ScopeOrderCreated})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := q.Enqueue(ctx, idempotency.Message{Key: fmt.Sprintf("evt:burst-%d", i), Body: body}); err != nil {
			b.Fatal(err)
		}
	}
	times := newSyncTimes()
	cfg := f.workerConfig(q, s)
	cfg.OnResult = times.record
	w := newWorker(b, cfg)
	b.ResetTimer()
	stop := runWorker(b, w)
	if !waitUntil(5*time.Minute, func() bool { return times.synced.Load()+times.other.Load() >= int64(n) }) {
		b.Errorf("%d of %d orders settled within 5 minutes", times.synced.Load()+times.other.Load(), n)
	}
	b.StopTimer()
	stop()
	ideal := float64((n + salesforce.MaxGraphs - 1) / salesforce.MaxGraphs)
	reportCalls(b, f, w, n, ideal)
}

func runBackfill(b *testing.B, n int) {
	f := newFakes(b)
	f.addOrdersFrom(b, n, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	q, s := newBackend(b, false, 2*n)
	ctx := context.Background()
	b.ResetTimer()
	p, err := pipeline.Backfill(ctx, pipeline.BackfillConfig{Orders: f.bc.Orders, Queue: q})
	if err != nil || p.Enqueued != n {
		b.Fatalf("backfill enqueued %d of %d: %v", p.Enqueued, n, err)
	}
	listed := f.store.Calls(bctest.RouteListOrders)
	times := newSyncTimes()
	cfg := f.workerConfig(q, s)
	cfg.OnResult = times.record
	w := newWorker(b, cfg)
	stop := runWorker(b, w)
	if !waitUntil(5*time.Minute, func() bool { return times.synced.Load()+times.other.Load() >= int64(n) }) {
		b.Errorf("%d of %d orders settled within 5 minutes", times.synced.Load()+times.other.Load(), n)
	}
	b.StopTimer()
	stop()
	b.ReportMetric(float64(listed)/float64(n), "bc-list-calls/order")
	reportCalls(b, f, w, n, float64((n+salesforce.MaxGraphs-1)/salesforce.MaxGraphs))
}

// reportCalls reports the calls per order against the ideal number of
// Salesforce calls for n orders.
func reportCalls(b *testing.B, f *fakes, w *pipeline.Worker, n int, idealCalls float64) {
	st := w.Stats()
	if st.Synced != int64(n) {
		b.Errorf("synced %d of %d orders (retried %d, dead %d)", st.Synced, n, st.Retried, st.DeadLettered)
	}
	sfPerOrder := float64(f.org.TotalCalls()) / float64(n)
	ideal := idealCalls / float64(n)
	b.ReportMetric(sfPerOrder, "sf-calls/order")
	b.ReportMetric(ideal, "ideal-sf-calls/order")
	b.ReportMetric(sfPerOrder/ideal, "x-ideal")
	b.ReportMetric(float64(f.store.Calls(bctest.RouteGetOrder))/float64(n), "bc-calls/order")
	b.ReportMetric(float64(f.store.TotalCalls())/float64(n), "bc-all-calls/order")
	b.ReportMetric(float64(f.org.TokenRequests()), "token-requests")
	b.ReportMetric(float64(n), "orders")
}

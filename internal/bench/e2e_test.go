package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/internal/bench"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// BenchmarkEndToEnd measures the latency from a webhook delivery to the
// order's records in Salesforce, on the fakes: the fake store delivers
// signed store/order/created webhooks at a fixed rate (100 per second for
// 10 s, 1,000 per second for 5 s) to a loopback receiver (middleware,
// handler, pipeline.NewSink), and a pipeline.Worker with the default
// settings (4 fetchers, batches of up to 75, up to 4 calls in flight) and
// real clients syncs them from a memory or Redis queue. An order's latency
// runs from the moment its delivery was due to the Worker's OnResult
// reporting it synced, so a sender falling behind counts against the figure.
// The last case, sflatency=150ms, adds 150 ms to every call the fake org
// serves (a delay-only sftest.Fault on every call), as a distant or busy org would, at
// 1,000 orders per second on the memory queue.
//
// The baseline, measured in the same run, is the floor of the same work
// done for one order at a time with nothing in between: one delivery to a
// bare handler, one order read and one Composite Graph call, back to back,
// 200 times (40 with the added latency, which is in the floor too: the
// baseline is then the floor plus 150 ms). It runs once whatever b.N is; run
// it with -benchtime=1x.
func BenchmarkEndToEnd(b *testing.B) {
	for _, onRedis := range []bool{false, true} {
		for _, sc := range []struct {
			rate int
			dur  time.Duration
		}{{100, 10 * time.Second}, {1000, 5 * time.Second}} {
			name := fmt.Sprintf("queue=%s/rate=%d", backendName(onRedis), sc.rate)
			b.Run(name, func(b *testing.B) { runEndToEnd(b, onRedis, sc.rate, sc.dur, 0) })
		}
	}
	b.Run("queue=memory/rate=1000/sflatency=150ms", func(b *testing.B) {
		runEndToEnd(b, false, 1000, 5*time.Second, 150*time.Millisecond)
	})
}

func backendName(onRedis bool) string {
	if onRedis {
		return "redis"
	}
	return "memory"
}

func runEndToEnd(b *testing.B, onRedis bool, rate int, dur, sfLatency time.Duration) {
	n := int(dur.Seconds()) * rate
	f := newFakes(b)
	if sfLatency > 0 {
		// Every call the org serves waits sfLatency first.
		if err := f.org.FailRandomly(1, sftest.Fault{Delay: sfLatency}); err != nil {
			b.Fatal(err)
		}
	}
	ids := f.addOrders(b, n+1)
	q, s := newBackend(b, onRedis, 2*n+10)
	recv := serve(b, receiverHandler(b, q, s))
	f.registerHook(b, recv.URL)
	times := newSyncTimes()
	cfg := f.workerConfig(q, s)
	cfg.OnResult = times.record
	w := newWorker(b, cfg)
	stop := runWorker(b, w)
	ctx := context.Background()

	// One order first, so that the OAuth token and the connections exist.
	deliverOrFail(ctx, b, f, recv.URL, ids[0])
	if !waitUntil(30*time.Second, func() bool { return times.synced.Load() >= 1 }) {
		b.Fatal("the warm-up order was not synced within 30 s")
	}

	b.ResetTimer()
	due, last := pace(ctx, b, f, recv.URL, ids[1:], rate)
	if !waitUntil(60*time.Second, func() bool { return times.synced.Load() >= int64(n+1) }) {
		b.Errorf("%d of %d orders synced within 60 s of the last delivery", times.synced.Load()-1, n)
	}
	b.StopTimer()
	stop()

	var lat bench.Latencies
	var lastSync time.Time
	for i, id := range ids[1:] {
		if t, ok := times.get(id); ok {
			lat.Add(t.Sub(due[i]))
			if t.After(lastSync) {
				lastSync = t
			}
		}
	}
	rounds := 200
	if sfLatency > 0 {
		rounds = 40
	}
	floor := floorLatency(ctx, b, f, ids[1:], rounds)
	st := w.Stats()
	p50, p99 := lat.Percentile(50), lat.Percentile(99)
	b.ReportMetric(bench.Millis(p50), "p50-ms")
	b.ReportMetric(bench.Millis(p99), "p99-ms")
	b.ReportMetric(bench.Millis(floor.Percentile(50)), "floor-p50-ms")
	b.ReportMetric(bench.Millis(floor.Percentile(99)), "floor-p99-ms")
	b.ReportMetric(float64(p50)/float64(max(floor.Percentile(50), 1)), "x-floor-p50")
	b.ReportMetric(float64(p99)/float64(max(floor.Percentile(99), 1)), "x-floor-p99")
	b.ReportMetric(float64(n)/last.Seconds(), "sent-orders/s")
	b.ReportMetric(float64(lat.Len())/lastSync.Sub(due[0]).Seconds(), "synced-orders/s")
	b.ReportMetric(st.OrdersPerGraphCall(), "orders/sf-call")
	b.ReportMetric(float64(lat.Len()), "orders")
}

// pace delivers one webhook per id at rate per second, each from its own
// goroutine (at most 512 at once) so that a slow answer does not delay the
// next delivery. It returns when every delivery was answered, with the time
// each one was due and how long the sending took.
func pace(ctx context.Context, b *testing.B, f *fakes, url string, ids []int64, rate int) ([]time.Time, time.Duration) {
	b.Helper()
	interval := time.Second / time.Duration(rate)
	due := make([]time.Time, len(ids))
	sem := make(chan struct{}, 512)
	var wg sync.WaitGroup
	start := time.Now()
	for i, id := range ids {
		due[i] = start.Add(time.Duration(i) * interval)
		if d := time.Until(due[i]); d > 0 {
			time.Sleep(d)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			deliverOrFail(ctx, b, f, url, id)
		}()
	}
	wg.Wait()
	return due, time.Since(start)
}

// deliverOrFail sends the created event of order id to url and fails the
// benchmark unless the receiver answered 200. It is safe in goroutines.
func deliverOrFail(ctx context.Context, b testing.TB, f *fakes, url string, id int64) {
	res, err := f.store.Deliver(ctx, url, bctest.EventSpec{OrderID: id})
	if err != nil {
		b.Errorf("deliver order %d: %v", id, err)
		return
	}
	if res.StatusCode != http.StatusOK {
		b.Errorf("deliver order %d: status %d", id, res.StatusCode)
	}
}

// floorLatency times count rounds of the least work one order needs, done
// back to back: a delivery to a bare handler, the order read and one
// Composite Graph call with the order's records.
func floorLatency(ctx context.Context, b *testing.B, f *fakes, ids []int64, count int) *bench.Latencies {
	b.Helper()
	bare := serve(b, bareHandler())
	var lat bench.Latencies
	for i := range count {
		id := ids[i%len(ids)]
		t0 := time.Now()
		deliverOrFail(ctx, b, f, bare.URL, id)
		o, err := f.bc.Orders.Get(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		res, err := f.m.Map(o)
		if err != nil {
			b.Fatal(err)
		}
		recs := make([]salesforce.UpsertRecord, len(res.Records))
		for i, r := range res.Records {
			recs[i] = salesforce.UpsertRecord{Ref: r.Ref, SObject: r.SObject, ExternalIDField: r.ExternalIDField,
				ExternalID: r.ExternalID, Fields: r.Fields}
		}
		g, err := salesforce.NewUpsertGraph(fmt.Sprintf("order_%d", id), recs, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := f.sf.CompositeGraph(ctx, salesforce.GraphRequest{Graphs: []salesforce.Graph{g}})
		if err != nil {
			b.Fatal(err)
		}
		if len(resp.Graphs) != 1 || !resp.Graphs[0].IsSuccessful {
			b.Fatalf("floor graph for order %d failed: %+v", id, resp.Graphs)
		}
		lat.Add(time.Since(t0))
	}
	return &lat
}

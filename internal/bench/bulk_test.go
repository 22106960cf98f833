package bench_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/internal/bench"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// fakesEnv makes TestBulkFakesProcess serve the fakes for
// BenchmarkBulkBackfill from a process of its own; fakesOrders is the
// number of orders it seeds.
const (
	fakesEnv    = "BC2SF_BENCH_BULK_FAKES"
	fakesOrders = "BC2SF_BENCH_BULK_ORDERS"
)

// fakesInfo is what the fakes process tells the benchmark on its first
// line: where the fakes are.
type fakesInfo struct {
	StoreURL, StoreHash, Token, OrgURL string
}

// fakesCounts is its answer to "counts": what reached the fakes.
type fakesCounts struct {
	SFCalls, SFGraphCalls, SFJobs, BCCalls, BCListCalls, Opportunities int
}

// TestBulkFakesProcess is not a test: run by BenchmarkBulkBackfill in a
// process of its own (with BC2SF_BENCH_BULK_FAKES=1), it seeds a fake store
// and serves it and a fake org, so that the benchmark's heap holds the
// backfill alone, not the 100,000 orders and the records the fakes keep.
// It reads commands on stdin ("counts", "reset") until stdin closes.
func TestBulkFakesProcess(t *testing.T) {
	if os.Getenv(fakesEnv) != "1" {
		t.Skip("the fakes process of BenchmarkBulkBackfill")
	}
	n, err := strconv.Atoi(os.Getenv(fakesOrders))
	if err != nil {
		t.Fatal(err)
	}
	store, err := bctest.NewServer(bctest.WithRateLimit(1<<30, time.Hour), bctest.WithHTTPClient(keepAlive()))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	org, err := sftest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		// Three years of history, a customer buying about three times.
		o := bctest.Order{
			StatusID: 10, TotalIncTax: fmt.Sprintf("%d.%02d", 20+i%500, i%100), DateCreated: start.Add(time.Duration(i) * 15 * time.Minute),
			BillingAddress: bctest.Address{FirstName: "Ada", LastName: "Buyer" + strconv.Itoa(i/3),
				Email: fmt.Sprintf("buyer%d@example.com", i/3)},
		}
		if _, err := store.AddOrder(o); err != nil {
			t.Fatal(err)
		}
	}
	out := json.NewEncoder(os.Stdout)
	_ = out.Encode(fakesInfo{StoreURL: store.URL(), StoreHash: store.StoreHash(), Token: store.Token(), OrgURL: org.URL()})
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "counts":
			_ = out.Encode(fakesCounts{
				SFCalls: org.TotalCalls(), SFGraphCalls: org.Calls(sftest.RouteGraph),
				SFJobs: org.BulkJobs(), BCCalls: store.TotalCalls(), BCListCalls: store.Calls(bctest.RouteListOrders),
				Opportunities: len(org.Records("Opportunity")),
			})
		case "reset":
			org.ResetCalls()
			store.ResetCalls()
			_ = out.Encode(struct{}{})
		}
	}
}

// fakesProc is a running fakes process.
type fakesProc struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *json.Decoder
	info fakesInfo
}

func startFakes(b *testing.B, orders int) *fakesProc {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestBulkFakesProcess$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), fakesEnv+"=1", fakesOrders+"="+strconv.Itoa(orders))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &fakesProc{cmd: cmd, in: in, out: json.NewDecoder(out)}
	b.Cleanup(func() { in.Close(); _ = cmd.Wait() })
	if err := p.out.Decode(&p.info); err != nil {
		b.Fatalf("fakes process: %v", err)
	}
	return p
}

func (p *fakesProc) counts(b *testing.B) fakesCounts {
	b.Helper()
	var c fakesCounts
	if _, err := io.WriteString(p.in, "counts\n"); err != nil {
		b.Fatal(err)
	}
	if err := p.out.Decode(&c); err != nil {
		b.Fatal(err)
	}
	return c
}

func (p *fakesProc) clients(b *testing.B) (*bigcommerce.Client, *salesforce.Client) {
	b.Helper()
	bc, err := bigcommerce.NewClient(p.info.StoreHash, p.info.Token, bigcommerce.WithBaseURL(p.info.StoreURL),
		bigcommerce.WithHTTPClient(keepAlive()))
	if err != nil {
		b.Fatal(err)
	}
	sf, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(p.info.OrgURL), salesforce.WithHTTPClient(keepAlive()))
	if err != nil {
		b.Fatal(err)
	}
	return bc, sf
}

// bulkRun is one BulkBackfill of a fakes process's orders.
type bulkRun struct {
	orders  int
	elapsed time.Duration
	heap    bench.HeapSummary
	// peakLive is the largest live heap (as a collection left it) sampled;
	// retained the largest heap left by a collection forced at a job or
	// every 10,000 orders.
	peakLive, retained uint64
	counts             fakesCounts
	p                  pipeline.BulkProgress
}

func runBulk(b *testing.B, orders int) bulkRun {
	b.Helper()
	f := startFakes(b, orders)
	bc, sf := f.clients(b)
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		b.Fatal(err)
	}
	queue := idempotency.NewMemoryQueue()
	defer queue.Close()
	var done atomic.Int64
	// retained is the most heap a collection keeps, forced at every job and
	// every 10,000 orders listed: what the backfill holds, free of the
	// garbage the sampled figures rise and fall with.
	var retained uint64
	probed, phase := 0, ""
	probe := func(p pipeline.BulkProgress) {
		if p.Phase == phase && p.Listed-probed < 10_000 {
			return
		}
		probed, phase = p.Listed, p.Phase
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		retained = max(retained, ms.HeapAlloc)
	}
	runtime.GC()
	sampler := bench.StartHeapSampler(100*time.Millisecond, done.Load)
	start := time.Now()
	p, err := pipeline.BulkBackfill(context.Background(), pipeline.BulkBackfillConfig{
		Orders: bc.Orders, Salesforce: sf, Mapper: m, Queue: queue, TempDir: b.TempDir(),
		Poll: salesforce.PollPolicy{InitialInterval: 10 * time.Millisecond, MaxInterval: time.Second},
		Progress: func(p pipeline.BulkProgress) {
			done.Store(int64(p.Listed))
			probe(p)
		},
	})
	elapsed := time.Since(start)
	samples := sampler.Stop()
	heap := bench.SummarizeHeap(samples)
	var peakLive uint64
	for _, s := range samples {
		peakLive = max(peakLive, s.Live)
	}
	if err != nil {
		b.Fatalf("bulk backfill of %d orders: %v", orders, err)
	}
	c := f.counts(b)
	if p.Written != orders || c.Opportunities != orders {
		b.Errorf("%d orders: %d written, %d opportunities in the org", orders, p.Written, c.Opportunities)
	}
	return bulkRun{orders: orders, elapsed: elapsed, heap: heap, peakLive: peakLive, retained: retained, counts: c, p: p}
}

// runGraph syncs a fakes process's orders with the Worker through Composite
// Graph, from tasks queued at once, as the backfill's enqueue mode leaves
// them.
func runGraph(b *testing.B, orders int) (time.Duration, fakesCounts) {
	b.Helper()
	f := startFakes(b, orders)
	bc, sf := f.clients(b)
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		b.Fatal(err)
	}
	queue := idempotency.NewMemoryQueue(idempotency.WithCapacity(2 * orders))
	defer queue.Close()
	ctx := context.Background()
	if _, err := pipeline.Backfill(ctx, pipeline.BackfillConfig{Orders: bc.Orders, Queue: queue}); err != nil {
		b.Fatal(err)
	}
	if _, err := io.WriteString(f.in, "reset\n"); err != nil {
		b.Fatal(err)
	}
	var ack struct{}
	if err := f.out.Decode(&ack); err != nil {
		b.Fatal(err)
	}
	var synced atomic.Int64
	w, err := pipeline.NewWorker(pipeline.WorkerConfig{Queue: queue, Store: idempotency.NewMemoryStore(),
		Orders: bc.Orders, Graphs: sf, Mapper: m, Concurrency: 16,
		OnResult: func(r pipeline.Result) {
			if r.Outcome == pipeline.OutcomeSynced {
				synced.Add(1)
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	stop := runWorker(b, w)
	if !waitUntil(10*time.Minute, func() bool { return synced.Load() >= int64(orders) }) {
		b.Errorf("%d of %d orders synced through Composite Graph", synced.Load(), orders)
	}
	elapsed := time.Since(start)
	stop()
	return elapsed, f.counts(b)
}

// BenchmarkBulkBackfill backfills 100,000 orders (three years of a store,
// about 33,000 customers) through pipeline.BulkBackfill with its defaults,
// against the fakes served from a process of their own, so that the heap
// sampled (runtime/metrics, every 100 ms) is the backfill's alone. It
// reports the Salesforce API calls (goal: at most 40), the BigCommerce calls
// per order (goal: at most 0.01) and the time.
//
// The baselines in the same run: the heap of the same backfill of 50,000
// orders, one chunk where 100,000 are two (flat means the 100,000-order
// figure stays at the 50,000-order one: what is held is bounded by the
// chunk, never by the range). Besides the sampled heap in use and live
// heap, which rise and fall with the collector's pacing, it reports the
// heap retained: the largest a collection forced at every job and every
// 10,000 orders leaves. Then the Worker syncing 10,000 queued orders through
// Composite Graph, whose calls scale linearly with the orders (one graph
// call per 75 orders, one BigCommerce call per order): its calls for
// 100,000 orders are its 10,000-order calls times ten. Run it with
// -benchtime=1x.
func BenchmarkBulkBackfill(b *testing.B) {
	const large, small, graphOrders = 100_000, 50_000, 10_000
	for range b.N {
		smallRun := runBulk(b, small)
		largeRun := runBulk(b, large)
		graphTime, graph := runGraph(b, graphOrders)

		const mib = 1 << 20
		b.ReportMetric(float64(largeRun.counts.SFCalls), "sf-calls")
		b.ReportMetric(float64(largeRun.counts.SFJobs), "jobs")
		b.ReportMetric(float64(graph.SFCalls)*large/graphOrders, "graph-sf-calls")
		b.ReportMetric(float64(graph.SFCalls)*large/graphOrders/float64(largeRun.counts.SFCalls), "x-fewer-calls")
		b.ReportMetric(float64(largeRun.counts.BCCalls)/large, "bc-calls/order")
		b.ReportMetric(float64(graph.BCCalls)/graphOrders, "graph-bc-calls/order")
		b.ReportMetric(float64(largeRun.heap.Peak)/mib, "peak-heap-MiB")
		b.ReportMetric(float64(smallRun.heap.Peak)/mib, "small-peak-heap-MiB")
		b.ReportMetric(float64(largeRun.heap.Peak)/float64(smallRun.heap.Peak), "x-small-peak")
		b.ReportMetric(float64(largeRun.peakLive)/mib, "peak-live-MiB")
		b.ReportMetric(float64(smallRun.peakLive)/mib, "small-peak-live-MiB")
		b.ReportMetric(float64(largeRun.retained)/mib, "retained-MiB")
		b.ReportMetric(float64(smallRun.retained)/mib, "small-retained-MiB")
		b.ReportMetric(float64(largeRun.retained)/float64(smallRun.retained), "x-small-retained")
		b.ReportMetric(float64(large)/largeRun.elapsed.Seconds(), "orders/s")
		b.ReportMetric(float64(graphOrders)/graphTime.Seconds(), "graph-orders/s")
		b.ReportMetric(largeRun.elapsed.Seconds(), "s")
	}
}

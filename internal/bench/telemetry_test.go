package bench_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/internal/bench"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
	"github.com/bc2sf/bc2sf/telemetry"
)

// The rounds of BenchmarkEndToEndTelemetry: each sub-benchmark first runs
// a warm-up round of each variant, which it does not count, then this many
// turns of a round of each; the variants alternate, in a different order
// each turn, so that a machine slowing down or speeding up during the run
// weighs on all of them alike, and each round is compared with the off
// round of its turn for the spread.
const (
	rateRounds    = 7
	burstRounds   = 11
	latencyRounds = 7
)

// The variants of BenchmarkEndToEndTelemetry.
const (
	telOff     = iota // nothing instrumented
	telOn             // every order traced
	telSampled        // one trace in ten, as in production
	telVariants
)

// variantNames name the variants in a CPU profile's labels: the goroutines
// of a round carry variant=off, on or sampled (see alternate).
var variantNames = [telVariants]string{"off", "on", "sampled"}

// sampledRatio is the telSampled variant's share of traces: the sampler
// is sdktrace.ParentBased(sdktrace.TraceIDRatioBased(sampledRatio)), what
// OTEL_TRACES_SAMPLER=parentbased_traceidratio with
// OTEL_TRACES_SAMPLER_ARG=0.1 gives.
const sampledRatio = 0.1

// BenchmarkEndToEndTelemetry measures what package telemetry costs, against
// the same flow without it in the same run: the receiver, the sink, a memory
// queue and a Worker with the default settings on the fakes, as in
// BenchmarkEndToEnd, with telemetry off (nothing instrumented) or on
// (telemetry.Receiver, the sink's trace context and Queue, HTTPClient and
// both retry wrappers on the clients, Worker, the three gauges), every
// measurement kept by a meter provider with a manual reader and the spans
// going through the SDK's batch span processor into an exporter that drops
// them, in two variants: "on" records every order's trace, the most it can
// cost; "sampled" has the sampler a production deployment would use,
// sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1)), one trace in ten.
//
//   - rate=200: 200 deliveries per second for 2 s a round (400 orders); p50
//     and p99 of the time from a delivery's due time to the order synced;
//   - burst=2000: 2,000 deliveries sent at once (512 at a time); orders
//     synced per second from the first delivery to the last sync;
//   - rate=1000/sflatency=150ms: 1,000 deliveries per second for 1 s a
//     round with 150 ms added to every call of the fake org, as in
//     BenchmarkEndToEnd's run of that name: the latency a real org adds,
//     against which the instrumentation's CPU shows as it would in
//     production; p50 and p99 as at rate=200, and orders synced per second
//     from the first due time to the last sync.
//
// All three also report the process's CPU time (user and system, fakes
// included) per order, which, unlike times on the clock, grows little
// when other processes share the machine; the burst also reports, per
// order, the part of it the garbage collector took (gc-cpu-µs/order, from
// runtime/metrics) and the heap allocated (alloc-KiB/order), the medians of
// each variant's rounds, which say how much of what telemetry adds is the
// collection of its garbage. Each sub-benchmark runs a
// warm-up round of each variant that does not count (200 orders at the
// sub-benchmark's rate, a whole burst), then rateRounds (7), burstRounds
// (11) or latencyRounds (7) of each, alternating as the rounds' constants
// say, each round on fresh fakes and a fresh queue, after garbage
// collections (alternate). A variant's
// latencies, off-<unit>, on-<unit> or sampled-<unit>, are percentiles of
// the orders of all its counted rounds together, and x-off-<metric> (every
// order traced) and x-off-sampled-<metric> their ratios to off's; its
// throughput and CPU time are the medians of its rounds, and their ratios
// the medians of the ratios of each round to the off round of the same
// turn. The same names with -min and -max after them are the smallest and
// largest ratio of a round to the off round of its turn: the spread of the
// rounds, which the pooled or median figure narrows. The goals, for both
// variants: at most 1.05 times the latency and at least 0.95 times the
// throughput of telemetry off. It runs once whatever b.N is; run it with
// -benchtime=1x, for about 100 s.
// The goroutines of a round carry the pprof labels variant=off, on or
// sampled and sub (the sub-benchmark's name), so that a CPU profile
// (-cpuprofile) splits with go tool pprof -tagfocus; the garbage
// collector's own workers carry none.
func BenchmarkEndToEndTelemetry(b *testing.B) {
	b.Run("rate=200", func(b *testing.B) {
		const rate = 200
		var lat [telVariants]bench.Latencies
		var p50, p99, cpu rounds
		alternate("rate=200", rateRounds, func(v int, warmUp bool) {
			if warmUp {
				telemetryRound(b, v, rate, rate, 0)
				return
			}
			r := telemetryRound(b, v, 2*rate, rate, 0)
			lat[v].Merge(r.lat)
			p50.add(v, bench.Millis(r.lat.Percentile(50)))
			p99.add(v, bench.Millis(r.lat.Percentile(99)))
			cpu.add(v, r.cpuMicros)
		})
		p50.reportPooled(b, lat, 50, "p50-ms", "x-off-p50")
		p99.reportPooled(b, lat, 99, "p99-ms", "x-off-p99")
		cpu.report(b, "cpu-µs/order", "x-off-cpu")
	})
	b.Run("burst=2000", func(b *testing.B) {
		const n = 2000
		var rate, cpu, gc, alloc rounds
		alternate("burst=2000", burstRounds, func(v int, warmUp bool) {
			if warmUp {
				telemetryRound(b, v, n, 0, 0)
				return
			}
			r := telemetryRound(b, v, n, 0, 0)
			rate.add(v, float64(r.lat.Len())/r.lat.Percentile(100).Seconds())
			cpu.add(v, r.cpuMicros)
			gc.add(v, r.gcMicros)
			alloc.add(v, r.allocKB)
		})
		rate.report(b, "orders/s", "x-off-orders/s")
		cpu.report(b, "cpu-µs/order", "x-off-cpu")
		gc.medians(b, "gc-cpu-µs/order")
		alloc.medians(b, "alloc-KiB/order")
	})
	b.Run("rate=1000/sflatency=150ms", func(b *testing.B) {
		const rate, latency = 1000, 150 * time.Millisecond
		var lat [telVariants]bench.Latencies
		var p50, p99, synced, cpu rounds
		alternate("rate=1000/sflatency=150ms", latencyRounds, func(v int, warmUp bool) {
			if warmUp {
				telemetryRound(b, v, 200, rate, latency)
				return
			}
			r := telemetryRound(b, v, rate, rate, latency)
			lat[v].Merge(r.lat)
			p50.add(v, bench.Millis(r.lat.Percentile(50)))
			p99.add(v, bench.Millis(r.lat.Percentile(99)))
			synced.add(v, float64(r.lat.Len())/r.span.Seconds())
			cpu.add(v, r.cpuMicros)
		})
		p50.reportPooled(b, lat, 50, "p50-ms", "x-off-p50")
		p99.reportPooled(b, lat, 99, "p99-ms", "x-off-p99")
		synced.report(b, "orders/s", "x-off-orders/s")
		cpu.report(b, "cpu-µs/order", "x-off-cpu")
	})
}

// rounds holds one figure of every counted round, by variant, in the
// order the turns ran: the i-th of each variant ran in the same turn.
type rounds [telVariants][]float64

func (r *rounds) add(variant int, v float64) { r[variant] = append(r[variant], v) }

// report reports the median of each variant as off-unit, on-unit and
// sampled-unit; then, for each instrumented variant, the median of its
// rounds' ratios to the off round of the same turn as ratio (on) or as
// ratio with "-sampled" after its "x-off" (x-off-sampled-p50), and their
// spread (ratioSpread).
func (r *rounds) report(b *testing.B, unit, ratio string) {
	b.ReportMetric(median(r[telOff]), "off-"+unit)
	b.ReportMetric(median(r[telOn]), "on-"+unit)
	b.ReportMetric(median(r[telSampled]), "sampled-"+unit)
	for _, v := range []int{telOn, telSampled} {
		ratios := r.ratios(v)
		b.ReportMetric(median(ratios), ratioName(ratio, v))
		ratioSpread(b, ratios, ratioName(ratio, v))
	}
}

// medians reports the median of each variant as off-unit, on-unit and
// sampled-unit, without ratios: a figure that explains others.
func (r *rounds) medians(b *testing.B, unit string) {
	b.ReportMetric(median(r[telOff]), "off-"+unit)
	b.ReportMetric(median(r[telOn]), "on-"+unit)
	b.ReportMetric(median(r[telSampled]), "sampled-"+unit)
}

// reportPooled reports the p-th percentile of each variant's latencies,
// pooled over its rounds (lat), as off-unit, on-unit and sampled-unit, and
// each instrumented variant's over off's as ratio, or as ratio with
// "-sampled" after its "x-off"; the spread is that of the ratios of the
// rounds' own percentiles (r) to the off round of the same turn. A pooled
// percentile counts every order: the p99 of seven rounds of 400 is their
// 28th slowest, where a round's own is its 4th slowest.
func (r *rounds) reportPooled(b *testing.B, lat [telVariants]bench.Latencies, p float64, unit, ratio string) {
	var v [telVariants]float64
	for i := range lat {
		v[i] = bench.Millis(lat[i].Percentile(p))
	}
	b.ReportMetric(v[telOff], "off-"+unit)
	b.ReportMetric(v[telOn], "on-"+unit)
	b.ReportMetric(v[telSampled], "sampled-"+unit)
	for _, i := range []int{telOn, telSampled} {
		b.ReportMetric(v[i]/v[telOff], ratioName(ratio, i))
		ratioSpread(b, r.ratios(i), ratioName(ratio, i))
	}
}

// ratios returns each round of variant over the off round of its turn.
func (r *rounds) ratios(variant int) []float64 {
	out := make([]float64, len(r[variant]))
	for i, x := range r[variant] {
		out[i] = x / r[telOff][i]
	}
	return out
}

// ratioName is ratio for telOn, and ratio with "-sampled" after its
// "x-off" for telSampled.
func ratioName(ratio string, variant int) string {
	if variant == telSampled {
		return strings.Replace(ratio, "x-off", "x-off-sampled", 1)
	}
	return ratio
}

// ratioSpread reports the smallest and the largest of the rounds' ratios
// as name-min and name-max.
func ratioSpread(b *testing.B, ratios []float64, name string) {
	b.ReportMetric(slices.Min(ratios), name+"-min")
	b.ReportMetric(slices.Max(ratios), name+"-max")
}

// alternate runs f for a warm-up round of every variant, then for n turns
// of a round of every variant, rotating which goes first. Each round runs
// with its goroutines labelled for the CPU profile (variant and sub, the
// sub-benchmark's name), after
// two garbage collections: the first frees the round before, the second
// what the first left in sync.Pools' victim caches (net/http's buffers of
// hundreds of connections), so that every round starts from the same
// small heap rather than from 2 to 30 MB left by the one before.
func alternate(sub string, n int, f func(variant int, warmUp bool)) {
	run := func(v int, warmUp bool) {
		runtime.GC()
		runtime.GC()
		pprof.Do(context.Background(), pprof.Labels("variant", variantNames[v], "sub", sub), func(context.Context) { f(v, warmUp) })
	}
	for v := range telVariants {
		run(v, true)
	}
	for t := range n {
		for i := range telVariants {
			run((t+i)%telVariants, false)
		}
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// gcStats is what the runtime counts of the garbage collector's work: its
// CPU time (runtime/metrics /cpu/classes/gc/total, background marking and
// assists included) and the bytes allocated on the heap.
type gcStats struct{ cpuSeconds, allocBytes float64 }

func readGC() gcStats {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return gcStats{cpuSeconds: s[0].Value.Float64(), allocBytes: float64(s[1].Value.Uint64())}
}

func (g gcStats) minus(o gcStats) gcStats {
	return gcStats{cpuSeconds: g.cpuSeconds - o.cpuSeconds, allocBytes: g.allocBytes - o.allocBytes}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// roundResult is what one round measured.
type roundResult struct {
	lat       *bench.Latencies
	span      time.Duration // from the first order's due time to the last sync
	cpuMicros float64       // process CPU time per order, in microseconds
	gcMicros  float64       // of which the garbage collector's, per order
	allocKB   float64       // heap allocated per order, in KiB
}

// telemetryRound delivers n orders through a fresh rig, at rate per second
// or, with rate 0, all at once, with sfLatency added to every call of the
// fake org, and returns each order's latency from its due time (the first
// delivery's, for rate 0) to its sync, the time from the first due time to
// the last sync, and the CPU time the process spent per order meanwhile.
func telemetryRound(b *testing.B, variant, n, rate int, sfLatency time.Duration) roundResult {
	b.Helper()
	// The round's fakes, servers and queue go when it ends, so that no
	// round scans the heaps of the rounds before it.
	sc := newScope(b)
	defer sc.close()
	on := variant != telOff
	f := newFakes(sc)
	ids := f.addOrders(sc, n+1)
	q, s := newBackend(sc, false, 2*n+10)
	if sfLatency > 0 {
		if err := f.org.FailRandomly(1, sftest.Fault{Delay: sfLatency}); err != nil {
			b.Fatal(err)
		}
	}
	var (
		sinkOpts  []pipeline.SinkOption
		tel       *telemetry.Telemetry
		tp        *sdktrace.TracerProvider
		spans                       = &countingExporter{}
		sinkQueue idempotency.Queue = q
	)
	if on {
		sampler := sdktrace.AlwaysSample()
		if variant == telSampled {
			sampler = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(sampledRatio))
		}
		tp = sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans), sdktrace.WithSampler(sampler))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		var err error
		if tel, err = telemetry.New(telemetry.WithTracerProvider(tp), telemetry.WithMeterProvider(mp)); err != nil {
			b.Fatal(err)
		}
		sc.Cleanup(func() {
			_ = tel.Close()
			_ = tp.Shutdown(context.Background())
			_ = mp.Shutdown(context.Background())
		})
		instrumentClients(sc, f, tel)
		sinkOpts = append(sinkOpts, pipeline.WithTraceContext(tel.TraceContext))
		sinkQueue = tel.Queue(q)
	}
	var handler http.Handler = receiverHandler(sc, sinkQueue, s, sinkOpts...)
	cfg := f.workerConfig(q, s)
	times := newSyncTimes()
	cfg.OnResult = times.record
	if on {
		handler = tel.Receiver(handler)
		cfg = tel.Worker(cfg)
		if err := errors.Join(tel.ObserveQueue(q), tel.ObserveBigCommerce(f.bc.RateLimit),
			tel.ObserveSalesforce(func(context.Context) (int64, int64, bool) {
				info, ok := f.sf.Usage()
				return info.APIUsage.Used, info.APIUsage.Max, ok
			})); err != nil {
			b.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/bigcommerce", handler)
	recv := serve(sc, mux)
	url := recv.URL + "/webhooks/bigcommerce"
	f.registerHook(sc, url)
	stop := runWorker(sc, newWorker(sc, cfg))
	defer stop()
	ctx := context.Background()

	deliverOrFail(ctx, b, f, url, ids[0])
	if !waitUntil(30*time.Second, func() bool { return times.synced.Load() >= 1 }) {
		b.Fatal("the warm-up order was not synced within 30 s")
	}
	paceRate := rate
	if rate == 0 {
		paceRate = 1_000_000 // as fast as the senders go
	}
	cpu0, gc0 := cpuTime(), readGC()
	due, _ := pace(ctx, b, f, url, ids[1:], paceRate)
	if !waitUntil(60*time.Second, func() bool { return times.synced.Load() >= int64(n+1) }) {
		b.Fatalf("variant %d: %d of %d orders synced within 60 s of the last delivery", variant, times.synced.Load()-1, n)
	}
	cpu, gc := cpuTime()-cpu0, readGC().minus(gc0)
	stop()
	var lat bench.Latencies
	var last time.Time
	for i, id := range ids[1:] {
		t, ok := times.get(id)
		if !ok {
			continue
		}
		if t.After(last) {
			last = t
		}
		from := due[i]
		if rate == 0 {
			from = due[0]
		}
		lat.Add(t.Sub(from))
	}
	if on {
		if err := tel.Close(); err != nil {
			b.Fatal(err)
		}
		// The instrumentation was really on: every order made spans (its
		// delivery, its sync, and its share of the calls), or, sampled,
		// about one in ten did.
		if err := tp.ForceFlush(ctx); err != nil {
			b.Fatal(err)
		}
		switch got := spans.n.Load(); {
		case variant == telOn && got < int64(2*n):
			b.Fatalf("telemetry on exported %d spans for %d orders, want at least 2 per order", got, n)
		case variant == telSampled && (got == 0 || got >= int64(n)):
			b.Fatalf("telemetry sampled at %v exported %d spans for %d orders, want some, and fewer than 1 per order", sampledRatio, got, n)
		}
	}
	return roundResult{
		lat: &lat, span: last.Sub(due[0]), cpuMicros: float64(cpu.Microseconds()) / float64(n),
		gcMicros: gc.cpuSeconds * 1e6 / float64(n), allocKB: gc.allocBytes / 1024 / float64(n),
	}
}

// instrumentClients replaces the rig's clients with clients on the
// instrumented transport and retry policies.
func instrumentClients(b testing.TB, f *fakes, tel *telemetry.Telemetry) {
	b.Helper()
	var err error
	f.bc, err = bigcommerce.NewClient(f.store.StoreHash(), f.store.Token(),
		bigcommerce.WithBaseURL(f.store.URL()), bigcommerce.WithHTTPClient(tel.HTTPClient(keepAlive())),
		bigcommerce.WithRetry(tel.BigCommerceRetry(bigcommerce.DefaultRetryPolicy())))
	if err != nil {
		b.Fatal(err)
	}
	f.sf, err = salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(f.org.URL()), salesforce.WithHTTPClient(tel.HTTPClient(keepAlive())),
		salesforce.WithRetry(tel.SalesforceRetry(salesforce.DefaultRetryPolicy())))
	if err != nil {
		b.Fatal(err)
	}
}

// countingExporter drops spans and counts them.
type countingExporter struct{ n atomic.Int64 }

func (c *countingExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	c.n.Add(int64(len(spans)))
	return nil
}

func (c *countingExporter) Shutdown(context.Context) error { return nil }

package bench_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
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

// telemetryRounds is the number of rounds of each variant; they alternate,
// in a different order each round, so that a machine slowing down or
// speeding up during the run weighs on all of them alike.
const telemetryRounds = 5

// The variants of BenchmarkEndToEndTelemetry.
const (
	telOff     = iota // nothing instrumented
	telOn             // every order traced
	telSampled        // one trace in ten, as in production
	telVariants
)

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
// The figures of telemetry on are reported as on-<unit> and x-off-<metric>,
// those of the sampled variant as sampled-<unit> and x-off-sampled-<metric>,
// both against the same off rounds.
//
//   - rate=200: 200 deliveries per second for 3 s; p50 and p99 of the time
//     from a delivery's due time to the order synced;
//   - burst=2000: 2,000 deliveries sent at once (512 at a time); orders
//     synced per second from the first delivery to the last sync.
//
// Both also report the process's CPU time (user and system, fakes
// included) per order, which, unlike times on the clock, does not grow
// when other processes share the machine. Each variant runs
// telemetryRounds (5) times, alternating, each round on fresh fakes and a
// fresh queue; every figure is the median of a variant's rounds. The
// goals, for both variants: at most 1.05 times the latency and at least
// 0.95 times the throughput of telemetry off. It runs once whatever b.N is; run it with
// -benchtime=1x.
func BenchmarkEndToEndTelemetry(b *testing.B) {
	b.Run("rate=200", func(b *testing.B) {
		var p50, p99, cpu [telVariants][]float64
		alternate(func(v int) {
			r := telemetryRound(b, v, 600, 200)
			p50[v] = append(p50[v], bench.Millis(r.lat.Percentile(50)))
			p99[v] = append(p99[v], bench.Millis(r.lat.Percentile(99)))
			cpu[v] = append(cpu[v], r.cpuMicros)
		})
		reportPair(b, p50, "p50-ms", "x-off-p50")
		reportPair(b, p99, "p99-ms", "x-off-p99")
		reportPair(b, cpu, "cpu-µs/order", "x-off-cpu")
	})
	b.Run("burst=2000", func(b *testing.B) {
		const n = 2000
		var rate, cpu [telVariants][]float64
		alternate(func(v int) {
			r := telemetryRound(b, v, n, 0)
			rate[v] = append(rate[v], float64(r.lat.Len())/r.lat.Percentile(100).Seconds())
			cpu[v] = append(cpu[v], r.cpuMicros)
		})
		reportPair(b, rate, "orders/s", "x-off-orders/s")
		reportPair(b, cpu, "cpu-µs/order", "x-off-cpu")
	})
}

// reportPair reports the median of each variant as off-unit, on-unit and
// sampled-unit, and each instrumented variant over off as ratio (on) and
// as ratio with "-sampled" after its "x-off" (x-off-sampled-p50).
func reportPair(b *testing.B, v [telVariants][]float64, unit, ratio string) {
	off, on, sampled := median(v[telOff]), median(v[telOn]), median(v[telSampled])
	b.ReportMetric(off, "off-"+unit)
	b.ReportMetric(on, "on-"+unit)
	b.ReportMetric(sampled, "sampled-"+unit)
	b.ReportMetric(on/off, ratio)
	b.ReportMetric(sampled/off, strings.Replace(ratio, "x-off", "x-off-sampled", 1))
}

// alternate runs f for every variant telemetryRounds times, rotating which
// goes first.
func alternate(f func(variant int)) {
	for r := range telemetryRounds {
		for i := range telVariants {
			runtime.GC()
			f((r + i) % telVariants)
		}
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// roundResult is what one round measured.
type roundResult struct {
	lat       *bench.Latencies
	cpuMicros float64 // process CPU time per order, in microseconds
}

// telemetryRound delivers n orders through a fresh rig, at rate per second
// or, with rate 0, all at once, and returns each order's latency from its
// due time (the first delivery's, for rate 0) to its sync, and the CPU time
// the process spent per order meanwhile.
func telemetryRound(b *testing.B, variant, n, rate int) roundResult {
	b.Helper()
	// The round's fakes, servers and queue go when it ends, so that no
	// round scans the heaps of the rounds before it.
	sc := newScope(b)
	defer sc.close()
	on := variant != telOff
	f := newFakes(sc)
	ids := f.addOrders(sc, n+1)
	q, s := newBackend(sc, false, 2*n+10)
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
	cpu0 := cpuTime()
	due, _ := pace(ctx, b, f, url, ids[1:], paceRate)
	if !waitUntil(60*time.Second, func() bool { return times.synced.Load() >= int64(n+1) }) {
		b.Fatalf("variant %d: %d of %d orders synced within 60 s of the last delivery", variant, times.synced.Load()-1, n)
	}
	cpu := cpuTime() - cpu0
	stop()
	var lat bench.Latencies
	for i, id := range ids[1:] {
		t, ok := times.get(id)
		if !ok {
			continue
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
	return roundResult{lat: &lat, cpuMicros: float64(cpu.Microseconds()) / float64(n)}
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

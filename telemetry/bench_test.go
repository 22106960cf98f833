package telemetry_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/telemetry"
)

// cpuTime is the CPU time the process has used, user and system: unlike
// ns/op it does not grow when other processes share the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stubTransport answers every request with 200 and a small body, in
// memory.
type stubTransport struct{}

func (stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
}

type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }

// BenchmarkInstrumentation measures the instrumentation of orders alone,
// with no network and no real work under it: the receiver's server span
// around a handler that, as the Sink does, takes the trace context and
// enqueues the task under the delivery's span; the sync span; a fetch and
// a write stage with one HTTP request each through HTTPClient; and the
// result. "on" records the orders' traces; "unsampled" has a sampler that
// drops them, as a ratio sampler drops most orders, and records only the
// metrics; "off" does the same work without telemetry: the difference is
// what telemetry adds per order. The first three serve each order's stages
// with calls of its own, as at a low rate; the "batch=75" ones share each
// call among 75 orders, as a burst does (one Composite Graph call for up to
// 75 orders): a call's span is then one per 75 orders, and each order gets
// an event for it instead. A figure is per order.
func BenchmarkInstrumentation(b *testing.B) {
	for _, group := range []int{1, 75} {
		for _, variant := range []string{"off", "on", "unsampled"} {
			name := variant
			if group > 1 {
				name = fmt.Sprintf("%s/batch=%d", variant, group)
			}
			b.Run(name, func(b *testing.B) { benchInstrumentation(b, variant, group) })
		}
	}
}

func benchInstrumentation(b *testing.B, variant string, group int) {
	on := variant != "off"
	sampler := sdktrace.AlwaysSample()
	if variant == "unsampled" {
		sampler = sdktrace.ParentBased(sdktrace.NeverSample())
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{}), sdktrace.WithSampler(sampler))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer tp.Shutdown(context.Background())
	tel, err := telemetry.New(telemetry.WithTracerProvider(tp), telemetry.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	q := idempotency.NewMemoryQueue(idempotency.WithDedupWindow(0))
	defer q.Close()
	var sinkQueue idempotency.Queue = q
	client := &http.Client{Transport: stubTransport{}}
	var next int64 // the order of the delivery being served
	var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		task := pipeline.Task{OrderID: next, Source: pipeline.SourceWebhook}
		if on {
			task.TraceParent, task.TraceState = tel.TraceContext(r.Context())
		}
		body, _ := pipeline.EncodeTask(task)
		if _, err := sinkQueue.Enqueue(r.Context(), idempotency.Message{Key: "k", Body: body}); err != nil {
			b.Error(err)
		}
		w.WriteHeader(http.StatusOK)
	})
	var hooks pipeline.Hooks
	onResult := func(pipeline.Result) {}
	if on {
		sinkQueue = tel.Queue(q)
		client = tel.HTTPClient(client)
		handler = tel.Receiver(handler)
		cfg := tel.Worker(pipeline.WorkerConfig{OnResult: onResult})
		hooks, onResult = cfg.Hooks, cfg.OnResult
	}
	ctx := context.Background()
	d := &idempotency.Delivery{ID: "1", Key: "k", Attempt: 1}
	tasks := make([]pipeline.Task, group)
	tctxs := make([]context.Context, group)
	ends := make([]func(pipeline.Result), group)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for done := 0; done < b.N; {
		n := min(group, b.N-done)
		for i := range n {
			next = int64(done + i + 1)
			req := httptest.NewRequest(http.MethodPost, "/webhooks/bigcommerce", strings.NewReader(`{"scope":"store/order/created"}`))
			handler.ServeHTTP(httptest.NewRecorder(), req)
			got, err := q.Dequeue(ctx, 0)
			if err != nil {
				b.Fatal(err)
			}
			if tasks[i], err = pipeline.DecodeTask(got.Body); err != nil {
				b.Fatal(err)
			}
			if err := q.Ack(ctx, got); err != nil {
				b.Fatal(err)
			}
			tctxs[i], ends[i] = ctx, func(pipeline.Result) {}
			if hooks.Task != nil {
				tctxs[i], ends[i] = hooks.Task(ctx, tasks[i], d)
			}
		}
		for _, stage := range []pipeline.Stage{pipeline.StageFetch, pipeline.StageWrite} {
			cctx, end := tctxs[0], func(error) {}
			if hooks.Call != nil {
				cctx, end = hooks.Call(ctx, stage, tctxs[:n])
			}
			r, _ := http.NewRequestWithContext(cctx, http.MethodGet, "http://api.example/v2/orders/1?include=x", nil)
			resp, err := client.Do(r)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if end != nil {
				end(nil)
			}
		}
		for i := range n {
			res := pipeline.Result{OrderID: tasks[i].OrderID, Outcome: pipeline.OutcomeSynced, Source: pipeline.SourceWebhook}
			onResult(res)
			ends[i](res)
		}
		done += n
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkHTTPClient measures a request on loopback through an
// *http.Client with a Timeout, as the API clients' default has: "plain" is
// that client on its own *http.Transport, the baseline; "untraced" is
// HTTPClient's copy of it, for a request outside any recording span (an
// order the sampler dropped); "traced" is the copy under a recording span,
// its client span exported to nowhere. What "untraced" adds to "plain" is
// what every request pays for telemetry; keeping the Timeout out of
// net/http (see HTTPClient) keeps that small.
func BenchmarkHTTPClient(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":1}`)
	}))
	b.Cleanup(srv.Close)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{}))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tel, err := telemetry.New(telemetry.WithTracerProvider(tp))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tel.Close() })
	plain := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: 30 * time.Second}
	traced, span := tp.Tracer("bench").Start(context.Background(), "sync")
	defer span.End()
	for _, v := range []struct {
		name string
		hc   *http.Client
		ctx  context.Context
	}{
		{"plain", plain, context.Background()},
		{"untraced", tel.HTTPClient(plain), context.Background()},
		{"traced", tel.HTTPClient(plain), traced},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				req, _ := http.NewRequestWithContext(v.ctx, http.MethodGet, srv.URL+"/v2/orders/1", nil)
				resp, err := v.hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

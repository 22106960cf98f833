package telemetry_test

import (
	"context"
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

// BenchmarkInstrumentation measures the instrumentation of one order alone,
// with no network and no real work under it: the receiver's server span
// around a handler that answers 200, the trace context and the enqueue's
// attributes on that span, the sync span, a fetch and a write stage with one HTTP request each
// through HTTPClient, and the result. "on" records the order's trace;
// "unsampled" has a sampler that drops it, as a ratio sampler drops most
// orders, and records only the metrics. The sub-benchmark "off" does the
// same work without telemetry: the difference is what telemetry adds per
// order.
func BenchmarkInstrumentation(b *testing.B) {
	for _, name := range []string{"off", "on", "unsampled"} {
		on := name != "off"
		b.Run(name, func(b *testing.B) {
			sampler := sdktrace.AlwaysSample()
			if name == "unsampled" {
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
			var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := range b.N {
				req := httptest.NewRequest(http.MethodPost, "/webhooks/bigcommerce", strings.NewReader(`{"scope":"store/order/created"}`))
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				task := pipeline.Task{OrderID: int64(i + 1), Source: pipeline.SourceWebhook}
				if on {
					task.TraceParent, task.TraceState = tel.TraceContext(req.Context())
				}
				body, _ := pipeline.EncodeTask(task)
				if _, err := sinkQueue.Enqueue(ctx, idempotency.Message{Key: "k", Body: body}); err != nil {
					b.Fatal(err)
				}
				got, err := q.Dequeue(ctx, 0)
				if err != nil {
					b.Fatal(err)
				}
				if err := q.Ack(ctx, got); err != nil {
					b.Fatal(err)
				}
				tctx, end := ctx, func(pipeline.Result) {}
				if hooks.Task != nil {
					tctx, end = hooks.Task(ctx, task, d)
				}
				for _, stage := range []pipeline.Stage{pipeline.StageFetch, pipeline.StageWrite} {
					cctx, done := tctx, func(error) {}
					if hooks.Call != nil {
						cctx, done = hooks.Call(ctx, stage, []context.Context{tctx})
					}
					r, _ := http.NewRequestWithContext(cctx, http.MethodGet, "http://api.example/v2/orders/1?include=x", nil)
					resp, err := client.Do(r)
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
					if done != nil {
						done(nil)
					}
				}
				res := pipeline.Result{OrderID: task.OrderID, Outcome: pipeline.OutcomeSynced, Source: pipeline.SourceWebhook}
				onResult(res)
				end(res)
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

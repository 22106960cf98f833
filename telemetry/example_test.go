package telemetry_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/telemetry"
	"github.com/bc2sf/bc2sf/webhook"
)

// The receiving side: the delivery's server span goes with the Task into
// the queue, so that the Worker's sync of the order joins its trace.
func Example() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	queue := idempotency.NewMemoryQueue()
	defer queue.Close()

	tel, err := telemetry.New(telemetry.WithTracerProvider(tp), telemetry.WithMeterProvider(mp))
	if err != nil {
		log.Fatal(err)
	}
	defer tel.Close()
	if err := tel.ObserveQueue(queue); err != nil {
		log.Fatal(err)
	}
	verifier, err := webhook.NewVerifier([]webhook.Scheme{webhook.SharedSecret(webhook.DefaultSecretHeader, "a-long-random-secret")})
	if err != nil {
		log.Fatal(err)
	}
	handler, err := webhook.NewHandler(pipeline.NewSink(tel.Queue(queue), idempotency.NewMemoryStore(), pipeline.WithTraceContext(tel.TraceContext)))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/bigcommerce", tel.Receiver(verifier.Middleware(handler)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/bigcommerce",
		strings.NewReader(`{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":250},"hash":"h","created_at":1700000000}`))
	req.Header.Set(webhook.DefaultSecretHeader, "a-long-random-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()

	d, err := queue.Dequeue(context.Background(), 0)
	if err != nil {
		log.Fatal(err)
	}
	task, err := pipeline.DecodeTask(d.Body)
	if err != nil {
		log.Fatal(err)
	}
	server := spans.Ended()[len(spans.Ended())-1]
	fmt.Println(resp.StatusCode, server.Name())
	fmt.Println("task carries the delivery's trace:", strings.Contains(task.TraceParent, server.SpanContext().TraceID().String()))

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		log.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if g, ok := m.Data.(metricdata.Gauge[int64]); ok && m.Name == telemetry.MetricQueueDepth {
				for _, p := range g.DataPoints {
					if state, _ := p.Attributes.Value("state"); state.AsString() == "in_flight" {
						fmt.Println(m.Name, "in_flight:", p.Value)
					}
				}
			}
		}
	}
	// Output:
	// 200 POST /webhooks/bigcommerce
	// task carries the delivery's trace: true
	// bc2sf.queue.depth in_flight: 1
}

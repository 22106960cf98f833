package telemetry_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
	"github.com/bc2sf/bc2sf/telemetry"
	"github.com/bc2sf/bc2sf/webhook"
)

// Credentials of the fake store's hook and app, known to the receiver.
const (
	hookSecret   = "telemetry-test-hook-secret"
	clientSecret = "telemetry-test-client-secret"
)

// rig is the whole flow on the fakes, instrumented, with in-memory
// exporters: spans in a SpanRecorder, metrics in a ManualReader.
type rig struct {
	t      *testing.T
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tel    *telemetry.Telemetry
	store  *bctest.Server
	org    *sftest.Server
	bc     *bigcommerce.Client
	sf     *salesforce.Client
	queue  *idempotency.MemoryQueue
	url    string // the receiver's webhook URL
	wcfg   pipeline.WorkerConfig
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	r.queue = idempotency.NewMemoryQueue()
	t.Cleanup(func() { _ = r.queue.Close() })
	var err error
	if r.store, err = bctest.NewServer(bctest.WithClientSecret(clientSecret), bctest.WithRateLimit(1000, time.Hour)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.store.Close)
	if r.org, err = sftest.NewServer(sftest.WithIDSeed(1)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.org.Close)

	tel, err := telemetry.New(telemetry.WithTracerProvider(tp), telemetry.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Close() })
	r.tel = tel
	bcc, err := bigcommerce.NewClient(r.store.StoreHash(), r.store.Token(), bigcommerce.WithBaseURL(r.store.URL()),
		bigcommerce.WithHTTPClient(tel.HTTPClient(nil)),
		bigcommerce.WithRetry(tel.BigCommerceRetry(bigcommerce.RetryPolicy{MaxAttempts: 2, InitialBackoff: time.Millisecond})))
	if err != nil {
		t.Fatal(err)
	}
	sfc, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(r.org.URL()),
		salesforce.WithHTTPClient(tel.HTTPClient(nil)),
		salesforce.WithRetry(tel.SalesforceRetry(salesforce.RetryPolicy{MaxAttempts: 2, InitialBackoff: time.Millisecond})))
	if err != nil {
		t.Fatal(err)
	}
	r.bc, r.sf = bcc, sfc
	if err := errors.Join(tel.ObserveQueue(r.queue), tel.ObserveBigCommerce(bcc.RateLimit),
		tel.ObserveSalesforce(func(context.Context) (int64, int64, bool) {
			info, ok := sfc.Usage()
			return info.APIUsage.Used, info.APIUsage.Max, ok
		})); err != nil {
		t.Fatal(err)
	}

	verifier, err := webhook.NewVerifier([]webhook.Scheme{
		webhook.SharedSecret(webhook.DefaultSecretHeader, hookSecret),
		webhook.StandardWebhooks([]byte(clientSecret)),
	})
	if err != nil {
		t.Fatal(err)
	}
	store := idempotency.NewMemoryStore()
	handler, err := webhook.NewHandler(pipeline.NewSink(tel.Queue(r.queue), store, pipeline.WithTraceContext(tel.TraceContext)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/bigcommerce", tel.Receiver(verifier.Middleware(handler)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/webhooks/bigcommerce"
	if _, err := r.store.AddHook(bctest.Hook{Scope: "store/order/*", Destination: r.url, IsActive: true,
		Headers: map[string]string{webhook.DefaultSecretHeader: hookSecret}}); err != nil {
		t.Fatal(err)
	}

	m, err := mapper.New(mapper.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r.wcfg = pipeline.WorkerConfig{
		Queue: r.queue, Store: store, Orders: bcc.Orders, Graphs: sfc, Mapper: m,
		Backoff: func(int) time.Duration { return time.Millisecond },
	}
	return r
}

// addOrder stores a syncable order (or one of the given status) and
// returns its id.
func (r *rig) addOrder(i, status int) int64 {
	r.t.Helper()
	o, err := r.store.AddOrder(bctest.Order{
		StatusID:    status,
		TotalIncTax: fmt.Sprintf("%d.50", 10+i),
		BillingAddress: bctest.Address{FirstName: "Ada", LastName: fmt.Sprintf("Buyer%d", i),
			Email: fmt.Sprintf("buyer%d@example.com", i)},
		LineItems: []bctest.LineItem{{ProductID: 7, Name: "Widget", SKU: "SKU-1",
			Quantity: 1, PriceIncTax: "10.0000", PriceExTax: "10.0000", TotalIncTax: "10.0000", TotalExTax: "10.0000"}},
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return o.ID
}

// deliver sends the created event of order id over HTTP, through the
// receiver, and fails unless it answered 200.
func (r *rig) deliver(id int64) {
	r.t.Helper()
	d, err := r.store.Deliver(context.Background(), r.url, bctest.EventSpec{OrderID: id})
	if err != nil {
		r.t.Fatal(err)
	}
	if d.StatusCode != http.StatusOK {
		r.t.Fatalf("delivery of order %d: status %d", id, d.StatusCode)
	}
}

// work runs an instrumented Worker until results settle deliveries, then
// stops it and returns them.
func (r *rig) work(settled int) []pipeline.Result {
	r.t.Helper()
	var mu sync.Mutex
	var got []pipeline.Result
	cfg := r.wcfg
	cfg.OnResult = func(res pipeline.Result) {
		mu.Lock()
		got = append(got, res)
		mu.Unlock()
	}
	w, err := pipeline.NewWorker(r.tel.Worker(cfg))
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= settled {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			r.t.Fatalf("%d of %d deliveries settled in 20 s", n, settled)
		}
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		r.t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]pipeline.Result(nil), got...)
}

// metrics collects the metrics once.
func (r *rig) metrics() metricdata.ResourceMetrics {
	r.t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		r.t.Fatal(err)
	}
	return rm
}

// find returns the metric named name.
func find(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// value returns the value of the data point of an int64 sum or gauge, or a
// float64 gauge, whose attributes are exactly attrs, and whether there is
// one.
func value(rm metricdata.ResourceMetrics, name string, attrs ...attribute.KeyValue) (float64, bool) {
	m, ok := find(rm, name)
	if !ok {
		return 0, false
	}
	want := attribute.NewSet(attrs...)
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			if p.Attributes.Equals(&want) {
				return float64(p.Value), true
			}
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			if p.Attributes.Equals(&want) {
				return float64(p.Value), true
			}
		}
	case metricdata.Gauge[float64]:
		for _, p := range d.DataPoints {
			if p.Attributes.Equals(&want) {
				return p.Value, true
			}
		}
	}
	return 0, false
}

// points counts the data points of a metric, over every attribute set.
func points(rm metricdata.ResourceMetrics, name string) int {
	m, ok := find(rm, name)
	if !ok {
		return 0
	}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		return len(d.DataPoints)
	case metricdata.Gauge[int64]:
		return len(d.DataPoints)
	case metricdata.Gauge[float64]:
		return len(d.DataPoints)
	case metricdata.Histogram[float64]:
		return len(d.DataPoints)
	}
	return -1
}

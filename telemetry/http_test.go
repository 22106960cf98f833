package telemetry_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/telemetry"
)

// The server gets the request as sent, without a trace header; the span
// records the URL with its query values redacted and no header.
func TestHTTPClient(t *testing.T) {
	t.Parallel()
	type got struct {
		query  string
		header http.Header
	}
	seen := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- got{r.URL.RawQuery, r.Header.Clone()}
	}))
	defer srv.Close()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	tel, err := telemetry.New(telemetry.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	base := &http.Client{Timeout: 7e9}
	hc := tel.HTTPClient(base)
	// The copy's transport enforces the timeout (TestHTTPClientKeepsTheTimeout).
	if hc == base || base.Timeout != 7e9 || base.Transport != nil {
		t.Errorf("HTTPClient returned %p for %p and changed it to timeout %v, transport %v; want a copy", hc, base, base.Timeout, base.Transport)
	}
	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	query := "q=SELECT+Id+FROM+Account+WHERE+Email+%3D+%27ada%40example.com%27&limit=5"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/services/data/v64.0/query?"+query, nil)
	req.Header.Set("Authorization", "Bearer very-secret-token")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	parent.End()

	g := <-seen
	if g.query != query {
		t.Errorf("server got query %q, want %q", g.query, query)
	}
	if g.header.Get("Traceparent") != "" || g.header.Get("Authorization") != "Bearer very-secret-token" {
		t.Errorf("server got headers %v; want the request's, without a traceparent", g.header)
	}
	var client sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		if s.Name() == "HTTP GET" {
			client = s
		}
	}
	if client == nil || client.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("no client span under the caller's span in %v", names(spans.Ended()))
	}
	// A request outside any recording span makes no span.
	before := len(spans.Ended())
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/untraced", nil)
	if resp, err = hc.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-seen
	if n := len(spans.Ended()) - before; n != 0 {
		t.Errorf("a request outside any span made %d spans, want none", n)
	}

	attrs := attribute.NewSet(client.Attributes()...)
	full, _ := attrs.Value("url.full")
	if !strings.HasSuffix(full.AsString(), "/services/data/v64.0/query?q=REDACTED&limit=REDACTED") {
		t.Errorf("url.full = %q; want the query's values redacted", full.AsString())
	}
	for _, kv := range client.Attributes() {
		if strings.Contains(kv.Value.String(), "very-secret-token") || strings.Contains(kv.Value.String(), "ada") {
			t.Errorf("attribute %s = %q leaks the request", kv.Key, kv.Value.String())
		}
	}
}

// The receiver is a public endpoint: a caller's traceparent becomes a link
// of a new trace, never its parent. Its span is named after the route (or
// SpanReceive without one), records no header but User-Agent, and is an
// error for an answer of 500 or more only.
func TestReceiver(t *testing.T) {
	t.Parallel()
	const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	tests := []struct {
		name      string
		pattern   string // "" serves the receiver without a mux
		status    int
		traceSent bool
		wantName  string
		wantError bool
	}{
		{"routed", "POST /webhooks/bigcommerce", http.StatusOK, true, "POST /webhooks/bigcommerce", false},
		{"pattern without a method", "/webhooks/bigcommerce", http.StatusUnauthorized, false, "POST /webhooks/bigcommerce", false},
		{"no route", "", http.StatusServiceUnavailable, true, telemetry.SpanReceive, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spans := tracetest.NewSpanRecorder()
			tel, err := telemetry.New(telemetry.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))))
			if err != nil {
				t.Fatal(err)
			}
			var inner trace.SpanContext
			var h http.Handler = tel.Receiver(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inner = trace.SpanContextFromContext(r.Context())
				w.WriteHeader(tt.status)
			}))
			if tt.pattern != "" {
				mux := http.NewServeMux()
				mux.Handle(tt.pattern, h)
				h = mux
			}
			req := httptest.NewRequest(http.MethodPost, "/webhooks/bigcommerce?token=query-secret", strings.NewReader(`{"scope":"store/order/created"}`))
			req.Header.Set("X-Webhook-Secret", "header-secret")
			req.Header.Set("User-Agent", "bc2sf-test")
			if tt.traceSent {
				req.Header.Set("Traceparent", caller)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			ended := spans.Ended()
			if len(ended) != 1 {
				t.Fatalf("%d spans, want 1", len(ended))
			}
			s := ended[0]
			if s.Name() != tt.wantName || s.SpanKind() != trace.SpanKindServer {
				t.Errorf("span %q of kind %v, want a server span %q", s.Name(), s.SpanKind(), tt.wantName)
			}
			if !inner.IsValid() || inner.SpanID() != s.SpanContext().SpanID() {
				t.Errorf("the handler ran with span %v, want the receiver's", inner.SpanID())
			}
			if s.Parent().IsValid() || s.SpanContext().TraceID().String() == caller[3:35] {
				t.Errorf("span parent %v, trace %s: want a new trace at the root", s.Parent(), s.SpanContext().TraceID())
			}
			wantLinks := 0
			if tt.traceSent {
				wantLinks = 1
			}
			if len(s.Links()) != wantLinks {
				t.Fatalf("%d links, want %d", len(s.Links()), wantLinks)
			}
			if wantLinks == 1 && s.Links()[0].SpanContext.TraceID().String() != caller[3:35] {
				t.Errorf("link to %v, want the caller's trace", s.Links()[0].SpanContext.TraceID())
			}
			if got := s.Status().Code == codes.Error; got != tt.wantError {
				t.Errorf("status %+v for %d, want error %v", s.Status(), tt.status, tt.wantError)
			}
			attrs := attribute.NewSet(s.Attributes()...)
			if v, _ := attrs.Value("http.response.status_code"); v.AsInt64() != int64(tt.status) {
				t.Errorf("http.response.status_code = %v, want %d", v.String(), tt.status)
			}
			for _, kv := range s.Attributes() {
				v := kv.Value.String()
				if strings.Contains(v, "secret") || strings.Contains(v, "store/order") || strings.Contains(strings.ToLower(string(kv.Key)), "header") {
					t.Errorf("attribute %s = %q records a header, the query or the body", kv.Key, v)
				}
			}
		})
	}
}

// failingQueue refuses every message.
type failingQueue struct{ idempotency.Queue }

func (failingQueue) Enqueue(context.Context, idempotency.Message) (idempotency.EnqueueResult, error) {
	return idempotency.EnqueueResult{}, errors.New("queue down")
}

// Queue marks the caller's span with the message's id and whether it was a
// duplicate, or with the error of an Enqueue that failed, and makes no span
// of its own.
func TestQueueMarksTheCallersSpan(t *testing.T) {
	t.Parallel()
	spans, tp, tel := tracedTelemetry(t)
	mem := idempotency.NewMemoryQueue()
	defer mem.Close()
	ctx, span := tp.Tracer("test").Start(context.Background(), "delivery")
	q := tel.Queue(mem)
	for range 2 {
		if _, err := q.Enqueue(ctx, idempotency.Message{Key: "k", Body: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tel.Queue(failingQueue{mem}).Enqueue(ctx, idempotency.Message{Key: "j", Body: []byte("{}")}); err == nil {
		t.Fatal("the failing queue's Enqueue succeeded")
	}
	span.End()
	ended := spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("%d spans %v, want the caller's alone", len(ended), names(ended))
	}
	attrs := attribute.NewSet(ended[0].Attributes()...)
	id, _ := attrs.Value("messaging.message.id")
	dup, _ := attrs.Value("bc2sf.duplicate")
	if id.AsString() == "" || !dup.AsBool() {
		t.Errorf("message id %q, duplicate %v; want the id, and true for the second Enqueue", id.AsString(), dup.String())
	}
	events := ended[0].Events()
	if len(events) != 1 || events[0].Name != "exception" {
		t.Fatalf("events %+v, want the failed Enqueue's exception", events)
	}
	msg := attribute.NewSet(events[0].Attributes...)
	if v, _ := msg.Value("exception.message"); v.AsString() != "queue down" {
		t.Errorf("exception.message = %q, want the queue's error", v.AsString())
	}
}

// taggingSpy is a TaggingQueue that counts the tagged enqueues it gets.
type taggingSpy struct {
	*idempotency.MemoryQueue
	tagged int
}

func (q *taggingSpy) EnqueueTagged(ctx context.Context, s idempotency.Store, resource string, m idempotency.Message) (idempotency.EnqueueResult, error) {
	q.tagged++
	return q.MemoryQueue.EnqueueTagged(ctx, s, resource, m)
}

// The wrapped queue passes tagged enqueues to a queue that tags in one
// step (on Redis, one round trip instead of two), and marks the span as
// Enqueue does.
func TestQueueKeepsTaggingInOneStep(t *testing.T) {
	t.Parallel()
	spans, tp, tel := tracedTelemetry(t)
	spy := &taggingSpy{MemoryQueue: idempotency.NewMemoryQueue()}
	defer spy.Close()
	store := idempotency.NewMemoryStore()
	ctx, span := tp.Tracer("test").Start(context.Background(), "delivery")
	res, err := idempotency.EnqueueTagged(ctx, tel.Queue(spy), store, "order:1", idempotency.Message{Key: "sync:1:"})
	span.End()
	if err != nil || res.Generation != "0" || spy.tagged != 1 {
		t.Fatalf("EnqueueTagged = %+v, %v with %d one-step calls; want generation 0 in one step", res, err, spy.tagged)
	}
	attrs := attribute.NewSet(spans.Ended()[0].Attributes()...)
	if id, _ := attrs.Value("messaging.message.id"); id.AsString() != res.ID {
		t.Errorf("message id %q on the span, want %q", id.AsString(), res.ID)
	}
}

// tracedTelemetry returns a Telemetry whose spans a recorder keeps, with
// its tracer provider.
func tracedTelemetry(t *testing.T) (*tracetest.SpanRecorder, *sdktrace.TracerProvider, *telemetry.Telemetry) {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	tel, err := telemetry.New(telemetry.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	return spans, tp, tel
}

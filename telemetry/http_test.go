package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

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
	if hc == base || hc.Timeout != base.Timeout || base.Transport != nil {
		t.Errorf("HTTPClient returned %p (timeout %v) for %p and changed it to %v; want a copy", hc, hc.Timeout, base, base.Transport)
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

package telemetry

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Receiver wraps the webhook receiver (the verifying middleware and its
// handler) in otelhttp's handler: each delivery gets a server span, named
// after the http.ServeMux pattern that routed it (e.g. "POST
// /webhooks/bigcommerce"), else SpanReceive, with otelhttp's attributes of
// the semantic conventions (http.request.method, url.path, http.route,
// http.response.status_code, the body sizes, the peer's address and
// User-Agent), and an error status for an answer of 500 or more. The Sink's
// TraceContext passes the span on to the Task, and Queue marks it with the
// queued message's id.
//
// The receiver is a public endpoint: the span always starts a new trace, and
// a traceparent header sent by the caller becomes a link, never the parent,
// since anyone can send one. No header is recorded but User-Agent and
// X-Forwarded-For (client.address), nor the body or the query string, so
// neither the shared secret nor a signature reaches a span.
//
// otelhttp's HTTP server metrics (http.server.request.duration and the body
// sizes) are not recorded: bc2sf's own metrics say what an operator needs,
// and three histograms per delivery would add to its cost (see Cost in the
// package documentation).
func (t *Telemetry) Receiver(h http.Handler) http.Handler {
	// Every delivery is a new root (WithNewRoot), and otelhttp reads no
	// trace header (no propagator): callerLink links a caller's traceparent
	// itself. otelhttp's WithPublicEndpointFn would do the same with a copy
	// of every request, and its propagator would look for the headers in
	// every delivery, where BigCommerce sends none.
	return otelhttp.NewHandler(callerLink{prop: t.prop, next: h}, SpanReceive, t.httpOptions(
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator()),
		otelhttp.WithSpanOptions(trace.WithNewRoot()),
		otelhttp.WithSpanNameFormatter(receiverSpanName),
	)...)
}

// callerLink runs under the receiver's server span: a delivery that came
// with a valid traceparent links the span to the caller's span, which it
// can never be the child of.
type callerLink struct {
	prop propagation.TextMapPropagator
	next http.Handler
}

func (c callerLink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Traceparent") != "" {
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			caller := trace.SpanContextFromContext(c.prop.Extract(context.Background(), propagation.HeaderCarrier(r.Header)))
			if caller.IsValid() {
				span.AddLink(trace.Link{SpanContext: caller})
			}
		}
	}
	c.next.ServeHTTP(w, r)
}

// receiverSpanName names a delivery's span after the pattern that routed it,
// else op (SpanReceive). A pattern without a method takes the request's,
// when it is a standard one, so that a caller cannot name spans at will.
func receiverSpanName(op string, r *http.Request) string {
	switch {
	case r.Pattern == "":
		return op
	case strings.Contains(r.Pattern, " "):
		return r.Pattern
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return r.Method + " " + r.Pattern
	}
	return "HTTP " + r.Pattern
}

// HTTPClient returns a copy of hc whose transport is otelhttp's: a client
// span per request, named "HTTP <method>", with the semantic conventions'
// http.request.method, url.full, server.address, server.port and
// http.response.status_code (or error.type), and an error status for a
// failed request or an answer of 400 or more; the span ends when the
// response's body is closed. A nil hc is an http.Client with
// http.DefaultTransport and no timeout: pass the client package's default,
// e.g. &http.Client{Timeout: bigcommerce.DefaultTimeout}, to keep it. Give
// it to both API clients (bigcommerce.WithHTTPClient,
// salesforce.WithHTTPClient), which copy it in turn: each attempt, retries
// and token requests included, is then a span under the call that made it.
//
// A request is traced only when its context holds a recording span (an
// order's sync or stage, a Lister's listing): a request outside any trace,
// such as a start-up lookup, makes no trace of its own, and a request of a
// trace the sampler dropped costs next to nothing.
//
// What the spans hold is chosen for a third party's API: no header (so
// neither the X-Auth-Token nor the Authorization header), url.full without
// user information and with the query string's values replaced by
// REDACTED (a SOQL query names the records it asks for), and no trace
// header is sent to BigCommerce or Salesforce. otelhttp's HTTP client
// metrics are not recorded, as on the Receiver.
//
// A Timeout of hc holds as on hc, with the same errors, but the copy
// enforces it in its transport, where net/http would start a goroutine and
// a timer per request over a transport other than its own; a redirect's
// request then has a timeout of its own, where hc counts redirects within
// one.
func (t *Telemetry) HTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = otelhttp.NewTransport(underSpan{next: base}, t.httpOptions(
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator()),
		otelhttp.WithFilter(inRecordingSpan),
	)...)
	if c.Timeout > 0 {
		c.Transport = clientTimeout{timeout: c.Timeout, next: c.Transport}
		c.Timeout = 0
	}
	return &c
}

// httpOptions are the otelhttp options of both sides, then more.
func (t *Telemetry) httpOptions(more ...otelhttp.Option) []otelhttp.Option {
	return append([]otelhttp.Option{
		otelhttp.WithTracerProvider(t.cfg.tp),
		otelhttp.WithMeterProvider(t.httpMeters),
	}, more...)
}

// inRecordingSpan is the client's otelhttp filter: trace a request only
// under a span that records.
func inRecordingSpan(r *http.Request) bool {
	return trace.SpanFromContext(r.Context()).IsRecording()
}

// underSpan sits under otelhttp's transport, where the request's context
// holds its client span: it replaces the url.full that otelhttp set by one
// whose query values are redacted, before the span can end, and, for a
// call that serves several orders, links the span to the orders'.
type underSpan struct{ next http.RoundTripper }

func (rt underSpan) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return rt.next.RoundTrip(r)
	}
	c, shared := ctx.Value(sharedCallKey{}).(*sharedCall)
	// One SetAttributes call: each grows the span's attributes.
	switch query := r.URL != nil && r.URL.RawQuery != ""; {
	case query && shared:
		span.SetAttributes(semconv.URLFull(redactedURL(r.URL)), attrOrders.Int(len(c.tasks)))
	case query:
		span.SetAttributes(semconv.URLFull(redactedURL(r.URL)))
	case shared:
		span.SetAttributes(attrOrders.Int(len(c.tasks)))
	}
	if shared {
		c.started(span)
	}
	return rt.next.RoundTrip(r)
}

// redactedURL is u without user information, and with the values of its
// query replaced by REDACTED, keys kept in order.
func redactedURL(u *url.URL) string {
	if u.User == nil && u.RawQuery == "" {
		return u.String()
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		var b strings.Builder
		b.Grow(len(c.RawQuery))
		for part := range strings.SplitSeq(c.RawQuery, "&") {
			if part == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			key, _, _ := strings.Cut(part, "=")
			b.WriteString(key)
			b.WriteString("=REDACTED")
		}
		c.RawQuery = b.String()
	}
	return c.String()
}

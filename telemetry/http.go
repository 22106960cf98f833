package telemetry

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// HTTPClient returns a copy of hc whose transport makes a client span for
// every request, named "HTTP <method>", with the semantic conventions'
// http.request.method, url.full, server.address, server.port and
// http.response.status_code (or error.type), and an error status for a
// failed request or an answer of 400 or more. A nil hc is an http.Client
// with http.DefaultTransport and no timeout: pass the client package's
// default, e.g. &http.Client{Timeout: bigcommerce.DefaultTimeout}, to keep
// it. Give it to both API clients (bigcommerce.WithHTTPClient,
// salesforce.WithHTTPClient), which copy it in turn: each attempt, retries
// and token requests included, is then a span under the call that made it.
//
// What the spans hold is chosen for a third party's API: no header (so
// neither the X-Auth-Token nor the Authorization header), url.full with the
// query string's values replaced by REDACTED (a SOQL query names the
// records it asks for), and no trace header is sent to BigCommerce or
// Salesforce. The transport is a small one of the package's own rather
// than otelhttp's, which records request metrics at several times the cost
// of the span.
func (t *Telemetry) HTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &transport{next: base, tracer: t.tracer}
	return &c
}

// transport makes a client span per request.
type transport struct {
	next   http.RoundTripper
	tracer trace.Tracer
}

func (rt *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL == nil {
		return rt.next.RoundTrip(r)
	}
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLFull(redactedURL(r.URL)),
		semconv.ServerAddress(r.URL.Hostname()))
	if port, err := strconv.Atoi(r.URL.Port()); err == nil {
		attrs = append(attrs, semconv.ServerPort(port))
	}
	ctx, span := rt.tracer.Start(r.Context(), "HTTP "+r.Method,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	if ctx != r.Context() {
		r = r.WithContext(ctx)
	}
	resp, err := rt.next.RoundTrip(r)
	switch {
	case err != nil:
		span.SetAttributes(semconv.ErrorType(err))
		span.SetStatus(codes.Error, clip(err.Error(), maxStatusBytes))
	default:
		span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
		if resp.StatusCode >= 400 {
			span.SetStatus(codes.Error, "")
		}
	}
	span.End()
	return resp, err
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

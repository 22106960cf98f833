package telemetry

import (
	"context"
	"net/http"
	"net/url"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
)

// HTTPClient returns a copy of hc whose transport makes a client span and
// the HTTP client metrics for every request, with otelhttp. A nil hc is an
// http.Client with http.DefaultTransport and no timeout: pass the client
// package's default, e.g. &http.Client{Timeout: bigcommerce.DefaultTimeout},
// to keep it. Give it to both API clients
// (bigcommerce.WithHTTPClient, salesforce.WithHTTPClient), which copy it
// in turn: each attempt, retries and token requests included, is then a
// span under the call that made it.
//
// What the spans hold is chosen for a third party's API: no header is
// recorded (so neither the X-Auth-Token nor the Authorization header), the
// query string's values are replaced by REDACTED in url.full (a SOQL query
// names the records it asks for), and no trace header is sent to
// BigCommerce or Salesforce.
func (t *Telemetry) HTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	traced := otelhttp.NewTransport(restoreQuery{base},
		otelhttp.WithTracerProvider(t.cfg.tp),
		otelhttp.WithMeterProvider(t.cfg.mp),
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator()),
	)
	c.Transport = redactQuery{traced}
	return &c
}

// rawQueryKey carries a request's real query string past otelhttp, which
// sees a redacted one.
type rawQueryKey struct{}

// redactQuery hands the next transport a request whose query values read
// REDACTED, with the real query in its context for restoreQuery.
type redactQuery struct{ next http.RoundTripper }

func (rt redactQuery) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL == nil || r.URL.RawQuery == "" {
		return rt.next.RoundTrip(r)
	}
	raw := r.URL.RawQuery
	r = r.Clone(context.WithValue(r.Context(), rawQueryKey{}, raw))
	r.URL.RawQuery = redacted(raw)
	return rt.next.RoundTrip(r)
}

// restoreQuery puts the real query string back before the request leaves.
type restoreQuery struct{ next http.RoundTripper }

func (rt restoreQuery) RoundTrip(r *http.Request) (*http.Response, error) {
	if raw, ok := r.Context().Value(rawQueryKey{}).(string); ok && r.URL != nil {
		r = r.Clone(r.Context())
		r.URL.RawQuery = raw
	}
	return rt.next.RoundTrip(r)
}

// redacted keeps a query's keys and replaces every value.
func redacted(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil && len(q) == 0 {
		return "REDACTED"
	}
	for k, vs := range q {
		for i := range vs {
			vs[i] = "REDACTED"
		}
		q[k] = vs
	}
	return q.Encode()
}

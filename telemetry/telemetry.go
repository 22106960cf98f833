package telemetry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
)

// ScopeName is the instrumentation scope of every span and metric the
// package makes, and the name its Tracer and Meter are asked for.
const ScopeName = "github.com/bc2sf/bc2sf/telemetry"

// UsageFunc reports the Salesforce API usage: calls used and the allowance
// in the current window, and ok false while it is not known yet. It has the
// shape of deadletter.UsageFunc, so that one function can feed the console
// and the metrics.
type UsageFunc func(ctx context.Context) (used, limit int64, ok bool)

// Option changes a setting of New.
type Option func(*config)

type config struct {
	tp        trace.TracerProvider
	mp        metric.MeterProvider
	queue     idempotency.Inspector
	usage     UsageFunc
	rateLimit func() bigcommerce.RateLimit
	now       func() time.Time
}

// WithTracerProvider sets where spans go. The default is the global
// provider (otel.GetTracerProvider), which drops them until a program
// installs one.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	}
}

// WithMeterProvider sets where measurements go. The default is the global
// provider (otel.GetMeterProvider), which drops them until a program
// installs one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	}
}

// WithQueue reports the queue's depth by state, its dead letters and the
// age of its oldest live message, from Inspector.Stats, each time the
// metrics are collected. Without it those gauges are not reported.
func WithQueue(q idempotency.Inspector) Option {
	return func(c *config) { c.queue = q }
}

// WithSalesforceUsage reports the Salesforce API usage and limit, read
// from f each time the metrics are collected: typically the api-usage of
// (*salesforce.Client).Usage, which the client keeps from every response's
// Sforce-Limit-Info header. Nothing is reported while f says it does not
// know.
func WithSalesforceUsage(f UsageFunc) Option {
	return func(c *config) { c.usage = f }
}

// WithBigCommerceRateLimit reports the requests left in BigCommerce's
// window and the window's quota, read from f each time the metrics are
// collected: typically (*bigcommerce.Client).RateLimit, which the client
// keeps from every response's rate-limit headers. Nothing is reported before
// the first response; once the window has reset, the requests left are
// reported as the full quota.
func WithBigCommerceRateLimit(f func() bigcommerce.RateLimit) Option {
	return func(c *config) { c.rateLimit = f }
}

// Telemetry instruments the parts of a bc2sf program for OpenTelemetry:
// Receiver and TraceContext on the receiving side, Worker on the syncing
// side, HTTPClient for the two API clients, and the gauges of the sources
// given to New. Build it with New. It is safe for concurrent use.
type Telemetry struct {
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
	cfg    config
	m      *instruments

	mu  sync.Mutex
	reg metric.Registration // of the gauges; nil when there are none or after Close
}

// New returns a Telemetry on the given providers (the global ones by
// default). It registers the package's instruments, and fails only when
// the meter provider refuses them.
func New(opts ...Option) (*Telemetry, error) {
	cfg := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider(), now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	t := &Telemetry{
		tracer: cfg.tp.Tracer(ScopeName),
		prop:   propagation.TraceContext{},
		cfg:    cfg,
	}
	meter := cfg.mp.Meter(ScopeName)
	var err error
	if t.m, err = newInstruments(meter); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	if t.reg, err = t.m.observe(meter, &t.cfg); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return t, nil
}

// Close stops reporting the gauges of the sources given to New, so that a
// MeterProvider that outlives t no longer calls them. The counters and
// histograms stay. Close is safe to call more than once.
func (t *Telemetry) Close() error {
	t.mu.Lock()
	reg := t.reg
	t.reg = nil
	t.mu.Unlock()
	if reg == nil {
		return nil
	}
	err := reg.Unregister()
	if err != nil {
		return errors.Join(errors.New("telemetry: unregister gauges"), err)
	}
	return nil
}

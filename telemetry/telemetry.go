package telemetry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
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
	tp trace.TracerProvider
	mp metric.MeterProvider
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

// Telemetry instruments the parts of a bc2sf program for OpenTelemetry:
// Receiver and TraceContext on the receiving side, Worker on the syncing
// side, HTTPClient for the two API clients, and gauges of the queue and the
// APIs' allowances (ObserveQueue, ObserveSalesforce, ObserveBigCommerce).
// Build it with New. It is safe for concurrent use.
type Telemetry struct {
	tracer trace.Tracer
	meter  metric.Meter
	prop   propagation.TextMapPropagator
	cfg    config
	// httpMeters is the meter provider otelhttp gets: one that keeps
	// nothing (see Receiver).
	httpMeters metric.MeterProvider
	m          *instruments
	now        func() time.Time

	mu     sync.Mutex
	regs   []metric.Registration // of the gauges' callbacks
	closed bool
}

// New returns a Telemetry on the given providers (the global ones by
// default). It creates the package's instruments, and fails only when the
// meter provider refuses them.
func New(opts ...Option) (*Telemetry, error) {
	cfg := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	t := &Telemetry{
		tracer: cfg.tp.Tracer(ScopeName),
		meter:  cfg.mp.Meter(ScopeName),
		prop:   propagation.TraceContext{},
		cfg:    cfg,
		now:    time.Now,

		httpMeters: metricnoop.NewMeterProvider(),
	}
	var err error
	if t.m, err = newInstruments(t.meter); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return t, nil
}

// ObserveQueue reports the queue's live messages by state
// (MetricQueueDepth), its dead letters (MetricDeadLetters) and the age of
// its oldest live message (MetricOldestAge), from Inspector.Stats, each
// time the metrics are collected. A queue that cannot answer (Redis down)
// reports nothing that time, rather than zeros. Observe one queue per
// Telemetry: a second one reports into the same series.
func (t *Telemetry) ObserveQueue(q idempotency.Inspector) error {
	if q == nil {
		return errors.New("telemetry: ObserveQueue: nil queue")
	}
	return t.register(func(ctx context.Context, o metric.Observer) error {
		t.m.observeQueue(ctx, o, q, t.now())
		return nil
	}, t.m.depth, t.m.deadLetters, t.m.oldest)
}

// ObserveSalesforce reports the Salesforce API usage and limit
// (MetricSalesforceUsage, MetricSalesforceLimit), read from f each time the
// metrics are collected, and nothing while f does not know them. f is
// typically the api-usage of (*salesforce.Client).Usage, which the client
// keeps from every response's Sforce-Limit-Info header; give the same f to
// deadletter.WithUsage, so that the console and the metrics agree.
func (t *Telemetry) ObserveSalesforce(f UsageFunc) error {
	if f == nil {
		return errors.New("telemetry: ObserveSalesforce: nil function")
	}
	return t.register(func(ctx context.Context, o metric.Observer) error {
		if used, limit, ok := f(ctx); ok {
			o.ObserveInt64(t.m.sfUsage, used)
			o.ObserveInt64(t.m.sfLimit, limit)
		}
		return nil
	}, t.m.sfUsage, t.m.sfLimit)
}

// ObserveBigCommerce reports the requests left in BigCommerce's rate-limit
// window and the window's quota (MetricBigCommerceRemaining,
// MetricBigCommerceQuota), read from f each time the metrics are
// collected: typically (*bigcommerce.Client).RateLimit, which the client
// keeps from every response's rate-limit headers. Nothing is reported
// before the first response; once the window has reset since, the requests
// left are reported as the whole quota.
func (t *Telemetry) ObserveBigCommerce(f func() bigcommerce.RateLimit) error {
	if f == nil {
		return errors.New("telemetry: ObserveBigCommerce: nil function")
	}
	return t.register(func(_ context.Context, o metric.Observer) error {
		t.m.observeRateLimit(o, f(), t.now())
		return nil
	}, t.m.bcLeft, t.m.bcQuota)
}

// register adds a gauges' callback, unless t is closed.
func (t *Telemetry) register(f metric.Callback, insts ...metric.Observable) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errors.New("telemetry: closed")
	}
	reg, err := t.meter.RegisterCallback(f, insts...)
	if err != nil {
		return fmt.Errorf("telemetry: %w", err)
	}
	t.regs = append(t.regs, reg)
	return nil
}

// Close stops the gauges' callbacks, so that a MeterProvider that outlives
// t no longer calls the queue or the clients; the counters and histograms
// stay. Close is safe to call more than once, and Observe methods fail
// after it.
func (t *Telemetry) Close() error {
	t.mu.Lock()
	regs := t.regs
	t.regs, t.closed = nil, true
	t.mu.Unlock()
	var err error
	for _, r := range regs {
		err = errors.Join(err, r.Unregister())
	}
	if err != nil {
		return fmt.Errorf("telemetry: unregister gauges: %w", err)
	}
	return nil
}

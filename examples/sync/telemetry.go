package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/prometheus"
	otelmetric "go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	oteltrace "go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/bc2sf/bc2sf/telemetry"
)

// serviceName names the process in traces and metrics unless
// OTEL_SERVICE_NAME says otherwise.
const serviceName = "bc2sf-sync"

// observability is the process's OpenTelemetry: the bc2sf instrumentation,
// on providers that export where the configuration says.
type observability struct {
	tel *telemetry.Telemetry
	// metrics serves the Prometheus text format for /metrics on the admin
	// listener; nil without ADMIN_ADDR.
	metrics http.Handler
	// shutdown flushes and stops the exporters.
	shutdown func(context.Context) error
}

// newObservability builds the meter and tracer providers: the meter
// provider feeds a Prometheus registry of its own when the admin listener
// is on (ADMIN_ADDR), and both export OTLP over HTTP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set; the exporters then read their other
// standard variables (OTEL_EXPORTER_OTLP_HEADERS, ..._TIMEOUT,
// OTEL_METRIC_EXPORT_INTERVAL ...) themselves, and the tracer provider
// reads OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (it is given no
// sampler of its own, so that they decide). Without OTLP, spans are not
// recorded; with neither, the instrumentation runs on providers that keep
// nothing.
func newObservability(ctx context.Context, cfg config) (*observability, error) {
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(serviceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
		resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("telemetry resource: %w", err)
	}
	o := &observability{}
	metricOpts := []metric.Option{metric.WithResource(res)}
	var readers int
	if cfg.adminAddr != "" {
		readers++
		reg := promclient.NewRegistry()
		exp, err := prometheus.New(prometheus.WithRegisterer(reg))
		if err != nil {
			return nil, fmt.Errorf("prometheus exporter: %w", err)
		}
		metricOpts = append(metricOpts, metric.WithReader(exp))
		o.metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	}
	var tp oteltrace.TracerProvider = tracenoop.NewTracerProvider()
	var stops []func(context.Context) error
	if cfg.otlp {
		mexp, err := otlpmetrichttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("OTLP metric exporter: %w", err)
		}
		texp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("OTLP trace exporter: %w", err)
		}
		readers++
		metricOpts = append(metricOpts, metric.WithReader(metric.NewPeriodicReader(mexp)))
		sdk := trace.NewTracerProvider(trace.WithResource(res), trace.WithBatcher(texp))
		tp, stops = sdk, append(stops, sdk.Shutdown)
	}
	var mp otelmetric.MeterProvider = metricnoop.NewMeterProvider()
	if readers > 0 {
		sdk := metric.NewMeterProvider(metricOpts...)
		mp, stops = sdk, append(stops, sdk.Shutdown)
	}
	stopAll := func(ctx context.Context) error {
		var err error
		for _, stop := range stops {
			err = errors.Join(err, stop(ctx))
		}
		return err
	}
	if o.tel, err = telemetry.New(telemetry.WithTracerProvider(tp), telemetry.WithMeterProvider(mp)); err != nil {
		return nil, errors.Join(err, stopAll(ctx))
	}
	o.shutdown = func(ctx context.Context) error { return errors.Join(o.tel.Close(), stopAll(ctx)) }
	return o, nil
}

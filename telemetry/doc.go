// Package telemetry instruments bc2sf for OpenTelemetry: one trace per
// order, from the webhook delivery through the queue, the BigCommerce read
// and the Salesforce call to the result, and the metrics an operator
// watches (orders synced, skipped and dead-lettered by reason, retries by
// cause, queue depth and age, webhook-to-Salesforce latency, the API
// allowances of both platforms).
//
// It instruments from the outside: the pipeline, the clients, the webhook
// and idempotency packages import no tracing library, and a program that
// does not import this package links no OpenTelemetry code. It uses the
// OpenTelemetry API only; the program chooses the SDK, the
// exporters (Prometheus, OTLP) and the providers, and passes them in with
// WithTracerProvider and WithMeterProvider.
//
// # Wiring
//
// On the receiving side, the webhook handler is wrapped with Receiver, the
// Sink is told to store the request's trace context in each Task, and the
// Sink's queue is wrapped with Queue:
//
//	tel, err := telemetry.New(telemetry.WithTracerProvider(tp), telemetry.WithMeterProvider(mp))
//	err = tel.ObserveQueue(queue)
//	sink := pipeline.NewSink(tel.Queue(queue), store, pipeline.WithTraceContext(tel.TraceContext))
//	handler, err := webhook.NewHandler(sink)
//	mux.Handle("POST /webhooks/bigcommerce", tel.Receiver(verifier.Middleware(handler)))
//
// On the syncing side, both clients get HTTPClient and their retry policy
// through BigCommerceRetry and SalesforceRetry, and the Worker's
// configuration goes through Worker:
//
//	bc, err := bigcommerce.NewClient(hash, token,
//		bigcommerce.WithHTTPClient(tel.HTTPClient(&http.Client{Timeout: bigcommerce.DefaultTimeout})),
//		bigcommerce.WithRetry(tel.BigCommerceRetry(bigcommerce.DefaultRetryPolicy())))
//	sf, err := salesforce.NewClient(...,
//		salesforce.WithHTTPClient(tel.HTTPClient(&http.Client{Timeout: salesforce.DefaultTimeout})),
//		salesforce.WithRetry(tel.SalesforceRetry(salesforce.DefaultRetryPolicy())))
//	worker, err := pipeline.NewWorker(tel.Worker(pipeline.WorkerConfig{...}))
//
// The gauges of the API allowances read the clients:
//
//	err = tel.ObserveBigCommerce(bc.RateLimit)
//	err = tel.ObserveSalesforce(func(context.Context) (used, limit int64, ok bool) {
//		info, ok := sf.Usage()
//		return info.APIUsage.Used, info.APIUsage.Max, ok
//	})
//
// # Traces
//
// A delivery is a server span (named after its route, e.g. "POST
// /webhooks/bigcommerce"), with SpanEnqueue under it. The Sink stores the
// span's context in the Task (Task.TraceParent), and the Worker's SpanSync
// for the task is its child, in the same trace, with a SpanFetch and a
// SpanWrite for the task's BigCommerce read and Salesforce write, and
// HTTPClient's span for each HTTP request under them (a request a client
// repeats is one more, with an EventRetry on the stage's span). SpanSync
// ends with the Result: bc2sf.outcome (synced, skipped, retried, dead),
// bc2sf.cause for a retry or a dead letter, and an error status with the
// reason for both. A retried task keeps its trace: each attempt is another
// SpanSync under the same delivery.
//
// The Worker writes up to 75 orders in one Composite Graph call, and may
// read several in one page. Every order of such a call still has its own
// SpanFetch or SpanWrite in its own trace; the call's spans sit under the
// first order's, which links to the others' (and they to it).
//
// Tasks from the Reconciler and Backfill have no trace context: their
// SpanSync starts a trace of its own.
//
// Nothing secret reaches a span: no header is recorded on either side, the
// values of a client request's query string are redacted, and a webhook's
// body is not recorded.
//
// # Metrics
//
// The metric names are the Metric constants. Their attributes come from
// short fixed lists (source, the mapper's skip codes, pipeline.Cause,
// client, queue state), never from an order, so that the number of series
// stays small. Through the OpenTelemetry Prometheus exporter they read
//
//	bc2sf_orders_synced_total{source}
//	bc2sf_orders_skipped_total{reason}
//	bc2sf_orders_dead_lettered_total{reason}
//	bc2sf_retries_total{client,cause}
//	bc2sf_sync_latency_seconds (histogram){source}
//	bc2sf_queue_depth{state}, bc2sf_queue_dead_letters, bc2sf_queue_oldest_age_seconds
//	bc2sf_salesforce_api_usage, bc2sf_salesforce_api_limit
//	bc2sf_bigcommerce_requests_remaining, bc2sf_bigcommerce_requests_quota
//
// # Cost
//
// Tracing every order costs about 30 µs of CPU per order
// (BenchmarkInstrumentation), spent mostly in the SDK's five spans: the
// delivery, the enqueue, the sync and one per HTTP request. The receiver
// and client spans come from small wrappers of the package's own rather
// than otelhttp, whose handler and transport cost several times as much
// per request (they compute metric attributes whether or not metrics are
// kept). A sampler (OTEL_TRACES_SAMPLER=parentbased_traceidratio) cuts the
// cost of the traces in proportion; the metrics alone cost next to
// nothing. internal/bench's BenchmarkEndToEndTelemetry runs the whole flow
// with telemetry on and off in the same run; BENCHMARKS.md has the figures.
package telemetry

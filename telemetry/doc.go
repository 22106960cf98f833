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
// OpenTelemetry API, and otelhttp for the HTTP spans of the receiver and
// of both clients; the program chooses the SDK, the exporters (Prometheus,
// OTLP) and the providers, and passes them in with WithTracerProvider and
// WithMeterProvider.
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
// A delivery is a server span from otelhttp's handler (named after its
// route, e.g. "POST /webhooks/bigcommerce"), which Queue marks with the
// queued message's id. The Sink stores the span's context in the Task
// (Task.TraceParent), and the Worker's SpanSync for the task is its child,
// in the same trace, with the same message id; the task's BigCommerce read
// and Salesforce write go through Hooks.Call, and otelhttp's client span
// for each HTTP request (HTTPClient) sits under the sync (a request a
// client repeats is one more, with an EventRetry on the span it runs
// under). Orders, customers and products alike. SpanSync ends with the Result:
// bc2sf.outcome (synced, skipped, retried, dead), bc2sf.cause for a retry or
// a dead letter, and an error status with the reason for both. A retried
// task keeps its trace: each attempt is another SpanSync under the same
// delivery.
//
// The Worker writes up to 75 orders in one Composite Graph call, and may
// read several in one page. Such a call is one HTTP client span, under the
// first traced order's SpanSync, linked to every other order's; each
// order's SpanSync gets an EventFetch or EventWrite with the call's
// duration, outcome, number of orders, and the trace and span ids of the
// call's span, so that every order's trace leads to the call without a
// span per order.
//
// Tasks from the Reconciler and Backfill have no trace context: their
// SpanSync starts a trace of its own. A client request made outside any
// recording span (a lookup at start-up) is not traced.
//
// Nothing secret reaches a span: no header is recorded on either side but
// the caller's User-Agent and X-Forwarded-For (as client.address), the values of a client request's query string
// are redacted, no trace header is sent to BigCommerce or Salesforce, and
// a webhook's body is not recorded. The receiver is a public endpoint: a
// caller's traceparent becomes a link, never the parent.
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
// What telemetry costs an order is CPU, most of it in otelhttp and the
// OpenTelemetry SDK (BenchmarkInstrumentation, against the same work
// without telemetry). otelhttp's handler does the same work for every
// delivery, recorded or not: the semantic conventions' attributes,
// wrappers of the request's body and of the response writer, and the
// attribute set of its HTTP server metrics, which it builds even for a
// meter provider that keeps nothing; no option turns any of it off. A span
// that records costs its attributes, their copy when it ends and its
// hand-over to the span processor (the SDK's batch processor passes each
// span to its goroutine over a channel). In a burst, where 75 orders share each
// call, a traced order is left with its delivery's span, its sync span and
// an event per shared call: about 35 µs of CPU on top of the order's own
// work (BenchmarkInstrumentation/on/batch=75), and an order the sampler
// drops 7 to 10 µs (unsampled/batch=75). An order whose calls are its own,
// as at a low rate, adds their client spans: about 45 µs traced, and 12 to
// 17 µs dropped (on, unsampled). In a whole process the garbage those make
// costs more to collect than in that benchmark, and otelhttp's handler
// deepens the stack of every connection's goroutine, which the runtime
// grows again after a collection shrank it: end to end (below), every
// order traced has cost about twice what BenchmarkInstrumentation counts,
// and one trace in ten three to four times.
//
// bc2sf's own share is kept small, and this is what a user does without:
//   - otelhttp's HTTP metrics (http.server.request.duration and the body
//     sizes, http.client.request.duration): otelhttp gets a meter provider
//     that keeps nothing, and bc2sf's own metrics say what an operator
//     needs; three histograms per delivery and one per request are saved;
//   - a span for a request made outside any recording span: the client's
//     filter lets it through untraced (a start-up lookup);
//   - a span for the enqueue: the message's id and bc2sf.duplicate are
//     attributes of the delivery's span, which covers the enqueue's time;
//   - a span per order for a call shared by several: the call is one client
//     span, linked to the orders' sync spans, and an event on each of them;
//   - net/http's goroutine and timer per request for a Client.Timeout over
//     a transport other than its own: HTTPClient's copy enforces the
//     Timeout in its transport, so that a request outside a recording span
//     costs what it costs on the plain client (BenchmarkHTTPClient,
//     untraced against plain: the same allocations, where net/http's way
//     took 13 more and about 700 bytes);
//   - a caller's traceparent at the sampler: the receiver links it to the
//     delivery's span once the span has started, where otelhttp would copy
//     every request to do so at the start (no sampler of the SDK looks at
//     links).
//
// Nothing is lost by the rest: the metrics' attribute sets are made once
// (the sources') or cached, and the sync span's start option and attribute
// list are not allocated per order.
//
// In production, sample: OTEL_TRACES_SAMPLER=parentbased_traceidratio with
// OTEL_TRACES_SAMPLER_ARG=0.1 (sdktrace.ParentBased(
// sdktrace.TraceIDRatioBased(0.1))) keeps one order's trace in ten, whole,
// since the worker follows the delivery's decision, and every metric. An
// order the sampler drops costs a fifth to a third of a traced one (see
// above), most of it otelhttp's work on the delivery, which it does
// whether the span records or not; end to end, in a burst on a machine
// whose CPU is the limit, the sampled flow has cost 4 to 16 percent more
// CPU per order than telemetry off, and every order traced 5 to 12 percent
// (nine runs); with 150 ms added to every Salesforce call, as a real org
// takes, neither moves the latency or the orders synced per second by
// more than a few percent. internal/bench's
// BenchmarkEndToEndTelemetry runs the whole flow with telemetry off, with
// every order traced and with that sampler, in the same run;
// BENCHMARKS.md has the figures.
package telemetry

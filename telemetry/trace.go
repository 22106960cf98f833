package telemetry

import (
	"context"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// The names of the package's spans.
const (
	// SpanReceive is the name of the server span of a webhook delivery
	// (Receiver) when no http.ServeMux pattern routed it; under a pattern the
	// span takes the pattern's name, e.g. "POST /webhooks/bigcommerce".
	SpanReceive = "bc2sf.webhook"
	// SpanEnqueue is the producer span of Queue.Enqueue (Queue).
	SpanEnqueue = "bc2sf.enqueue"
	// SpanSync is the consumer span of one delivery in the Worker, from the
	// claim to the Result; its parent is the request that enqueued the
	// task.
	SpanSync = "bc2sf.sync"
	// SpanFetch and SpanWrite are an order's part in a BigCommerce read and
	// in a batch's Salesforce calls, children of its SpanSync.
	SpanFetch = "bc2sf.fetch"
	SpanWrite = "bc2sf.write"
	// SpanGetOrder, SpanListOrders, SpanCompositeGraph and SpanQuery are
	// the client calls the Worker and the Reconciler make.
	SpanGetOrder       = "bigcommerce.orders.get"
	SpanListOrders     = "bigcommerce.orders.list"
	SpanCompositeGraph = "salesforce.composite_graph"
	SpanQuery          = "salesforce.query"
)

// Attribute keys of the spans.
const (
	attrOrderID   = attribute.Key("bc2sf.order.id")
	attrSource    = attribute.Key("bc2sf.source")
	attrAttempt   = attribute.Key("bc2sf.attempt")
	attrOutcome   = attribute.Key("bc2sf.outcome")
	attrCause     = attribute.Key("bc2sf.cause")
	attrSkipCode  = attribute.Key("bc2sf.skip_code")
	attrDuplicate = attribute.Key("bc2sf.duplicate")
	attrOrders    = attribute.Key("bc2sf.batch.orders")
	attrGraphs    = attribute.Key("bc2sf.graphs")
	attrNodes     = attribute.Key("bc2sf.nodes")
)

// maxStatusBytes bounds the Reason a span status carries.
const maxStatusBytes = 256

// TraceContext returns the W3C Trace Context of ctx's span, as the
// traceparent and tracestate header values, or empty strings when ctx holds
// no valid span. Give it to the Sink as pipeline.WithTraceContext(
// t.TraceContext): the Task then carries the trace of the webhook request
// that made it, and Worker continues that trace.
func (t *Telemetry) TraceContext(ctx context.Context) (traceParent, traceState string) {
	c := propagation.MapCarrier{}
	t.prop.Inject(ctx, c)
	return c["traceparent"], c["tracestate"]
}

// Receiver wraps the webhook receiver (the verifying middleware and its
// handler) with otelhttp: each delivery gets a server span (named after
// the ServeMux pattern that routed it, else SpanReceive), which the Sink's
// TraceContext passes on to the Task, and the HTTP server metrics. The span is always a new trace: a traceparent header
// sent by the caller becomes a link, never the parent, since anyone can send
// one to a public endpoint. Headers are not recorded, so neither the shared
// secret nor a signature reaches a span.
func (t *Telemetry) Receiver(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, SpanReceive,
		otelhttp.WithTracerProvider(t.cfg.tp),
		otelhttp.WithMeterProvider(t.cfg.mp),
		otelhttp.WithPropagators(t.prop),
		otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true }),
	)
}

// taskHook is the Worker's pipeline.Hooks.Task: a consumer span per
// delivery, child of the request that enqueued it, ended with the Result.
func (t *Telemetry) taskHook(ctx context.Context, task pipeline.Task, d *idempotency.Delivery) (context.Context, func(pipeline.Result)) {
	parent := ctx
	if task.TraceParent != "" {
		parent = t.prop.Extract(ctx, propagation.MapCarrier{"traceparent": task.TraceParent, "tracestate": task.TraceState})
	}
	ctx, span := t.tracer.Start(parent, SpanSync, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingMessageID(d.ID),
			attrOrderID.Int64(task.OrderID),
			attrSource.String(string(task.Source)),
			attrAttempt.Int(d.Attempt),
		))
	return ctx, func(r pipeline.Result) {
		if r.Outcome == pipeline.OutcomeSynced && !task.ReceivedAt.IsZero() {
			t.m.latency.Record(ctx, max(t.now().Sub(task.ReceivedAt).Seconds(), 0),
				metricSource(task.Source))
		}
		span.SetAttributes(attrOutcome.String(string(r.Outcome)))
		if r.Cause != "" {
			span.SetAttributes(attrCause.String(string(r.Cause)))
		}
		if r.SkipCode != "" {
			span.SetAttributes(attrSkipCode.String(r.SkipCode))
		}
		switch r.Outcome {
		case pipeline.OutcomeDead, pipeline.OutcomeRetried:
			span.SetStatus(codes.Error, clip(r.Reason, maxStatusBytes))
		default:
			span.SetStatus(codes.Ok, "")
		}
		span.End()
	}
}

// callHook is the Worker's pipeline.Hooks.Call: one span per task, child of
// the task's SpanSync, so that every order's trace shows the call. The call
// itself runs under the first task's span; the others link to it, and it to
// them.
func (t *Telemetry) callHook(ctx context.Context, stage pipeline.Stage, tasks []context.Context) (context.Context, func(error)) {
	name := SpanFetch
	if stage == pipeline.StageWrite {
		name = SpanWrite
	}
	if len(tasks) == 0 {
		return ctx, nil
	}
	size := attrOrders.Int(len(tasks))
	_, first := t.tracer.Start(tasks[0], name, trace.WithAttributes(size))
	spans := make([]trace.Span, 1, len(tasks))
	spans[0] = first
	head := trace.Link{SpanContext: first.SpanContext()}
	for _, tc := range tasks[1:] {
		_, s := t.tracer.Start(tc, name, trace.WithAttributes(size), trace.WithLinks(head))
		first.AddLink(trace.Link{SpanContext: s.SpanContext()})
		spans = append(spans, s)
	}
	return trace.ContextWithSpan(ctx, first), func(err error) {
		for _, s := range spans {
			if err != nil {
				s.SetStatus(codes.Error, clip(err.Error(), maxStatusBytes))
			}
			s.End()
		}
	}
}

// chainTask runs our hook, then the caller's on our context.
func chainTask(ours, theirs func(context.Context, pipeline.Task, *idempotency.Delivery) (context.Context, func(pipeline.Result))) func(context.Context, pipeline.Task, *idempotency.Delivery) (context.Context, func(pipeline.Result)) {
	if theirs == nil {
		return ours
	}
	return func(ctx context.Context, task pipeline.Task, d *idempotency.Delivery) (context.Context, func(pipeline.Result)) {
		ctx, endOurs := ours(ctx, task, d)
		ctx, endTheirs := theirs(ctx, task, d)
		return ctx, func(r pipeline.Result) {
			if endTheirs != nil {
				endTheirs(r)
			}
			endOurs(r)
		}
	}
}

// chainCall runs our hook, then the caller's on our context.
func chainCall(ours, theirs func(context.Context, pipeline.Stage, []context.Context) (context.Context, func(error))) func(context.Context, pipeline.Stage, []context.Context) (context.Context, func(error)) {
	if theirs == nil {
		return ours
	}
	return func(ctx context.Context, stage pipeline.Stage, tasks []context.Context) (context.Context, func(error)) {
		ctx, endOurs := ours(ctx, stage, tasks)
		ctx, endTheirs := theirs(ctx, stage, tasks)
		return ctx, func(err error) {
			if endTheirs != nil {
				endTheirs(err)
			}
			if endOurs != nil {
				endOurs(err)
			}
		}
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n-- // not in the middle of a UTF-8 sequence
	}
	return s[:n] + "..."
}

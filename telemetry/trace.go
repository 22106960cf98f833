package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
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
	// SpanSync is the consumer span of one delivery in the Worker, from the
	// claim to the Result; its parent is the request that enqueued the
	// task.
	SpanSync = "bc2sf.sync"
	// SpanFetch and SpanWrite are an order's part in a BigCommerce read or
	// in Salesforce calls that serve several orders (a page, a batch),
	// children of its SpanSync. A call for one order has none: its HTTP
	// spans sit right under the SpanSync.
	SpanFetch = "bc2sf.fetch"
	SpanWrite = "bc2sf.write"
	// SpanListOrders is one listing of orders through Lister, as the
	// Reconciler and Backfill make them.
	SpanListOrders = "bigcommerce.orders.list"
)

// Attribute keys of the spans.
const (
	attrKind      = attribute.Key("bc2sf.kind")
	attrID        = attribute.Key("bc2sf.id")
	attrSource    = attribute.Key("bc2sf.source")
	attrAttempt   = attribute.Key("bc2sf.attempt")
	attrOutcome   = attribute.Key("bc2sf.outcome")
	attrCause     = attribute.Key("bc2sf.cause")
	attrSkipCode  = attribute.Key("bc2sf.skip_code")
	attrDuplicate = attribute.Key("bc2sf.duplicate")
	attrOrders    = attribute.Key("bc2sf.batch.orders")
)

// maxStatusBytes bounds the Reason a span status carries.
const maxStatusBytes = 256

// TraceContext returns the W3C Trace Context of ctx's span, as the
// traceparent and tracestate header values, or empty strings when ctx holds
// no valid span. Give it to the Sink as pipeline.WithTraceContext(
// t.TraceContext): the Task then carries the trace of the webhook request
// that made it, and Worker continues that trace.
func (t *Telemetry) TraceContext(ctx context.Context) (traceParent, traceState string) {
	var c traceCarrier
	t.prop.Inject(ctx, &c)
	return c.parent, c.state
}

// traceCarrier is a propagation.TextMapCarrier of the two W3C Trace
// Context fields, without the map of propagation.MapCarrier.
type traceCarrier struct{ parent, state string }

func (c *traceCarrier) Get(key string) string {
	switch key {
	case "traceparent":
		return c.parent
	case "tracestate":
		return c.state
	}
	return ""
}

func (c *traceCarrier) Set(key, value string) {
	switch key {
	case "traceparent":
		c.parent = value
	case "tracestate":
		c.state = value
	}
}

func (c *traceCarrier) Keys() []string { return []string{"traceparent", "tracestate"} }

// taskHook is the Worker's pipeline.Hooks.Task: a consumer span per
// delivery, child of the request that enqueued it, ended with the Result.
func (t *Telemetry) taskHook(ctx context.Context, task pipeline.Task, d *idempotency.Delivery) (context.Context, func(pipeline.Result)) {
	parent := ctx
	if task.TraceParent != "" {
		parent = t.prop.Extract(ctx, &traceCarrier{parent: task.TraceParent, state: task.TraceState})
	}
	// The attributes are set once, with the Result's, when the span ends:
	// one allocation rather than two, and none for a span that does not
	// record.
	ctx, span := t.tracer.Start(parent, SpanSync, trace.WithSpanKind(trace.SpanKindConsumer))
	msgID, attempt := d.ID, d.Attempt
	return ctx, func(r pipeline.Result) {
		if r.Outcome == pipeline.OutcomeSynced && !task.ReceivedAt.IsZero() {
			t.m.latency.Record(ctx, max(t.now().Sub(task.ReceivedAt).Seconds(), 0),
				t.m.attrs.of(keySource, string(task.Source)))
		}
		if !span.IsRecording() {
			span.End()
			return
		}
		attrs := make([]attribute.KeyValue, 0, 9)
		attrs = append(attrs,
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingMessageID(msgID),
			attrKind.String(string(task.EntityKind())),
			attrID.Int64(task.ID()),
			attrSource.String(string(task.Source)),
			attrAttempt.Int(attempt),
			attrOutcome.String(string(r.Outcome)))
		if r.Cause != "" {
			attrs = append(attrs, attrCause.String(string(r.Cause)))
		}
		if r.SkipCode != "" {
			attrs = append(attrs, attrSkipCode.String(r.SkipCode))
		}
		span.SetAttributes(attrs...)
		switch r.Outcome {
		case pipeline.OutcomeDead, pipeline.OutcomeRetried:
			span.SetStatus(codes.Error, clip(r.Reason, maxStatusBytes))
		default:
			span.SetStatus(codes.Ok, "")
		}
		span.End()
	}
}

// callHook is the Worker's pipeline.Hooks.Call. A call for one task runs
// under the task's SpanSync: its HTTP spans are children of the sync. A
// call for several (a batch, a page of orders) gets one SpanFetch or
// SpanWrite per task, child of the task's SpanSync, so that every order's
// trace shows the call; the call itself runs under the first task's span,
// and the others link to it, and it to them.
func (t *Telemetry) callHook(ctx context.Context, stage pipeline.Stage, tasks []context.Context) (context.Context, func(error)) {
	switch len(tasks) {
	case 0:
		return ctx, nil
	case 1:
		return trace.ContextWithSpan(ctx, trace.SpanFromContext(tasks[0])), nil
	}
	name := SpanFetch
	if stage == pipeline.StageWrite {
		name = SpanWrite
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

package telemetry

import (
	"context"
	"sync"
	"time"

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
	// SpanListOrders is one listing of orders through Lister, as the
	// Reconciler and Backfill make them.
	SpanListOrders = "bigcommerce.orders.list"
)

// The names of the span events of a call shared by several orders.
const (
	// EventFetch and EventWrite mark, on each order's SpanSync, a
	// BigCommerce read or a Salesforce call that served several orders (a
	// page of orders, a Composite Graph call of up to 75): the call's
	// duration in seconds (bc2sf.call.duration), its outcome
	// (bc2sf.call.outcome, "ok" or "error", and bc2sf.call.error, the
	// error's first 256 bytes), the number of orders it served
	// (bc2sf.batch.orders), and where its span is: bc2sf.call.trace_id and
	// bc2sf.call.span_id, the hex ids of the call's last HTTP client span
	// (of the sync span it ran under when it made no request through
	// HTTPClient). A call for one order has no event: its HTTP spans sit
	// right under the order's SpanSync.
	EventFetch = "bc2sf.fetch"
	EventWrite = "bc2sf.write"
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

	attrCallDuration = attribute.Key("bc2sf.call.duration")
	attrCallOutcome  = attribute.Key("bc2sf.call.outcome")
	attrCallError    = attribute.Key("bc2sf.call.error")
	attrCallTrace    = attribute.Key("bc2sf.call.trace_id")
	attrCallSpan     = attribute.Key("bc2sf.call.span_id")
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

// syncStart are the start options of every SpanSync, made once rather
// than per delivery.
var syncStart = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer)}

// syncAttrs holds the slices a SpanSync's attributes are gathered in before
// SetAttributes, which copies them: one allocation fewer per traced order.
var syncAttrs = sync.Pool{New: func() any {
	s := make([]attribute.KeyValue, 0, 9)
	return &s
}}

// taskHook is the Worker's pipeline.Hooks.Task: a consumer span per
// delivery, child of the request that enqueued it, ended with the Result.
func (t *Telemetry) taskHook(ctx context.Context, task pipeline.Task, d *idempotency.Delivery) (context.Context, func(pipeline.Result)) {
	parent := ctx
	if task.TraceParent != "" {
		parent = t.prop.Extract(ctx, &traceCarrier{parent: task.TraceParent, state: task.TraceState})
	}
	// The attributes are set once, with the Result's, when the span ends:
	// the SDK copies them once, and a span that does not record costs none.
	ctx, span := t.tracer.Start(parent, SpanSync, syncStart...)
	msgID, attempt := d.ID, d.Attempt
	return ctx, func(r pipeline.Result) {
		if r.Outcome == pipeline.OutcomeSynced && !task.ReceivedAt.IsZero() {
			t.m.latency.Record(ctx, max(t.now().Sub(task.ReceivedAt).Seconds(), 0),
				t.m.source(task.Source))
		}
		if !span.IsRecording() {
			span.End()
			return
		}
		buf := syncAttrs.Get().(*[]attribute.KeyValue)
		attrs := append((*buf)[:0],
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
		span.SetAttributes(attrs...) // the SDK keeps a copy
		clear(attrs)
		*buf = attrs[:0]
		syncAttrs.Put(buf)
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
// call for several (a batch, a page of orders) runs under the first task
// whose SpanSync records, its HTTP client spans link to the other tasks'
// (HTTPClient's transport adds the links), and when it ends every task's
// SpanSync gets an EventFetch or EventWrite that points back to the call's
// span: one span per call, not one per order and call.
func (t *Telemetry) callHook(ctx context.Context, stage pipeline.Stage, tasks []context.Context) (context.Context, func(error)) {
	if len(tasks) == 0 {
		return ctx, nil
	}
	lead := -1
	if len(tasks) > 1 {
		for i, tc := range tasks {
			if trace.SpanFromContext(tc).IsRecording() {
				lead = i
				break
			}
		}
	}
	if lead < 0 { // one task, or none of them traced
		return trace.ContextWithSpan(ctx, trace.SpanFromContext(tasks[0])), nil
	}
	c := &sharedCall{tasks: tasks, lead: lead, start: t.now()}
	ctx = context.WithValue(trace.ContextWithSpan(ctx, trace.SpanFromContext(tasks[lead])), sharedCallKey{}, c)
	return ctx, func(err error) { c.end(t.now(), stage, err) }
}

// sharedCallKey is the context key of a sharedCall.
type sharedCallKey struct{}

// sharedCall is a call that serves several tasks, from callHook to its
// end; HTTPClient's transport finds it in a request's context.
type sharedCall struct {
	tasks []context.Context
	lead  int
	start time.Time

	mu   sync.Mutex
	last trace.SpanContext // of the call's latest HTTP client span
}

// started links the call's HTTP client span to the other tasks' spans
// (those that are sampled); the transport has marked it with the number of
// tasks.
func (c *sharedCall) started(span trace.Span) {
	for i, tc := range c.tasks {
		if sc := trace.SpanContextFromContext(tc); i != c.lead && sc.IsSampled() {
			span.AddLink(trace.Link{SpanContext: sc})
		}
	}
	c.mu.Lock()
	c.last = span.SpanContext()
	c.mu.Unlock()
}

// end adds the call's event to every task's span. The events share one
// attribute slice, which the SDK keeps without copying.
func (c *sharedCall) end(now time.Time, stage pipeline.Stage, err error) {
	c.mu.Lock()
	sc := c.last
	c.mu.Unlock()
	if !sc.IsValid() {
		sc = trace.SpanContextFromContext(c.tasks[c.lead])
	}
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs,
		attrCallDuration.Float64(max(now.Sub(c.start).Seconds(), 0)),
		attrOrders.Int(len(c.tasks)),
		attrCallTrace.String(sc.TraceID().String()),
		attrCallSpan.String(sc.SpanID().String()))
	if err != nil {
		attrs = append(attrs, attrCallOutcome.String("error"), attrCallError.String(clip(err.Error(), maxStatusBytes)))
	} else {
		attrs = append(attrs, attrCallOutcome.String("ok"))
	}
	name := EventFetch
	if stage == pipeline.StageWrite {
		name = EventWrite
	}
	opts := []trace.EventOption{trace.WithAttributes(attrs...), trace.WithTimestamp(now)}
	for _, tc := range c.tasks {
		trace.SpanFromContext(tc).AddEvent(name, opts...)
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

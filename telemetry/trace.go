package telemetry

import (
	"context"
	"net/http"
	"strings"

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

// Receiver wraps the webhook receiver (the verifying middleware and its
// handler): each delivery gets a server span, named after the
// http.ServeMux pattern that routed it (e.g. "POST
// /webhooks/bigcommerce"), else SpanReceive, with http.request.method,
// url.path, http.route and http.response.status_code, and an error status
// for an answer of 500 or more. The Sink's TraceContext passes the span on
// to the Task. The span always starts a new trace: a traceparent header
// sent by the caller becomes a link, never the parent, since anyone can
// send one to a public endpoint. Neither headers nor the body are recorded,
// so neither the shared secret nor a signature reaches a span.
//
// It is a small middleware of the package's own rather than otelhttp's
// handler, which costs four times as much per request (it also computes
// request metrics' attributes, which bc2sf does not need).
func (t *Telemetry) Receiver(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		opts := make([]trace.SpanStartOption, 0, 4)
		opts = append(opts, trace.WithSpanKind(trace.SpanKindServer), trace.WithNewRoot())
		if r.Header.Get("Traceparent") != "" {
			remote := trace.SpanContextFromContext(t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header)))
			if remote.IsValid() {
				opts = append(opts, trace.WithLinks(trace.Link{SpanContext: remote}))
			}
		}
		name, route := SpanReceive, ""
		if _, path, ok := strings.Cut(r.Pattern, " "); ok {
			name, route = r.Pattern, path
		} else if r.Pattern != "" {
			name, route = r.Method+" "+r.Pattern, r.Pattern
		}
		attrs := make([]attribute.KeyValue, 0, 3)
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLPath(r.URL.Path))
		if route != "" {
			attrs = append(attrs, semconv.HTTPRoute(route))
		}
		opts = append(opts, trace.WithAttributes(attrs...))
		ctx, span := t.tracer.Start(r.Context(), name, opts...)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			span.SetAttributes(semconv.HTTPResponseStatusCode(status))
			if status >= 500 {
				span.SetStatus(codes.Error, "")
			}
			span.End()
		}()
		h.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// taskHook is the Worker's pipeline.Hooks.Task: a consumer span per
// delivery, child of the request that enqueued it, ended with the Result.
func (t *Telemetry) taskHook(ctx context.Context, task pipeline.Task, d *idempotency.Delivery) (context.Context, func(pipeline.Result)) {
	parent := ctx
	if task.TraceParent != "" {
		parent = t.prop.Extract(ctx, &traceCarrier{parent: task.TraceParent, state: task.TraceState})
	}
	ctx, span := t.tracer.Start(parent, SpanSync, trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingMessageID(d.ID),
			attrKind.String(string(task.EntityKind())),
			attrID.Int64(task.ID()),
			attrSource.String(string(task.Source)),
			attrAttempt.Int(d.Attempt),
		))
	return ctx, func(r pipeline.Result) {
		if r.Outcome == pipeline.OutcomeSynced && !task.ReceivedAt.IsZero() {
			t.m.latency.Record(ctx, max(t.now().Sub(task.ReceivedAt).Seconds(), 0),
				t.m.attrs.of(keySource, string(task.Source)))
		}
		attrs := make([]attribute.KeyValue, 1, 3)
		attrs[0] = attrOutcome.String(string(r.Outcome))
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

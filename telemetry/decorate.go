package telemetry

import (
	"context"
	"encoding/json"
	"iter"
	"reflect"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// Worker returns cfg instrumented: its Hooks trace every delivery (a
// SpanSync per delivery continuing the Task's trace, a SpanFetch and a
// SpanWrite per order and call), its OnResult also counts the outcomes
// (MetricSynced, MetricSkipped, MetricDeadLettered, MetricRetries) and
// times the synced ones (MetricLatency), and its Orders, Graphs and
// Pricebook are wrapped in client spans (SpanGetOrder, SpanListOrders,
// SpanCompositeGraph, SpanQuery). Hooks and an OnResult already in cfg are
// kept and called after the package's own; an Orders that also lists
// orders (pipeline.OrderLister) still does. Nil fields stay nil, so that
// pipeline.NewWorker still reports them.
func (t *Telemetry) Worker(cfg pipeline.WorkerConfig) pipeline.WorkerConfig {
	cfg.Hooks.Task = chainTask(t.taskHook, cfg.Hooks.Task)
	cfg.Hooks.Call = chainCall(t.callHook, cfg.Hooks.Call)
	next := cfg.OnResult
	cfg.OnResult = func(r pipeline.Result) {
		t.m.record(context.Background(), r)
		if next != nil {
			next(r)
		}
	}
	if !isNil(cfg.Orders) {
		cfg.Orders = t.Orders(cfg.Orders)
	}
	if !isNil(cfg.Graphs) {
		cfg.Graphs = &graphWriter{t: t, next: cfg.Graphs}
	}
	if !isNil(cfg.Pricebook) {
		cfg.Pricebook = &querier{t: t, next: cfg.Pricebook}
	}
	return cfg
}

// isNil reports whether v is nil or holds a nil pointer (the Orders of a
// zero bigcommerce.Client), which pipeline.NewWorker must still see.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// Orders wraps src so that every Get is a SpanGetOrder span; when src also
// lists orders (a client's Orders does), so does the result, and every List
// is a SpanListOrders span. Worker wraps its Orders with it; give it to a
// Reconciler or Backfill too (as Lister), to trace their listing.
func (t *Telemetry) Orders(src pipeline.OrderSource) pipeline.OrderSource {
	o := &orderSource{t: t, next: src}
	if l, ok := src.(pipeline.OrderLister); ok {
		return &orderSourceLister{orderSource: o, orderLister: &orderLister{t: t, next: l}}
	}
	return o
}

// Lister wraps l so that every List is a SpanListOrders span, from the
// first page requested to the end of the iteration.
func (t *Telemetry) Lister(l pipeline.OrderLister) pipeline.OrderLister {
	return &orderLister{t: t, next: l}
}

type orderSource struct {
	t    *Telemetry
	next pipeline.OrderSource
}

func (o *orderSource) Get(ctx context.Context, id int64) (*bigcommerce.Order, error) {
	ctx, span := o.t.tracer.Start(ctx, SpanGetOrder, trace.WithAttributes(attrOrderID.Int64(id)))
	order, err := o.next.Get(ctx, id)
	endSpan(span, err)
	return order, err
}

type orderLister struct {
	t    *Telemetry
	next pipeline.OrderLister
}

func (o *orderLister) List(ctx context.Context, opts bigcommerce.ListOrdersOptions) iter.Seq2[bigcommerce.Order, error] {
	return func(yield func(bigcommerce.Order, error) bool) {
		ctx, span := o.t.tracer.Start(ctx, SpanListOrders)
		var err error
		n := 0
		defer func() {
			span.SetAttributes(attrOrders.Int(n))
			endSpan(span, err)
		}()
		for order, e := range o.next.List(ctx, opts) {
			if e != nil {
				err = e
			} else {
				n++
			}
			if !yield(order, e) {
				return
			}
		}
	}
}

type orderSourceLister struct {
	*orderSource
	*orderLister
}

type graphWriter struct {
	t    *Telemetry
	next pipeline.GraphWriter
}

func (g *graphWriter) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	ctx, span := g.t.tracer.Start(ctx, SpanCompositeGraph,
		trace.WithAttributes(attrGraphs.Int(len(req.Graphs)), attrNodes.Int(req.Nodes())))
	resp, err := g.next.CompositeGraph(ctx, req)
	endSpan(span, err)
	return resp, err
}

type querier struct {
	t    *Telemetry
	next pipeline.Querier
}

// Query traces the whole iteration; the SOQL is not recorded, since it
// names the records asked for.
func (q *querier) Query(ctx context.Context, soql string) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		ctx, span := q.t.tracer.Start(ctx, SpanQuery)
		var err error
		defer func() { endSpan(span, err) }()
		for rec, e := range q.next.Query(ctx, soql) {
			if e != nil {
				err = e
			}
			if !yield(rec, e) {
				return
			}
		}
	}
}

// Queue wraps q so that every Enqueue is a SpanEnqueue producer span. Give
// the wrapped queue to the Sink; the Worker needs no wrapping of its queue.
func (t *Telemetry) Queue(q idempotency.Queue) idempotency.Queue {
	return &queue{Queue: q, t: t}
}

type queue struct {
	idempotency.Queue
	t *Telemetry
}

func (q *queue) Enqueue(ctx context.Context, m idempotency.Message) (idempotency.EnqueueResult, error) {
	ctx, span := q.t.tracer.Start(ctx, SpanEnqueue, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(semconv.MessagingOperationTypeSend))
	res, err := q.Queue.Enqueue(ctx, m)
	if err == nil {
		span.SetAttributes(semconv.MessagingMessageID(res.ID), attrDuplicate.Bool(res.Duplicate))
	}
	endSpan(span, err)
	return res, err
}

// endSpan ends span with err's status.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, clip(err.Error(), maxStatusBytes))
	}
	span.End()
}

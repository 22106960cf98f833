package telemetry

import (
	"context"
	"iter"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// Worker returns cfg instrumented: its Hooks trace every delivery (a
// SpanSync per delivery continuing the Task's trace, under which the
// clients' HTTP requests go through HTTPClient; a call shared by several
// orders runs under the first traced order's and is an EventFetch or
// EventWrite on each order's), and its OnResult also counts the outcomes
// (MetricSynced, MetricSkipped, MetricDeadLettered, MetricRetries) and
// times the synced ones (MetricLatency). Hooks and an OnResult already in
// cfg are kept and called after the package's own. The clients in cfg are
// left as they are: a source that also lists orders keeps doing so.
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
	return cfg
}

// Lister wraps l so that every List is a SpanListOrders span, from the
// first page requested to the end of the iteration: give it to a
// Reconciler or Backfill as their Orders.
func (t *Telemetry) Lister(l pipeline.OrderLister) pipeline.OrderLister {
	return &orderLister{t: t, next: l}
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

// Queue wraps q so that every Enqueue and EnqueueTagged marks the caller's
// span (under Receiver, the delivery's server span) with the message's id
// (messaging.message.id, which the Worker's SpanSync also carries) and
// bc2sf.duplicate, true when the queue held the message already; an
// enqueue that fails records its error there (an exception event). It
// starts no span of its own: the delivery's span covers the enqueue, and a
// span fewer per order is CPU saved. Give the wrapped queue to the Sink; the
// Worker needs no wrapping of its queue. The wrapper is an
// idempotency.TaggingQueue whatever q is: its EnqueueTagged is
// idempotency.EnqueueTagged on q, so a q that tags in one step (one Redis
// round trip, see idemredis) still does.
func (t *Telemetry) Queue(q idempotency.Queue) idempotency.TaggingQueue {
	return &queue{Queue: q}
}

type queue struct {
	idempotency.Queue
}

func (q *queue) Enqueue(ctx context.Context, m idempotency.Message) (idempotency.EnqueueResult, error) {
	res, err := q.Queue.Enqueue(ctx, m)
	markEnqueue(ctx, res, err)
	return res, err
}

func (q *queue) EnqueueTagged(ctx context.Context, store idempotency.Store, resource string, m idempotency.Message) (idempotency.EnqueueResult, error) {
	res, err := idempotency.EnqueueTagged(ctx, q.Queue, store, resource, m)
	markEnqueue(ctx, res, err)
	return res, err
}

// markEnqueue marks the caller's span with an enqueue's outcome.
func markEnqueue(ctx context.Context, res idempotency.EnqueueResult, err error) {
	span := trace.SpanFromContext(ctx)
	switch {
	case !span.IsRecording():
	case err != nil:
		span.RecordError(err)
	default:
		span.SetAttributes(semconv.MessagingMessageID(res.ID), attrDuplicate.Bool(res.Duplicate))
	}
}

// endSpan ends span with err's status.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.SetStatus(codes.Error, clip(err.Error(), maxStatusBytes))
	}
	span.End()
}

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/webhook"
)

// SinkOption configures NewSink.
type SinkOption func(*sinkConfig)

type sinkConfig struct {
	logger *slog.Logger
	now    func() time.Time
	trace  func(context.Context) (traceParent, traceState string)
}

// WithLogger sets the Sink's logger; nil keeps the default, which discards.
func WithLogger(l *slog.Logger) SinkOption {
	return func(c *sinkConfig) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithClock sets the Sink's clock, which stamps Task.ReceivedAt; nil keeps
// time.Now.
func WithClock(now func() time.Time) SinkOption {
	return func(c *sinkConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithTraceContext sets the function that reads the trace context of the
// request delivering an event, in W3C Trace Context form (the traceparent
// and tracestate header values), for the Sink to store in Task.TraceParent
// and Task.TraceState: the Worker then continues that trace (see
// Hooks.Task). A traceparent longer than 256 bytes or a tracestate longer
// than 512 is left out rather than cut, and so is a tracestate without a
// traceparent; none of this ever fails an event. nil, the default, stores
// no trace context. The telemetry package provides one for OpenTelemetry.
func WithTraceContext(f func(ctx context.Context) (traceParent, traceState string)) SinkOption {
	return func(c *sinkConfig) { c.trace = f }
}

type sink struct {
	q     idempotency.Queue
	store idempotency.Store
	cfg   sinkConfig
}

// NewSink returns a webhook.Sink that turns each order event, whatever its
// scope (every store/order/* event and the store/channel/{id}/order/*
// forms), into a Task to sync the order's current state, and enqueues it on
// q at PriorityHigh.
//
// The message is keyed "sync:<order id>:<generation>", with the order's
// sync generation read from store as the message is enqueued
// (idempotency.EnqueueTagged: within the enqueue's own round trip when q
// and store are idemredis values on one client), and not by the event's
// hash: BigCommerce's hash is the SHA-1 of the event's data, so distinct
// events about one order (a refund's refund/created and statusUpdated, two
// edits in one second) may share it.
// Every event about an order that arrives while its sync is queued and not
// yet started is therefore one message, which syncs them all; an event that
// arrives once the sync has started gets the next generation, hence a
// message and a sync of its own, which reads the order again. A redelivered
// event is one of these: absorbed while its sync waits, one more read (and
// no Salesforce write, when nothing changed) after.
//
// A customer event (store/customer/created, updated and address/*) and a
// product event (store/product/created and updated) become a KindCustomer
// or KindProduct task in the same way, keyed
// "sync:customer:<id>:<generation>" or "sync:product:<id>:<generation>";
// the handler passes them on when built with
// webhook.WithScopeFilter(IsSyncedScope). A deleted customer or product,
// and the other customer and product scopes, change nothing in Salesforce:
// such an event is logged and dropped.
//
// Accept returns nil, so the handler answers 200, for a newly enqueued event,
// for one absorbed by a queued message, and for an event that names nothing
// to sync (a delivery exception, a deletion), which is logged and dropped.
// It returns the store's or the queue's error (the handler answers 503 and
// BigCommerce delivers again) when reading the generation or enqueueing
// fails, and an error for a nil q or store.
func NewSink(q idempotency.Queue, store idempotency.Store, opts ...SinkOption) webhook.Sink {
	cfg := sinkConfig{logger: discardLogger(), now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &sink{q: q, store: store, cfg: cfg}
}

func (s *sink) Accept(ctx context.Context, e webhook.Event) error {
	if isNil(s.q) || isNil(s.store) {
		return errors.New("pipeline: sink has no queue or no store")
	}
	log := s.cfg.logger.With("scope", e.Scope, "event_key", e.DeliveryKey())
	if kind, id, ok, err := entityEvent(e); ok {
		if err != nil {
			log.Warn("event names no usable "+string(kind)+"; not enqueued", "err", err)
			return nil
		}
		return s.acceptEntity(ctx, e, kind, id, log)
	}
	if ignoredEntityEvent(e.Scope) {
		log.Info("customer or product event that changes nothing in Salesforce; not enqueued")
		return nil
	}
	id, err := e.OrderID()
	if err != nil {
		if de, ok := e.DeliveryException(); ok {
			log.Warn("webhook delivery exception", "hook_id", de.HookID, "error_code", de.ErrorCode, "message", de.Message)
			return nil
		}
		log.Info("event names no order; not enqueued", "err", err)
		return nil
	}
	task := Task{
		OrderID:         id,
		Scope:           cut(e.Scope, maxTextBytes),
		Source:          SourceWebhook,
		EventHash:       cut(e.DeliveryKey(), maxTextBytes),
		GenerationInKey: true,
		ReceivedAt:      s.cfg.now().UTC(),
	}
	return s.enqueueTagged(ctx, task, log.With("order_id", id))
}

// enqueueTagged enqueues t at PriorityHigh, keyed by its resource's sync
// generation, which the queue reads as it enqueues (idempotency.EnqueueTagged:
// one round trip on Redis) and appends to syncKeyPrefix(t).
func (s *sink) enqueueTagged(ctx context.Context, t Task, log *slog.Logger) error {
	if s.cfg.trace != nil {
		t.TraceParent, t.TraceState = traceFields(s.cfg.trace(ctx))
	}
	body, err := EncodeTask(t)
	if err != nil {
		return err
	}
	prefix := syncKeyPrefix(t)
	res, err := idempotency.EnqueueTagged(ctx, s.q, s.store, t.resource(),
		idempotency.Message{Key: prefix, Body: body, Priority: idempotency.PriorityHigh})
	if err != nil {
		return fmt.Errorf("pipeline: enqueue %s: %w", t.subject(), err)
	}
	if res.Duplicate {
		log.Debug("a queued sync absorbs the event", "key", prefix+res.Generation)
		return nil
	}
	log.Debug("event enqueued", "key", prefix+res.Generation, "message_id", res.ID)
	return nil
}

// traceFields keeps a trace context that fits a Task, and drops what does
// not: a cut traceparent or tracestate would be a different, broken one.
func traceFields(parent, state string) (string, string) {
	if parent == "" || len(parent) > maxTextBytes {
		return "", ""
	}
	if len(state) > maxTraceStateBytes {
		state = ""
	}
	return parent, state
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

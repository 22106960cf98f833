package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/webhook"
)

// SinkOption configures NewSink.
type SinkOption func(*sinkConfig)

type sinkConfig struct {
	logger *slog.Logger
	now    func() time.Time
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

type sink struct {
	q   idempotency.Queue
	cfg sinkConfig
}

// NewSink returns a webhook.Sink that turns each order event into a Task
// and enqueues it on q at PriorityHigh, keyed "evt:" + Event.DeliveryKey()
// so that a redelivered event is one message. An event without a delivery
// key is keyed by scope, order id and created_at, or, without created_at, by a
// random key: it is then never deduplicated by the queue, but the Store and
// upsert by external ID still keep its effect single.
//
// Accept returns nil, so the handler answers 200, for a newly enqueued event,
// for a duplicate, and for an event that names no order (a delivery
// exception, a product event let through by a custom filter), which is logged
// and dropped. It returns the queue's error (the handler answers 503 and
// BigCommerce delivers again) when Enqueue fails, and an error for a nil q.
func NewSink(q idempotency.Queue, opts ...SinkOption) webhook.Sink {
	cfg := sinkConfig{logger: discardLogger(), now: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &sink{q: q, cfg: cfg}
}

func (s *sink) Accept(ctx context.Context, e webhook.Event) error {
	if s.q == nil {
		return errors.New("pipeline: sink has no queue")
	}
	log := s.cfg.logger.With("scope", e.Scope, "event_key", e.DeliveryKey())
	id, err := e.OrderID()
	if err != nil {
		if de, ok := e.DeliveryException(); ok {
			log.Warn("webhook delivery exception", "hook_id", de.HookID, "error_code", de.ErrorCode, "message", de.Message)
			return nil
		}
		log.Info("event names no order; not enqueued", "err", err)
		return nil
	}
	key, err := eventKey(e, id)
	if err != nil {
		return err
	}
	log = log.With("order_id", id, "key", key)
	body, err := EncodeTask(Task{
		OrderID:    id,
		Scope:      cut(e.Scope, maxTextBytes),
		Source:     SourceWebhook,
		EventHash:  cut(e.DeliveryKey(), maxTextBytes),
		ReceivedAt: s.cfg.now().UTC(),
	})
	if err != nil {
		return err
	}
	res, err := s.q.Enqueue(ctx, idempotency.Message{Key: key, Body: body, Priority: idempotency.PriorityHigh})
	if err != nil {
		return fmt.Errorf("pipeline: enqueue order %d: %w", id, err)
	}
	if res.Duplicate {
		log.Debug("duplicate event; already queued")
		return nil
	}
	log.Debug("event enqueued", "message_id", res.ID)
	return nil
}

// eventKey is the queue key of an event about order id.
func eventKey(e webhook.Event, id int64) (string, error) {
	if k := e.DeliveryKey(); k != "" {
		return "evt:" + k, nil
	}
	if !e.CreatedAt.IsZero() {
		return "evt:" + e.Scope + ":" + strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(e.CreatedAt.Unix(), 10), nil
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("pipeline: random key: %w", err)
	}
	return "evt:random:" + hex.EncodeToString(b[:]), nil
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

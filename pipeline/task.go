package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Source says where a Task came from.
type Source string

// The sources of a Task.
const (
	// SourceWebhook: a verified BigCommerce webhook event.
	SourceWebhook Source = "webhook"
	// SourceReconcile: the Reconciler found the order modified.
	SourceReconcile Source = "reconcile"
	// SourceBackfill: a Backfill of a date range.
	SourceBackfill Source = "backfill"
)

// Valid reports whether s is one of SourceWebhook, SourceReconcile and
// SourceBackfill.
func (s Source) Valid() bool {
	switch s {
	case SourceWebhook, SourceReconcile, SourceBackfill:
		return true
	}
	return false
}

// MaxTaskBytes is the largest queue body DecodeTask reads: 4 KiB. A task
// is about 150 bytes (250 with a traceparent); anything much larger did
// not come from EncodeTask.
const MaxTaskBytes = 4 << 10

// maxTextBytes bounds the scope, the event hash and the traceparent of a
// Task.
const maxTextBytes = 256

// maxTraceStateBytes bounds the tracestate of a Task: 512 bytes, the length
// that the W3C Trace Context asks every system to pass on whole.
const maxTraceStateBytes = 512

// ErrInvalidTask is wrapped by every error of EncodeTask and DecodeTask.
var ErrInvalidTask = errors.New("pipeline: invalid task")

// Task is the body of one queue message: an order, a customer or a product
// to sync, and why.
//
// Its JSON form is
//
//	{"order_id":250,"scope":"store/order/created","source":"webhook",
//	 "event_hash":"...","generation":"1767225600000000000.3",
//	 "received_at":"2026-01-02T15:04:05Z",
//	 "traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
//
// for an order, and, for a customer or a product,
//
//	{"kind":"customer","order_id":0,"customer_id":7,...}
//	{"kind":"product","order_id":0,"product_id":174,...}
//
// with received_at in RFC 3339, and kind, customer_id, product_id, scope,
// event_hash, generation, generation_in_key, force, traceparent and
// tracestate left out when
// empty, zero or false. A task without kind is an order's, so the bodies
// written before tasks had kinds decode as they always did; an order task
// is still written without kind, so a worker of that time reads it too. A
// task written before the trace fields existed decodes with them empty.
type Task struct {
	// Kind is what the task syncs: KindOrder (also when empty),
	// KindCustomer or KindProduct.
	Kind Kind `json:"kind,omitempty"`
	// OrderID is the BigCommerce order id: positive for an order's task,
	// 0 for the others.
	OrderID int64 `json:"order_id"`
	// CustomerID is the BigCommerce customer id of a KindCustomer task,
	// and ProductID the catalog product id of a KindProduct task; each is 0
	// on the other kinds.
	CustomerID int64 `json:"customer_id,omitempty"`
	ProductID  int64 `json:"product_id,omitempty"`
	// Scope is the webhook scope, or empty for reconcile and backfill tasks.
	Scope string `json:"scope,omitempty"`
	// Source is webhook, reconcile or backfill.
	Source Source `json:"source"`
	// EventHash is the webhook event's delivery key (Event.DeliveryKey), for
	// logs, or empty.
	EventHash string `json:"event_hash,omitempty"`
	// Generation is the resource's sync generation when the event was
	// received (idempotency.Store.Generation), or empty for a task that no
	// finished sync may cover (reconcile, backfill, repair) and for one whose
	// generation is in its message key (GenerationInKey, what NewSink
	// writes; Task.SyncGeneration reads either). The Worker acknowledges a
	// tagged task unread once a sync claimed after the tag finished.
	Generation string `json:"generation,omitempty"`
	// GenerationInKey is set on a webhook task whose generation the queue
	// appended to the message key as it enqueued it
	// (idempotency.EnqueueTagged, one round trip on Redis), so that the body
	// cannot hold it: Generation is then empty in the body and the Worker
	// reads it from the key, "sync:<order id>:<generation>" or
	// "sync:<kind>:<id>:<generation>". A key of another shape leaves the
	// task untagged, which costs at most one more read of the resource.
	GenerationInKey bool `json:"generation_in_key,omitempty"`
	// Force writes the order even when the Store records the same version
	// as written. The Worker sets it on the sync it enqueues after losing its
	// claim on an order while writing it, when an older state may have
	// overwritten a newer one in Salesforce.
	Force bool `json:"force,omitempty"`
	// ReceivedAt is when the task was made; the zero time is allowed.
	ReceivedAt time.Time `json:"received_at"`
	// TraceParent and TraceState are the W3C Trace Context (the traceparent
	// and tracestate headers) of the request that made the task, so that
	// its sync joins the same trace; empty when the producer traces nothing
	// (see WithTraceContext). The pipeline carries them without reading
	// them: a tracer that finds them malformed starts a new trace.
	TraceParent string `json:"traceparent,omitempty"`
	TraceState  string `json:"tracestate,omitempty"`
}

// Validate checks what DecodeTask and EncodeTask require: a known kind with
// a positive id of that kind and no other (an order id for an order's
// task), a known source, a scope, an event hash, a generation and a
// traceparent of at most 256 bytes each, and a tracestate of at most 512
// bytes.
func (t Task) Validate() error {
	if err := t.validateKind(); err != nil {
		return err
	}
	switch {
	case !t.Source.Valid():
		return fmt.Errorf("%w: unknown source %s", ErrInvalidTask, strconv.QuoteToASCII(clip(string(t.Source), 32)))
	case len(t.Scope) > maxTextBytes:
		return fmt.Errorf("%w: scope longer than %d bytes", ErrInvalidTask, maxTextBytes)
	case len(t.EventHash) > maxTextBytes:
		return fmt.Errorf("%w: event_hash longer than %d bytes", ErrInvalidTask, maxTextBytes)
	case len(t.Generation) > maxTextBytes:
		return fmt.Errorf("%w: generation longer than %d bytes", ErrInvalidTask, maxTextBytes)
	case len(t.TraceParent) > maxTextBytes:
		return fmt.Errorf("%w: traceparent longer than %d bytes", ErrInvalidTask, maxTextBytes)
	case len(t.TraceState) > maxTraceStateBytes:
		return fmt.Errorf("%w: tracestate longer than %d bytes", ErrInvalidTask, maxTraceStateBytes)
	}
	return nil
}

// EncodeTask returns the JSON form of t, after Validate.
func EncodeTask(t Task) ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(t)
	if err != nil {
		// Only a ReceivedAt outside years 0-9999 gets here.
		return nil, fmt.Errorf("%w: %v", ErrInvalidTask, err)
	}
	return b, nil
}

// DecodeTask reads a Task from a queue body, which it treats as untrusted:
// a body over MaxTaskBytes (4 KiB), invalid JSON, a value that is not one
// object, a wrongly typed field or a Task that fails Validate is an error
// wrapping ErrInvalidTask. Unknown fields are ignored, so a newer producer
// may add some.
func DecodeTask(b []byte) (Task, error) {
	if len(b) > MaxTaskBytes {
		return Task{}, fmt.Errorf("%w: body of %d bytes exceeds %d", ErrInvalidTask, len(b), MaxTaskBytes)
	}
	var t Task
	if err := json.Unmarshal(b, &t); err != nil {
		return Task{}, fmt.Errorf("%w: %v", ErrInvalidTask, err)
	}
	if err := t.Validate(); err != nil {
		return Task{}, err
	}
	return t, nil
}

// clip cuts s to at most n bytes for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// cut cuts s to at most n bytes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

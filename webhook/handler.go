package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"unicode/utf8"
)

// Sink receives the events the handler accepts. Accept must return nil only
// once the event is safe (durably enqueued): the handler then answers 200 and
// BigCommerce will not deliver it again. Any error makes the handler answer
// 503, so BigCommerce retries. Accept may be called concurrently.
type Sink interface {
	Accept(ctx context.Context, e Event) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, e Event) error

// Accept calls f(ctx, e).
func (f SinkFunc) Accept(ctx context.Context, e Event) error { return f(ctx, e) }

// Handler parses deliveries, filters them by scope and hands them to a Sink.
// It works behind the Verifier's middleware, where it uses the verified bytes
// and copies the webhook-id into Event.WebhookID, and also standalone, where
// it reads r.Body itself. Build it with NewHandler.
//
// Responses:
//   - 405 with "Allow: POST" for any other method;
//   - 413 for a body over the limit (default 1 MiB), 400 for one that
//     cannot be read;
//   - 400 for a malformed envelope, which is never handed on;
//   - 200 with an empty body for a scope the filter drops (not handed on);
//   - 200 with an empty body, not handed on and logged at Warn, for an
//     order, customer or product event whose id is missing or unusable
//     (1.5, "abc", 0, -3): BigCommerce would send it again unchanged, so
//     asking for a redelivery cannot help;
//   - 200 with an empty body once the sink returned nil;
//   - 503 when the sink returned an error, which is logged.
//
// Stats counts each outcome.
type Handler struct {
	sink    Sink
	logger  *slog.Logger
	accept  func(scope string) bool
	maxBody int64

	accepted, ignored, dropped, malformed, failed atomic.Int64
}

// HandlerStats counts what a Handler did with the deliveries that reached
// it since it was built. Requests refused before parsing (405, 413, an
// unreadable body) are not counted.
type HandlerStats struct {
	// Accepted events were handed to the sink, which returned nil (200).
	Accepted int64
	// Ignored events had a scope the filter drops (200).
	Ignored int64
	// Dropped events had a scope the filter accepts, but the order,
	// customer or product id their data must carry was missing or not a
	// positive integer (200, logged at Warn with the scope and the raw id).
	// A rising count means a sender that does not speak BigCommerce's
	// format, or a format change.
	Dropped int64
	// Malformed deliveries were not a valid envelope (400).
	Malformed int64
	// Failed events were handed to the sink, which returned an error (503).
	Failed int64
}

// NewHandler returns a Handler that hands accepted events to sink. Options:
// WithScopeFilter (default IsOrderScope), WithLogger (default discard) and
// WithMaxBodyBytes (default 1 MiB, used when no middleware read the body). A
// nil sink or a nil option make it fail with ErrInvalidConfig.
func NewHandler(sink Sink, opts ...HandlerOption) (*Handler, error) {
	if sink == nil {
		return nil, fmt.Errorf("%w: nil Sink", ErrInvalidConfig)
	}
	cfg := handlerConfig{shared: defaultShared(), accept: IsOrderScope}
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("%w: nil HandlerOption", ErrInvalidConfig)
		}
		if err := opt.applyHandler(&cfg); err != nil {
			return nil, err
		}
	}
	return &Handler{sink: sink, logger: cfg.logger, accept: cfg.accept, maxBody: cfg.maxBody}, nil
}

// Stats returns the handler's counts so far. It is safe to call
// concurrently with ServeHTTP; each count is read atomically, the set of
// them is not one snapshot.
func (h *Handler) Stats() HandlerStats {
	return HandlerStats{
		Accepted:  h.accepted.Load(),
		Ignored:   h.ignored.Load(),
		Dropped:   h.dropped.Load(),
		Malformed: h.malformed.Load(),
		Failed:    h.failed.Load(),
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		rejectMethod(w, r, h.logger)
		return
	}
	body, ok := verifiedBody(r.Context())
	if !ok {
		var err error
		if body, err = readBody(w, r, h.maxBody); err != nil {
			rejectBody(w, r, h.logger, err)
			return
		}
	}
	e, err := ParseEvent(body)
	if err != nil {
		h.malformed.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook event rejected",
			slog.Int("status", http.StatusBadRequest),
			slog.String("reason", err.Error()),
			slog.String("remote_addr", r.RemoteAddr))
		http.Error(w, "malformed webhook event", http.StatusBadRequest)
		return
	}
	if v, ok := VerificationFromContext(r.Context()); ok {
		e.WebhookID = v.WebhookID
	}
	if !h.accept(e.Scope) {
		h.ignored.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelDebug, "webhook event ignored",
			slog.String("scope", bounded(e.Scope)), slog.String("hash", bounded(e.Hash)))
		w.WriteHeader(http.StatusOK)
		return
	}
	if kind, _, src, err := e.resourceID(); err != nil {
		h.dropped.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelWarn, "webhook event dropped: unusable resource id",
			slog.Int("status", http.StatusOK),
			slog.String("scope", bounded(e.Scope)),
			slog.String("resource", kind),
			slog.String("field", src.field),
			slog.String("raw_id", bounded(string(src.raw))),
			slog.String("reason", err.Error()),
			slog.String("delivery_key", bounded(e.DeliveryKey())),
			slog.String("remote_addr", r.RemoteAddr))
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := h.sink.Accept(r.Context(), e); err != nil {
		h.failed.Add(1)
		h.logger.LogAttrs(r.Context(), slog.LevelError, "webhook sink failed; asking for redelivery",
			slog.Int("status", http.StatusServiceUnavailable),
			slog.String("scope", bounded(e.Scope)),
			slog.String("delivery_key", bounded(e.DeliveryKey())),
			slog.Any("error", err))
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	h.accepted.Add(1)
	w.WriteHeader(http.StatusOK)
}

// maxLoggedBytes bounds each value the handler copies from a delivery into
// a log record, so that a large scope or id cannot flood the log.
const maxLoggedBytes = 64

// bounded returns s cut to at most maxLoggedBytes bytes on a rune
// boundary, with "…" appended when it was cut.
func bounded(s string) string {
	if len(s) <= maxLoggedBytes {
		return s
	}
	cut := maxLoggedBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

var (
	_ Sink         = SinkFunc(nil)
	_ http.Handler = (*Handler)(nil)
)

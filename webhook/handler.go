package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
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
//   - 200 with an empty body once the sink returned nil;
//   - 503 when the sink returned an error, which is logged.
type Handler struct {
	sink    Sink
	logger  *slog.Logger
	accept  func(scope string) bool
	maxBody int64
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
		h.logger.LogAttrs(r.Context(), slog.LevelDebug, "webhook event ignored",
			slog.String("scope", e.Scope), slog.String("hash", e.Hash))
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := h.sink.Accept(r.Context(), e); err != nil {
		h.logger.LogAttrs(r.Context(), slog.LevelError, "webhook sink failed; asking for redelivery",
			slog.Int("status", http.StatusServiceUnavailable),
			slog.String("scope", e.Scope),
			slog.String("dedup_key", e.DedupKey()),
			slog.Any("error", err))
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

var (
	_ Sink         = SinkFunc(nil)
	_ http.Handler = (*Handler)(nil)
)

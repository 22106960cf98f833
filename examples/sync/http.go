package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/telemetry"
	"github.com/bc2sf/bc2sf/webhook"
)

const (
	webhookPath = "/webhooks/bigcommerce"
	// readyTimeout bounds the queue check of /readyz, so that a load
	// balancer's probe gets an answer while Redis is unreachable.
	readyTimeout = 2 * time.Second
)

// newWebhookHandler verifies deliveries with every configured credential
// (both, when both are set) and enqueues the order events, each Task
// carrying the trace of its delivery. A required signature refuses unsigned
// deliveries; webhook.OptionalStandardWebhooks checks it only when one is
// present, for stores whose hooks may not sign. store gives each event its
// order's sync generation.
func newWebhookHandler(cfg config, queue idempotency.Queue, store idempotency.Store, tel *telemetry.Telemetry, log *slog.Logger) (http.Handler, error) {
	var schemes []webhook.Scheme
	if cfg.webhookSecret != "" {
		schemes = append(schemes, webhook.SharedSecret(cfg.webhookHeader, cfg.webhookSecret))
	}
	if cfg.bcClientSecret != "" {
		key, err := webhook.ParseStandardSecret(cfg.bcClientSecret)
		if err != nil {
			return nil, err
		}
		schemes = append(schemes, webhook.StandardWebhooks(key))
	}
	verifier, err := webhook.NewVerifier(schemes, webhook.WithLogger(log))
	if err != nil {
		return nil, err
	}
	// Order, customer and product events: what examples/register subscribes.
	sink := pipeline.NewSink(tel.Queue(queue), store, pipeline.WithLogger(log), pipeline.WithTraceContext(tel.TraceContext))
	handler, err := webhook.NewHandler(sink, webhook.WithLogger(log), webhook.WithScopeFilter(pipeline.IsSyncedScope))
	if err != nil {
		return nil, err
	}
	return tel.Receiver(verifier.Middleware(handler)), nil
}

// newMux routes the two probes, and the webhook unless webhooks is nil (a
// worker): /healthz answers 200 while the process runs; /readyz answers 503
// while the queue is unreachable, so that a load balancer sends deliveries
// elsewhere and an orchestrator sees a worker that cannot work.
func newMux(webhooks http.Handler, queue idempotency.Inspector) *http.ServeMux {
	mux := http.NewServeMux()
	if webhooks != nil {
		mux.Handle(webhookPath, webhooks)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", pipeline.ReadinessHandler(queue, readyTimeout))
	return mux
}

// newServer sets every timeout, so that slow or idle clients cannot hold
// connections open for ever.
func newServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/webhook"
)

// Where the receiver listens and what it expects.
const (
	webhookPath  = "/webhooks/bigcommerce"
	healthPath   = "/healthz"
	secretHeader = webhook.DefaultSecretHeader
)

// secrets are the two webhook credentials: the value of the hook's shared
// header and the app's client secret that keys the Standard Webhooks
// signature. The demo makes up both for each run.
type secrets struct {
	webhook, client string
}

// String keeps the values out of anything that prints a secrets.
func (secrets) String() string { return "secrets{redacted}" }

// GoString is String, for %#v.
func (s secrets) GoString() string { return s.String() }

// LogValue is String, for slog.
func (s secrets) LogValue() slog.Value { return slog.StringValue(s.String()) }

// receiver is the webhook endpoint on a loopback port.
type receiver struct {
	url string
	srv *http.Server
}

// startReceiver serves the verified webhook handler, which enqueues each
// order event on queue, tagged with its order's generation in store, on a
// free loopback port.
func startReceiver(ctx context.Context, queue idempotency.Queue, store idempotency.Store, sec secrets, logger *slog.Logger) (*receiver, error) {
	verifier, err := webhook.NewVerifier([]webhook.Scheme{
		webhook.SharedSecret(secretHeader, sec.webhook),
		webhook.StandardWebhooks([]byte(sec.client)),
	}, webhook.WithLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("webhook verifier: %w", err)
	}
	handler, err := webhook.NewHandler(pipeline.NewSink(queue, store, pipeline.WithLogger(logger)),
		webhook.WithLogger(logger), webhook.WithScopeFilter(pipeline.IsSyncedScope))
	if err != nil {
		return nil, fmt.Errorf("webhook handler: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, verifier.Middleware(handler))
	mux.HandleFunc("GET "+healthPath, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("receiver stopped", "err", err)
		}
	}()
	return &receiver{url: "http://" + ln.Addr().String() + webhookPath, srv: srv}, nil
}

// close shuts the server down, letting requests in flight finish.
func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}

package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// readyTimeout bounds the queue check of /readyz, so that a probe gets an
// answer while Redis is unreachable.
const readyTimeout = 2 * time.Second

// newHealthMux serves the two probes: /healthz answers 200 while the
// process runs; /readyz answers 503 while the queue is unreachable.
func newHealthMux(queue idempotency.Inspector) *http.ServeMux {
	mux := http.NewServeMux()
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

package main

import (
	"log/slog"
	"net/http"

	"github.com/bc2sf/bc2sf/deadletter"
	"github.com/bc2sf/bc2sf/idempotency"
)

// Paths of the admin listener.
const (
	// deadLettersPath is where the dead-letter console is served, behind
	// ADMIN_TOKEN.
	deadLettersPath = "/deadletters/"
	// metricsPath serves the Prometheus text format, without a token, for
	// a scraper inside the network the admin listener is bound to.
	metricsPath = "/metrics"
)

// newAdminHandler serves the dead-letter console under /deadletters/,
// behind ADMIN_TOKEN, over the queue's Inspector, and the metrics at
// /metrics. With usage (a working role) the page shows the Salesforce API
// usage that the metrics report too.
func newAdminHandler(cfg config, queue idempotency.Inspector, usage apiUsage, metrics http.Handler, log *slog.Logger) (http.Handler, error) {
	opts := []deadletter.Option{deadletter.WithToken("ADMIN_TOKEN", cfg.adminToken), deadletter.WithLogger(log)}
	if usage != nil {
		opts = append(opts, deadletter.WithUsage(deadletter.UsageFunc(usage)))
	}
	console, err := deadletter.NewConsole(queue, opts...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(deadLettersPath, http.StripPrefix("/deadletters", console))
	if metrics != nil {
		mux.Handle("GET "+metricsPath, metrics)
	}
	return mux, nil
}

package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/bc2sf/bc2sf/deadletter"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/salesforce"
)

// deadLettersPath is where the admin listener serves the dead-letter
// console.
const deadLettersPath = "/deadletters/"

// newAdminHandler serves the dead-letter console under /deadletters/,
// behind ADMIN_TOKEN, over the queue's Inspector. With sf (a working role)
// the page shows the Salesforce API usage the client last saw.
func newAdminHandler(cfg config, queue idempotency.Inspector, sf *salesforce.Client, log *slog.Logger) (http.Handler, error) {
	opts := []deadletter.Option{deadletter.WithToken("ADMIN_TOKEN", cfg.adminToken), deadletter.WithLogger(log)}
	if sf != nil {
		opts = append(opts, deadletter.WithUsage(func(context.Context) (int64, int64, bool) {
			info, ok := sf.Usage()
			return info.APIUsage.Used, info.APIUsage.Max, ok
		}))
	}
	console, err := deadletter.NewConsole(queue, opts...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(deadLettersPath, http.StripPrefix("/deadletters", console))
	return mux, nil
}

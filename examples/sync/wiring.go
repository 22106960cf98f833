package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// processes are the parts that run until shutdown.
type processes struct {
	server *http.Server
	loops  []func(context.Context) error // worker pool, reconciler
	// drainQueue, when set, runs at shutdown after the server stopped
	// accepting and before the loops stop: a memory queue is emptied.
	drainQueue func(context.Context, *slog.Logger)
}

// newProcesses builds the clients, the worker pool, the reconciler when
// RECONCILE_INTERVAL is set, and the HTTP server. Nothing here makes a
// network call, so every error is a configuration error.
func newProcesses(cfg config, b *backend, log *slog.Logger) (*processes, error) {
	bc, err := bigcommerce.NewClient(cfg.bcStoreHash, cfg.bcToken,
		bigcommerce.WithBaseURL(cfg.bcAPIURL), bigcommerce.WithLogger(log))
	if err != nil {
		return nil, err
	}
	sf, err := salesforce.NewClient(
		salesforce.WithClientCredentials(cfg.sfClientID, cfg.sfClientSecret),
		salesforce.WithInstanceURL(cfg.sfInstanceURL),
		salesforce.WithTokenURL(cfg.sfTokenURL),
		salesforce.WithAPIVersion(cfg.sfAPIVersion),
		salesforce.WithLogger(log))
	if err != nil {
		return nil, err
	}
	m, err := mapper.New(mapper.Config{StageName: cfg.stageName})
	if err != nil {
		return nil, err
	}
	orders := pipeline.BigCommerceOrders(bc)
	worker, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue:       b.queue,
		Store:       b.store,
		Orders:      orders,
		Graphs:      sf,
		Pricebook:   sf,
		Mapper:      m,
		APIVersion:  cfg.sfAPIVersion,
		Concurrency: cfg.workers,
		Logger:      log,
	})
	if err != nil {
		return nil, err
	}
	loops := []func(context.Context) error{worker.Run}

	if cfg.reconcileEvery > 0 {
		r, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{
			Orders:     orders,
			Queue:      b.queue,
			Checkpoint: b.checkpoint,
			Interval:   cfg.reconcileEvery,
			Logger:     log,
		})
		if err != nil {
			return nil, err
		}
		loops = append(loops, r.Run)
	}

	webhooks, err := newWebhookHandler(cfg, b.queue, log)
	if err != nil {
		return nil, err
	}
	p := &processes{
		server: newServer(cfg.listenAddr, newMux(webhooks, b.inspect), log),
		loops:  loops,
	}
	if b.client == nil {
		p.drainQueue = waitForEmpty(b.inspect)
	}
	return p, nil
}

package main

import (
	"cmp"
	"context"
	"errors"
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
	admin  *http.Server                  // ADMIN_ADDR: the dead-letter console; nil when unset
	loops  []func(context.Context) error // worker pool, reconciler
	// drainQueue, when set, runs at shutdown after the server stopped
	// accepting and before the loops stop: a memory queue is emptied.
	drainQueue func(context.Context, *slog.Logger)
}

// startFailure marks an error met while starting that is not in the
// configuration (Salesforce could not be reached): the program exits 1, so
// that it is restarted, rather than 2.
type startFailure struct{ err error }

func (f *startFailure) Error() string { return f.err.Error() }
func (f *startFailure) Unwrap() error { return f.err }

// newProcesses builds what cfg.role runs: the HTTP server in every role
// (the probes, and the webhook route where the role receives), and, where
// it works, the worker pool and the reconciler when RECONCILE_INTERVAL is
// set, and the admin server when ADMIN_ADDR is set. Only the Order target's
// price-book lookup makes a network call; its failure is a *startFailure,
// every other error a configuration error.
func newProcesses(ctx context.Context, cfg config, b *backend, log *slog.Logger) (*processes, error) {
	p := &processes{}
	var webhooks http.Handler
	if cfg.role.receives() {
		var err error
		if webhooks, err = newWebhookHandler(cfg, b.queue, b.store, log); err != nil {
			return nil, err
		}
	}
	var sf *salesforce.Client
	if cfg.role.works() {
		var err error
		if p.loops, sf, err = newLoops(ctx, cfg, b, log); err != nil {
			return nil, err
		}
	}
	p.server = newServer(cfg.listenAddr, newMux(webhooks, b.inspect), log)
	if cfg.adminAddr != "" {
		admin, err := newAdminHandler(cfg, b.inspect, sf, log)
		if err != nil {
			return nil, err
		}
		p.admin = newServer(cfg.adminAddr, admin, log)
	}
	if cfg.role == roleAll && b.client == nil {
		p.drainQueue = waitForEmpty(b.inspect)
	}
	return p, nil
}

// newLoops builds the clients, the mapper, the worker pool and, when
// RECONCILE_INTERVAL is set, the reconciler. It returns the Salesforce
// client too, whose usage the admin server shows.
func newLoops(ctx context.Context, cfg config, b *backend, log *slog.Logger) ([]func(context.Context) error, *salesforce.Client, error) {
	bcOpts := []bigcommerce.Option{bigcommerce.WithBaseURL(cfg.bcAPIURL), bigcommerce.WithLogger(log)}
	if cfg.target != targetOrder {
		// An Opportunity carries the order's totals only: read no lines.
		bcOpts = append(bcOpts, bigcommerce.WithoutLineItems())
	}
	bc, err := bigcommerce.NewClient(cfg.bcStoreHash, cfg.bcToken, bcOpts...)
	if err != nil {
		return nil, nil, err
	}
	sf, err := salesforce.NewClient(
		salesforce.WithClientCredentials(cfg.sfClientID, cfg.sfClientSecret),
		salesforce.WithInstanceURL(cfg.sfInstanceURL),
		salesforce.WithTokenURL(cfg.sfTokenURL),
		salesforce.WithAPIVersion(cfg.sfAPIVersion),
		salesforce.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	// Product syncs keep the standard price book's entries; the Order
	// target uses it too unless SALESFORCE_PRICEBOOK_ID names another.
	std, err := standardPricebook(ctx, sf, log)
	if err != nil {
		return nil, nil, err
	}
	mc := mapper.Config{Stage: mapper.StatusMap{Default: cfg.stageName}}
	if cfg.target == targetOrder {
		mc.Target = mapper.TargetOrder
		if mc.Pricebook2ID = cmp.Or(cfg.pricebookID, std); mc.Pricebook2ID == "" {
			return nil, nil, errors.New("the org has no standard price book; set SALESFORCE_PRICEBOOK_ID")
		}
	}
	m, err := mapper.New(mc)
	if err != nil {
		return nil, nil, err
	}
	orders := bc.Orders
	var products pipeline.ProductSource = bc.Products
	if std == "" {
		log.Warn("the org has no standard price book: product events are dead-lettered")
		products = nil
	}
	worker, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue:       b.queue,
		Store:       b.store,
		Orders:      orders,
		Graphs:      sf,
		Pricebook:   sf,
		Mapper:      m,
		Concurrency: cfg.workers,
		Logger:      log,
		// Customer and product events (store/customer/*, store/product/*).
		Customers:           bc.Customers,
		Products:            products,
		StandardPricebookID: std,
	})
	if err != nil {
		return nil, nil, err
	}
	loops := []func(context.Context) error{worker.Run}
	if cfg.reconcileEvery > 0 {
		// Several workers may run reconcilers on one checkpoint: they list
		// the same orders, which map to the same queue keys, so the queue
		// keeps one message per order.
		r, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{
			Orders:             orders,
			Queue:              b.queue,
			Checkpoint:         b.checkpoint,
			Customers:          bc.Customers,
			CustomerCheckpoint: b.customerCheckpoint,
			Interval:           cfg.reconcileEvery,
			Logger:             log,
		})
		if err != nil {
			return nil, nil, err
		}
		loops = append(loops, r.Run)
	}
	return loops, sf, nil
}

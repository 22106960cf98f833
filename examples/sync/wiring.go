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
	"github.com/bc2sf/bc2sf/telemetry"
)

// processes are the parts that run until shutdown.
type processes struct {
	server *http.Server
	admin  *http.Server                  // ADMIN_ADDR: the dead-letter console and /metrics; nil when unset
	loops  []func(context.Context) error // worker pool, reconciler
	obs    *observability                // traces and metrics; shut down after the loops
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
// set, and the admin server when ADMIN_ADDR is set. Every part is
// instrumented for OpenTelemetry (newObservability says where it goes).
// Only the Order target's price-book lookup makes a network call; its
// failure is a *startFailure, every other error a configuration error. On
// success the caller shuts p.obs down; on an error newProcesses does.
func newProcesses(ctx context.Context, cfg config, b *backend, log *slog.Logger) (_ *processes, err error) {
	obs, err := newObservability(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = obs.shutdown(context.WithoutCancel(ctx))
		}
	}()
	p := &processes{obs: obs}
	tel := obs.tel
	if err := tel.ObserveQueue(b.inspect); err != nil {
		return nil, err
	}
	var webhooks http.Handler
	if cfg.role.receives() {
		if webhooks, err = newWebhookHandler(cfg, b.queue, b.store, tel, log); err != nil {
			return nil, err
		}
	}
	var usage apiUsage // nil in a receiver, which calls no API
	if cfg.role.works() {
		if p.loops, usage, err = newLoops(ctx, cfg, b, tel, log); err != nil {
			return nil, err
		}
	}
	p.server = newServer(cfg.listenAddr, newMux(webhooks, b.inspect), log)
	if cfg.adminAddr != "" {
		admin, err := newAdminHandler(cfg, b.inspect, usage, obs.metrics, log)
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

// apiUsage reports the Salesforce API usage the client last saw: calls
// used and the allowance, from the Sforce-Limit-Info header. One function
// feeds both the metrics and the dead-letter console.
type apiUsage func(ctx context.Context) (used, limit int64, ok bool)

func usageOf(sf *salesforce.Client) apiUsage {
	return func(context.Context) (int64, int64, bool) {
		info, ok := sf.Usage()
		return info.APIUsage.Used, info.APIUsage.Max, ok
	}
}

// newLoops builds the clients, the mapper, the worker pool and, when
// RECONCILE_INTERVAL is set, the reconciler, all instrumented by tel. It
// returns the Salesforce client's usage too, which the metrics and the
// admin server show.
func newLoops(ctx context.Context, cfg config, b *backend, tel *telemetry.Telemetry, log *slog.Logger) ([]func(context.Context) error, apiUsage, error) {
	bcOpts := []bigcommerce.Option{bigcommerce.WithBaseURL(cfg.bcAPIURL), bigcommerce.WithLogger(log),
		bigcommerce.WithHTTPClient(tel.HTTPClient(&http.Client{Timeout: bigcommerce.DefaultTimeout})),
		bigcommerce.WithRetry(tel.BigCommerceRetry(bigcommerce.DefaultRetryPolicy()))}
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
		salesforce.WithLogger(log),
		salesforce.WithHTTPClient(tel.HTTPClient(&http.Client{Timeout: salesforce.DefaultTimeout})),
		// The worker retries failed calls itself, with one view of the
		// org's health; the client only repeats a call once, at once.
		salesforce.WithRetry(tel.SalesforceRetry(pipeline.SalesforceRetryPolicy())))
	if err != nil {
		return nil, nil, err
	}
	usage := usageOf(sf)
	if err := errors.Join(tel.ObserveSalesforce(telemetry.UsageFunc(usage)), tel.ObserveBigCommerce(bc.RateLimit)); err != nil {
		return nil, nil, err
	}
	// Product syncs keep the standard price book's entries; the Order
	// target uses it too unless SALESFORCE_PRICEBOOK_ID names another,
	// whose entries product syncs then keep as well.
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
	var products pipeline.ProductSource = bc.Products
	if std == "" {
		log.Warn("the org has no standard price book: product events are dead-lettered")
		products = nil
	}
	worker, err := pipeline.NewWorker(tel.Worker(pipeline.WorkerConfig{
		Queue:       b.queue,
		Store:       b.store,
		Orders:      bc.Orders,
		Graphs:      sf,
		Pricebook:   sf,
		Mapper:      m,
		Concurrency: cfg.workers,
		Logger:      log,
		// Customer and product events (store/customer/*, store/product/*).
		Customers:           bc.Customers,
		Products:            products,
		StandardPricebookID: std,
	}))
	if err != nil {
		return nil, nil, err
	}
	loops := []func(context.Context) error{worker.Run}
	if cfg.reconcileEvery > 0 {
		// Several workers may run reconcilers on one checkpoint: they list
		// the same orders, which map to the same queue keys, so the queue
		// keeps one message per order.
		r, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{
			Orders:             tel.Lister(bc.Orders),
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
	return loops, usage, nil
}

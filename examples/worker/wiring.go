package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// processes are the parts that run until shutdown.
type processes struct {
	queue  idempotency.Queue
	loops  []func(context.Context) error // worker pool, reconciler
	health *http.Server                  // nil without HEALTH_ADDR
}

// newProcesses builds the queue and store on client, the API clients, the
// worker pool, the reconciler when RECONCILE_INTERVAL is set, and the health
// server when HEALTH_ADDR is set. Nothing here makes a network call, so every
// error is a configuration error.
func newProcesses(cfg config, client *redis.Client, log *slog.Logger) (*processes, error) {
	shared := idemredis.WithOptions(idempotency.WithLogger(log))
	queue, err := idemredis.NewQueue(client, shared)
	if err != nil {
		return nil, err
	}
	store, err := idemredis.NewStore(client, shared)
	if err != nil {
		return nil, err
	}
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
		Queue:       queue,
		Store:       store,
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
	p := &processes{queue: queue, loops: []func(context.Context) error{worker.Run}}

	if cfg.reconcileEvery > 0 {
		// Several workers may run reconcilers on one checkpoint: they list
		// the same orders, which map to the same queue keys, so the queue
		// keeps one message per order.
		r, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{
			Orders:     orders,
			Queue:      queue,
			Checkpoint: idemredis.NewCheckpoint(client, idemredis.DefaultCheckpointKey),
			Interval:   cfg.reconcileEvery,
			Logger:     log,
		})
		if err != nil {
			return nil, err
		}
		p.loops = append(p.loops, r.Run)
	}
	if cfg.healthAddr != "" {
		p.health = newServer(cfg.healthAddr, newHealthMux(queue), log)
	}
	return p, nil
}

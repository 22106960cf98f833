package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
)

// backend is where the queue, the idempotency store and the reconciler's
// checkpoint live: in this process's memory, or in Redis when REDIS_URL is
// set. Memory is lost with the process, events already answered 200 included;
// use Redis for anything that matters.
type backend struct {
	queue      idempotency.Queue
	inspect    idempotency.Inspector // the queue's: for /readyz and the drain
	store      idempotency.Store
	checkpoint idempotency.Checkpoint
	// customerCheckpoint is the reconciler's checkpoint for customers, apart
	// from the orders'.
	customerCheckpoint idempotency.Checkpoint
	client             *redis.Client // nil in memory
}

// customerCheckpointKey keeps the customers' reconcile checkpoint in Redis.
const customerCheckpointKey = idemredis.DefaultPrefix + ":reconcile:customers:checkpoint"

func openBackend(opts *redis.Options, log *slog.Logger) (*backend, error) {
	if opts == nil {
		queue := idempotency.NewMemoryQueue(idempotency.WithLogger(log))
		return &backend{
			queue:      queue,
			inspect:    queue,
			store:      idempotency.NewMemoryStore(idempotency.WithLogger(log)),
			checkpoint: &idempotency.MemoryCheckpoint{},

			customerCheckpoint: &idempotency.MemoryCheckpoint{},
		}, nil
	}
	client := redis.NewClient(opts)
	shared := idemredis.WithOptions(idempotency.WithLogger(log))
	queue, err := idemredis.NewQueue(client, shared)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("redis queue: %w", err), client.Close())
	}
	store, err := idemredis.NewStore(client, shared)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("redis store: %w", err), client.Close())
	}
	return &backend{
		queue:      queue,
		inspect:    queue,
		store:      store,
		checkpoint: idemredis.NewCheckpoint(client, idemredis.DefaultCheckpointKey),
		client:     client,

		customerCheckpoint: idemredis.NewCheckpoint(client, customerCheckpointKey),
	}, nil
}

// close closes the queue, then the Redis client it uses.
func (b *backend) close() error {
	err := b.queue.Close()
	if b.client != nil {
		err = errors.Join(err, b.client.Close())
	}
	return err
}

package idemredis_test

import (
	"testing"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
	"github.com/bc2sf/bc2sf/internal/redistest"
)

// The suites share one server per run; every Store, Queue and Checkpoint
// gets a fresh prefix or key, so they cannot see each other's keys.

func TestStoreConformance(t *testing.T) {
	client := newClient(t, redistest.Start(t))
	idemtest.RunStore(t, idemtest.Config{}, func(t *testing.T, opts ...idempotency.Option) idempotency.Store {
		return newStore(t, client, opts...)
	})
}

func TestQueueConformance(t *testing.T) {
	client := newClient(t, redistest.Start(t))
	idemtest.RunQueue(t, idemtest.Config{}, func(t *testing.T, opts ...idempotency.Option) (idempotency.Queue, idempotency.Inspector) {
		q := newQueue(t, client, idemredis.WithOptions(opts...))
		return q, q
	})
}

// The pair shares one client, so EnqueueTagged reads the generation in
// the enqueue script; the suite's wrapped-Store case takes the two-step
// path.
func TestTaggingConformance(t *testing.T) {
	client := newClient(t, redistest.Start(t))
	idemtest.RunTagging(t, idemtest.Config{}, func(t *testing.T) (idempotency.TaggingQueue, idempotency.Store) {
		return newQueue(t, client), newStore(t, client)
	})
}

func TestCheckpointConformance(t *testing.T) {
	client := newClient(t, redistest.Start(t))
	idemtest.RunCheckpoint(t, idemtest.Config{}, func(t *testing.T) idempotency.Checkpoint {
		return idemredis.NewCheckpoint(client, freshPrefix(t)+":checkpoint")
	})
}

package idempotency_test

import (
	"testing"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	idemtest.RunStore(t, idemtest.Config{}, func(t *testing.T, opts ...idempotency.Option) idempotency.Store {
		return idempotency.NewMemoryStore(opts...)
	})
}

func TestMemoryQueueConformance(t *testing.T) {
	t.Parallel()
	idemtest.RunQueue(t, idemtest.Config{}, func(t *testing.T, opts ...idempotency.Option) (idempotency.Queue, idempotency.Inspector) {
		q := idempotency.NewMemoryQueue(opts...)
		t.Cleanup(func() { _ = q.Close() })
		return q, q
	})
}

func TestMemoryCheckpointConformance(t *testing.T) {
	t.Parallel()
	idemtest.RunCheckpoint(t, idemtest.Config{}, func(t *testing.T) idempotency.Checkpoint {
		return &idempotency.MemoryCheckpoint{}
	})
}

func TestMemoryTaggingConformance(t *testing.T) {
	t.Parallel()
	idemtest.RunTagging(t, idemtest.Config{}, func(t *testing.T) (idempotency.TaggingQueue, idempotency.Store) {
		q := idempotency.NewMemoryQueue()
		t.Cleanup(func() { _ = q.Close() })
		return q, idempotency.NewMemoryStore()
	})
}

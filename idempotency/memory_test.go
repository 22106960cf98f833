package idempotency_test

import (
	"testing"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

func TestMemoryStoreConformance(t *testing.T) {
	t.Parallel()
	idemtest.TestStore(t, func(t *testing.T, opts ...idempotency.Option) idempotency.Store {
		return idempotency.NewMemoryStore(opts...)
	})
}

func TestMemoryQueueConformance(t *testing.T) {
	t.Parallel()
	idemtest.TestQueue(t, func(t *testing.T, opts ...idempotency.Option) idempotency.Queue {
		q := idempotency.NewMemoryQueue(opts...)
		t.Cleanup(func() { _ = q.Close() })
		return q
	})
}

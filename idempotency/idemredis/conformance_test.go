package idemredis_test

import (
	"testing"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
	"github.com/bc2sf/bc2sf/internal/redistest"
)

// The suites share one server per run; every Store and Queue gets a fresh
// prefix, so they cannot see each other's keys.

func TestStoreConformance(t *testing.T) {
	client := newClient(t, redistest.Start(t))
	idemtest.TestStore(t, func(t *testing.T, opts ...idempotency.Option) idempotency.Store {
		return newStore(t, client, opts...)
	})
}

func TestQueueConformance(t *testing.T) {
	client := newClient(t, redistest.Start(t))
	idemtest.TestQueue(t, func(t *testing.T, opts ...idempotency.Option) idempotency.Queue {
		return newQueue(t, client, idemredis.WithOptions(opts...))
	})
}

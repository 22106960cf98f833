package idemredis_test

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// newClient returns a client of srv that is closed when the test ends.
func newClient(tb testing.TB, srv *redistest.Server) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// freshPrefix returns a prefix no other test uses, so tests can share a
// server.
func freshPrefix(tb testing.TB) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := strings.NewReplacer("/", "-", " ", "_", "{", "", "}", "").Replace(tb.Name())
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return name + "-" + hex.EncodeToString(b)
}

// newQueue returns a Queue on client with a fresh prefix, closed when the
// test ends.
func newQueue(tb testing.TB, client redis.UniversalClient, opts ...idemredis.Option) *idemredis.Queue {
	tb.Helper()
	q, err := idemredis.NewQueue(client, append([]idemredis.Option{idemredis.WithPrefix(freshPrefix(tb))}, opts...)...)
	if err != nil {
		tb.Fatalf("NewQueue: %v", err)
	}
	tb.Cleanup(func() { _ = q.Close() })
	return q
}

// newStore returns a Store on client with a fresh prefix.
func newStore(tb testing.TB, client redis.UniversalClient, opts ...idempotency.Option) *idemredis.Store {
	tb.Helper()
	s, err := idemredis.NewStore(client, idemredis.WithPrefix(freshPrefix(tb)), idemredis.WithOptions(opts...))
	if err != nil {
		tb.Fatalf("NewStore: %v", err)
	}
	return s
}

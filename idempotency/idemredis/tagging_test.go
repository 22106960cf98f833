package idemredis_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// commandLog records the name of every command a client sends.
type commandLog struct {
	mu    sync.Mutex
	names []string
}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.mu.Lock()
		l.names = append(l.names, cmd.Name())
		l.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (l *commandLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.names
	l.names = nil
	return n
}

// tagTwice tags one event of a new resource (loading the script), then
// returns the commands a second event of another resource sends, and
// checks both results against Store.Generation.
func tagTwice(t *testing.T, q *idemredis.Queue, s idempotency.Store, log *commandLog) []string {
	t.Helper()
	ctx := t.Context()
	if _, err := q.EnqueueTagged(ctx, s, "order:1", idempotency.Message{Key: "sync:1:"}); err != nil {
		t.Fatalf("EnqueueTagged: %v", err)
	}
	log.take()
	r, err := q.EnqueueTagged(ctx, s, "order:2", idempotency.Message{Key: "sync:2:"})
	if err != nil {
		t.Fatalf("EnqueueTagged: %v", err)
	}
	sent := log.take()
	if g, err := s.Generation(ctx, "order:2"); err != nil || r.Generation != g {
		t.Fatalf("tagged %q; Store.Generation = %q, %v", r.Generation, g, err)
	}
	return sent
}

// With the Store on the Queue's own client, a tagged event is one command:
// the enqueue script reads the generation.
func TestEnqueueTaggedIsOneRoundTrip(t *testing.T) {
	client := newClient(t, redistest.Start(t))
	log := &commandLog{}
	client.AddHook(log)
	q := newQueue(t, client)
	sent := tagTwice(t, q, newStore(t, client), log)
	if len(sent) != 1 || sent[0] != "evalsha" {
		t.Fatalf("a tagged enqueue sent %v, want one evalsha", sent)
	}
}

// A client that may shard keys (a Ring, like a cluster) cannot run a script
// that spans the Store's and the Queue's keys: EnqueueTagged reads the
// generation first, then enqueues.
func TestEnqueueTaggedOnShardedClientTakesTwoSteps(t *testing.T) {
	srv := redistest.Start(t)
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"one": srv.Addr()}})
	t.Cleanup(func() { _ = ring.Close() })
	log := &commandLog{}
	ring.AddHook(log)
	q, err := idemredis.NewQueue(ring, idemredis.WithPrefix(freshPrefix(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	s, err := idemredis.NewStore(ring, idemredis.WithPrefix(freshPrefix(t)))
	if err != nil {
		t.Fatal(err)
	}
	sent := tagTwice(t, q, s, log)
	if len(sent) != 2 || sent[0] != "hmget" || sent[1] != "evalsha" {
		t.Fatalf("a tagged enqueue on a Ring sent %v, want hmget then evalsha", sent)
	}
}

// A Store on another client (another server, say) is read on its own.
func TestEnqueueTaggedWithStoreOnAnotherClient(t *testing.T) {
	srv := redistest.Start(t)
	qc, sc := newClient(t, srv), newClient(t, srv)
	qlog, slog := &commandLog{}, &commandLog{}
	qc.AddHook(qlog)
	sc.AddHook(slog)
	q := newQueue(t, qc)
	s := newStore(t, sc)
	if sent := tagTwice(t, q, s, qlog); len(sent) != 1 || sent[0] != "evalsha" {
		t.Fatalf("the queue's client sent %v, want one evalsha", sent)
	}
	if sent := slog.take(); !slices.Contains(sent, "hmget") {
		t.Fatalf("the store's client sent %v, want the generation reads (hmget)", sent)
	}
}

func TestEnqueueTaggedRefusesANilStore(t *testing.T) {
	q := newQueue(t, newClient(t, redistest.Start(t)))
	var s *idemredis.Store
	if _, err := q.EnqueueTagged(t.Context(), s, "order:1", idempotency.Message{Key: "sync:1:"}); !errors.Is(err, idempotency.ErrInvalidArgument) {
		t.Fatalf("EnqueueTagged with a nil *Store = %v, want ErrInvalidArgument", err)
	}
}

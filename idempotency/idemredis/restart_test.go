package idemredis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
)

// TestRestartWithAppendOnlyLosesNothing enqueues messages, consumes some,
// restarts Redis (gracefully or by SIGKILL) with the append-only file on, and
// consumes the rest: every key is acknowledged exactly once, deliveries held
// across the restart can still be acknowledged, and abandoned ones come back.
func TestRestartWithAppendOnlyLosesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		crash bool
	}{
		{name: "stop and start"},
		{name: "kill and start", crash: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := redistest.Start(t, redistest.WithAppendOnly())
			client := newClient(t, srv)
			q := newQueue(t, client)
			ctx := ctxT(t)

			const n, before, held, abandoned = 200, 80, 10, 10
			keys := make(map[string]bool, n)
			for i := range n {
				k := fmt.Sprintf("order-%d", i)
				keys[k] = false
				mustEnqueue(t, q, idempotency.Message{Key: k, Priority: idempotency.Priority(i % 2)})
			}
			acked := make(map[string]int)
			ack := func(d *idempotency.Delivery) {
				t.Helper()
				if err := q.Ack(ctx, d); err != nil {
					t.Fatalf("Ack %s: %v", d.Key, err)
				}
				acked[d.Key]++
			}
			for range before {
				ack(mustDequeue(t, q, time.Minute))
			}
			var kept []*idempotency.Delivery
			for range held {
				kept = append(kept, mustDequeue(t, q, time.Minute))
			}
			var lost []*idempotency.Delivery
			for range abandoned {
				lost = append(lost, mustDequeue(t, q, 300*time.Millisecond))
			}

			if tc.crash {
				srv.Kill()
			} else {
				srv.Stop()
			}
			srv.Start()

			for _, d := range kept {
				ack(d)
			}
			remaining := n - before - held
			redelivered := 0
			for range remaining {
				d := mustDequeue(t, q, time.Minute)
				if d.Attempt > 1 {
					redelivered++
				}
				ack(d)
			}
			if redelivered != abandoned {
				t.Errorf("%d redeliveries after the restart, want the %d abandoned ones", redelivered, abandoned)
			}
			for _, d := range lost {
				if err := q.Ack(ctx, d); !errors.Is(err, idempotency.ErrLeaseLost) {
					t.Errorf("Ack of an abandoned delivery = %v, want ErrLeaseLost", err)
				}
			}
			for k := range keys {
				if acked[k] != 1 {
					t.Errorf("key %s acknowledged %d times, want 1", k, acked[k])
				}
			}
			if st, err := q.Stats(ctx); err != nil || st.Depth() != 0 {
				t.Errorf("Stats after draining = %+v, %v", st, err)
			}
		})
	}
}

// TestRestartWithoutPersistenceRecreatesGroup shows that a Queue keeps
// working after Redis restarts empty: the consumer group it had created is
// gone (NOGROUP) and is created again.
func TestRestartWithoutPersistenceRecreatesGroup(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	client := newClient(t, srv)
	q := newQueue(t, client)
	ctx := ctxT(t)

	mustEnqueue(t, q, idempotency.Message{Key: "before"})
	if err := q.Ack(ctx, mustDequeue(t, q, time.Minute)); err != nil {
		t.Fatal(err)
	}
	srv.Restart()

	mustEnqueue(t, q, idempotency.Message{Key: "after"})
	d := mustDequeue(t, q, time.Minute)
	if d.Key != "after" || d.Attempt != 1 {
		t.Fatalf("delivery after restart = %+v", d)
	}
	if err := q.Ack(ctx, d); err != nil {
		t.Fatal(err)
	}
}

// TestRedisDown stops Redis under a Queue and a Store: calls fail with an
// error (no panic, no hang past the context), and work again once Redis is
// back.
func TestRedisDown(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.WithAppendOnly())
	client := newClient(t, srv)
	q := newQueue(t, client)
	store := newStore(t, client)

	mustEnqueue(t, q, idempotency.Message{Key: "up"})
	srv.Stop()

	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"enqueue", func(ctx context.Context) error {
			_, err := q.Enqueue(ctx, idempotency.Message{Key: "down"})
			return err
		}},
		{"dequeue", func(ctx context.Context) error { _, err := q.Dequeue(ctx, time.Minute); return err }},
		{"stats", func(ctx context.Context) error { _, err := q.Stats(ctx); return err }},
		{"begin", func(ctx context.Context) error { _, err := store.Begin(ctx, "k", time.Minute); return err }},
	}
	for _, c := range calls {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		start := time.Now()
		err := c.call(ctx)
		cancel()
		t.Logf("%s with Redis down: %v after %v", c.name, err, time.Since(start))
		if err == nil {
			t.Errorf("%s with Redis down returned nil error", c.name)
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with Redis down waited for the context (%v); want the connection error", c.name, err)
		}
		if errors.Is(err, idempotency.ErrQueueFull) || errors.Is(err, idempotency.ErrLeaseLost) {
			t.Errorf("%s with Redis down = %v, want a connection error, not a queue outcome", c.name, err)
		}
	}

	srv.Start()
	r := mustEnqueue(t, q, idempotency.Message{Key: "down"})
	if r.Duplicate {
		t.Errorf("Enqueue refused while down was recorded as a duplicate: %+v", r)
	}
	got := map[string]bool{}
	for range 2 {
		d := mustDequeue(t, q, time.Minute)
		got[d.Key] = true
		if err := q.Ack(ctxT(t), d); err != nil {
			t.Fatal(err)
		}
	}
	if !got["up"] || !got["down"] {
		t.Errorf("delivered %v after recovery, want up and down", got)
	}
	if c, err := store.Begin(ctxT(t), "k", time.Minute); err != nil || c.Status != idempotency.Claimed {
		t.Errorf("Begin after recovery = %+v, %v", c, err)
	}
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	tests := []struct {
		name string
		opt  idemredis.Option
	}{
		{"empty prefix", idemredis.WithPrefix("")},
		{"brace prefix", idemredis.WithPrefix("a{b}")},
		{"space prefix", idemredis.WithPrefix("a b")},
		{"empty group", idemredis.WithGroup("")},
		{"empty consumer", idemredis.WithConsumer("")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := idemredis.NewQueue(client, tc.opt); !errors.Is(err, idempotency.ErrInvalidArgument) {
				t.Errorf("NewQueue = %v, want ErrInvalidArgument", err)
			}
			if _, err := idemredis.NewStore(client, tc.opt); !errors.Is(err, idempotency.ErrInvalidArgument) {
				t.Errorf("NewStore = %v, want ErrInvalidArgument", err)
			}
		})
	}
	if _, err := idemredis.NewQueue(nil); !errors.Is(err, idempotency.ErrInvalidArgument) {
		t.Errorf("NewQueue(nil) = %v, want ErrInvalidArgument", err)
	}
	if _, err := idemredis.NewStore(nil); !errors.Is(err, idempotency.ErrInvalidArgument) {
		t.Errorf("NewStore(nil) = %v, want ErrInvalidArgument", err)
	}
}

package idemredis_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustEnqueue(t *testing.T, q idempotency.Queue, msg idempotency.Message) idempotency.EnqueueResult {
	t.Helper()
	r, err := q.Enqueue(ctxT(t), msg)
	if err != nil {
		t.Fatalf("Enqueue(%q): %v", msg.Key, err)
	}
	return r
}

func mustDequeue(t *testing.T, q idempotency.Queue, lease time.Duration) *idempotency.Delivery {
	t.Helper()
	d, err := q.Dequeue(ctxT(t), lease)
	if err != nil {
		t.Fatalf("Dequeue: %v", err)
	}
	return d
}

func TestQueueRoundTrip(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	q := newQueue(t, client)
	ctx := ctxT(t)

	body := []byte{0, 1, 2, 0xff, '\n', '"'}
	r := mustEnqueue(t, q, idempotency.Message{Key: "order-1", Body: body})
	if r.ID == "" || r.Duplicate {
		t.Fatalf("Enqueue = %+v, want a new ID", r)
	}
	dup := mustEnqueue(t, q, idempotency.Message{Key: "order-1", Body: []byte("other")})
	if !dup.Duplicate || dup.ID != r.ID {
		t.Fatalf("second Enqueue = %+v, want duplicate of %q", dup, r.ID)
	}
	d := mustDequeue(t, q, time.Minute)
	if d.ID != r.ID || d.Key != "order-1" || string(d.Body) != string(body) || d.Attempt != 1 || d.Priority != idempotency.PriorityHigh {
		t.Fatalf("delivery = %+v", d)
	}
	if !d.LeaseExpiresAt.After(d.EnqueuedAt) {
		t.Errorf("LeaseExpiresAt %v not after EnqueuedAt %v", d.LeaseExpiresAt, d.EnqueuedAt)
	}
	if err := q.Ack(ctx, d); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if err := q.Ack(ctx, d); !errors.Is(err, idempotency.ErrLeaseLost) {
		t.Fatalf("second Ack = %v, want ErrLeaseLost", err)
	}
	st, err := q.Stats(ctx)
	if err != nil || st.Depth() != 0 {
		t.Fatalf("Stats = %+v, %v; want empty", st, err)
	}
}

func TestQueuePriorityAndRetry(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	q := newQueue(t, client)
	ctx := ctxT(t)

	mustEnqueue(t, q, idempotency.Message{Key: "low", Priority: idempotency.PriorityLow})
	mustEnqueue(t, q, idempotency.Message{Key: "high"})
	d := mustDequeue(t, q, time.Minute)
	if d.Key != "high" {
		t.Fatalf("first Dequeue = %q, want high", d.Key)
	}
	if err := q.Retry(ctx, d, 50*time.Millisecond); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	st, err := q.Stats(ctx)
	if err != nil || st.Delayed != 1 || st.ReadyByPriority[idempotency.PriorityLow] != 1 {
		t.Fatalf("Stats = %+v, %v; want 1 delayed, 1 low ready", st, err)
	}
	d2 := mustDequeue(t, q, time.Minute)
	if d2.Key != "low" {
		t.Fatalf("second Dequeue = %q, want low (high is delayed)", d2.Key)
	}
	d3 := mustDequeue(t, q, time.Minute)
	if d3.Key != "high" || d3.Attempt != 2 || d3.ID != d.ID || !d3.EnqueuedAt.Equal(d.EnqueuedAt) {
		t.Fatalf("retried delivery = %+v, want high attempt 2 with ID %q", d3, d.ID)
	}
	if err := q.Ack(ctx, d); !errors.Is(err, idempotency.ErrLeaseLost) {
		t.Errorf("Ack of the retried delivery = %v, want ErrLeaseLost", err)
	}
}

func TestQueueLeaseExpiryRedelivers(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	ctx := ctxT(t)
	prefix := freshPrefix(t)
	a, err := idemredis.NewQueue(client, idemredis.WithPrefix(prefix), idemredis.WithConsumer("a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := idemredis.NewQueue(client, idemredis.WithPrefix(prefix), idemredis.WithConsumer("b"))
	if err != nil {
		t.Fatal(err)
	}

	mustEnqueue(t, a, idempotency.Message{Key: "k"})
	first := mustDequeue(t, a, 100*time.Millisecond)
	// b waits for the lease to end and gets the same message again.
	second := mustDequeue(t, b, time.Minute)
	if second.ID != first.ID || second.Attempt != 2 || second.Token == first.Token {
		t.Fatalf("redelivery = %+v, first = %+v", second, first)
	}
	if err := a.Ack(ctx, first); !errors.Is(err, idempotency.ErrLeaseLost) {
		t.Fatalf("Ack by the dead consumer = %v, want ErrLeaseLost", err)
	}
	if err := a.DeadLetter(ctx, first, "x"); !errors.Is(err, idempotency.ErrLeaseLost) {
		t.Fatalf("DeadLetter by the dead consumer = %v, want ErrLeaseLost", err)
	}
	if err := b.Ack(ctx, second); err != nil {
		t.Fatalf("Ack by the live consumer: %v", err)
	}
}

func TestQueueDeadLetterReplayDelete(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	q := newQueue(t, client)
	ctx := ctxT(t)

	r := mustEnqueue(t, q, idempotency.Message{Key: "bad", Body: []byte("b"), Priority: idempotency.PriorityLow})
	d := mustDequeue(t, q, time.Minute)
	if err := q.DeadLetter(ctx, d, "cannot map"); err != nil {
		t.Fatalf("DeadLetter: %v", err)
	}
	dls, err := q.DeadLetters(ctx, 0)
	if err != nil || len(dls) != 1 {
		t.Fatalf("DeadLetters = %v, %v", dls, err)
	}
	dl := dls[0]
	if dl.ID != r.ID || dl.Key != "bad" || string(dl.Body) != "b" || dl.Reason != "cannot map" ||
		dl.Attempt != 1 || dl.Priority != idempotency.PriorityLow || dl.FailedAt.Before(dl.EnqueuedAt) {
		t.Fatalf("dead letter = %+v", dl)
	}
	if err := q.Replay(ctx, "nope"); !errors.Is(err, idempotency.ErrNotFound) {
		t.Errorf("Replay(unknown) = %v, want ErrNotFound", err)
	}
	if err := q.Replay(ctx, r.ID); err != nil {
		t.Fatalf("Replay: %v", err)
	}
	d2 := mustDequeue(t, q, time.Minute)
	if d2.ID != r.ID || d2.Attempt != 1 || d2.Priority != idempotency.PriorityLow {
		t.Fatalf("replayed delivery = %+v", d2)
	}
	if err := q.DeadLetter(ctx, d2, "again"); err != nil {
		t.Fatal(err)
	}
	if err := q.DeleteDeadLetter(ctx, r.ID); err != nil {
		t.Fatalf("DeleteDeadLetter: %v", err)
	}
	if err := q.DeleteDeadLetter(ctx, r.ID); !errors.Is(err, idempotency.ErrNotFound) {
		t.Errorf("second DeleteDeadLetter = %v, want ErrNotFound", err)
	}
	if st, err := q.Stats(ctx); err != nil || st.Dead != 0 || st.Depth() != 0 {
		t.Errorf("Stats = %+v, %v; want empty", st, err)
	}
}

func TestQueueCapacity(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	q := newQueue(t, client, idemredis.WithOptions(idempotency.WithCapacity(2)))
	mustEnqueue(t, q, idempotency.Message{Key: "a"})
	mustEnqueue(t, q, idempotency.Message{Key: "b"})
	if _, err := q.Enqueue(ctxT(t), idempotency.Message{Key: "c"}); !errors.Is(err, idempotency.ErrQueueFull) {
		t.Fatalf("third Enqueue = %v, want ErrQueueFull", err)
	}
	if r := mustEnqueue(t, q, idempotency.Message{Key: "a"}); !r.Duplicate {
		t.Errorf("duplicate on a full queue = %+v, want Duplicate", r)
	}
	d := mustDequeue(t, q, time.Minute)
	if err := q.Ack(ctxT(t), d); err != nil {
		t.Fatal(err)
	}
	// "c" was refused, so its key was not recorded: it goes in now.
	if r := mustEnqueue(t, q, idempotency.Message{Key: "c"}); r.Duplicate {
		t.Errorf("Enqueue after room was made = %+v, want new", r)
	}
}

func TestQueueInvalidArguments(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	q := newQueue(t, client)
	ctx := ctxT(t)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"empty key", func() error { _, err := q.Enqueue(ctx, idempotency.Message{}); return err }, idempotency.ErrInvalidArgument},
		{"bad priority", func() error {
			_, err := q.Enqueue(ctx, idempotency.Message{Key: "k", Priority: 7})
			return err
		}, idempotency.ErrInvalidArgument},
		{"nil delivery", func() error { return q.Ack(ctx, nil) }, idempotency.ErrInvalidArgument},
		{"garbage token", func() error { return q.Ack(ctx, &idempotency.Delivery{Token: "x"}) }, idempotency.ErrInvalidArgument},
		{"range token", func() error { return q.Retry(ctx, &idempotency.Delivery{Token: "0|-|1|5"}, 0) }, idempotency.ErrInvalidArgument},
		{"unknown entry", func() error { return q.Ack(ctx, &idempotency.Delivery{Token: "0|1-0|1|5"}) }, idempotency.ErrLeaseLost},
		{"empty replay id", func() error { return q.Replay(ctx, "") }, idempotency.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// blockedClients returns the number of clients the server holds in a
// blocking command (INFO clients, blocked_clients).
func blockedClients(t *testing.T, client *redis.Client) int {
	t.Helper()
	info, err := client.Info(ctxT(t), "clients").Result()
	if err != nil {
		t.Fatalf("INFO clients: %v", err)
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "blocked_clients:"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("INFO clients: %q", line)
			}
			return n
		}
	}
	t.Fatalf("INFO clients has no blocked_clients:\n%s", info)
	return 0
}

// waitBlocked returns once the server reports n clients blocked, so that a
// Dequeue is known to wait in XREAD BLOCK, not about to. The server must be
// the test's own.
func waitBlocked(t *testing.T, client *redis.Client, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); blockedClients(t, client) < n; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no Dequeue blocked on the server after 10 s")
		}
	}
}

// TestBlockedDequeueWakes has a Dequeue wait in XREAD BLOCK, with a block
// timeout of an hour so that only the event under test can end the wait
// within the test's bound, and checks that the event ends it: a new
// message, a canceled context, Close.
func TestBlockedDequeueWakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		event func(t *testing.T, q *idemredis.Queue, cancel context.CancelFunc)
		check func(t *testing.T, d *idempotency.Delivery, err error)
	}{
		{"new message", func(t *testing.T, q *idemredis.Queue, _ context.CancelFunc) {
			mustEnqueue(t, q, idempotency.Message{Key: "wake"})
		}, func(t *testing.T, d *idempotency.Delivery, err error) {
			if err != nil || d.Key != "wake" {
				t.Fatalf("Dequeue = %+v, %v; want the message enqueued while it waited", d, err)
			}
		}},
		{"cancel", func(t *testing.T, _ *idemredis.Queue, cancel context.CancelFunc) { cancel() },
			func(t *testing.T, d *idempotency.Delivery, err error) {
				if err != context.Canceled {
					t.Fatalf("Dequeue = %+v, %v; want context.Canceled unwrapped", d, err)
				}
			}},
		{"close", func(t *testing.T, q *idemredis.Queue, _ context.CancelFunc) {
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, d *idempotency.Delivery, err error) {
			if !errors.Is(err, idempotency.ErrClosed) {
				t.Fatalf("Dequeue = %+v, %v; want ErrClosed", d, err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := newClient(t, redistest.Start(t))
			q := newQueue(t, client, idemredis.WithBlockTimeout(time.Hour))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			type result struct {
				d   *idempotency.Delivery
				err error
			}
			done := make(chan result, 1)
			go func() {
				d, err := q.Dequeue(ctx, time.Minute)
				done <- result{d, err}
			}()
			waitBlocked(t, client, 1)
			select {
			case r := <-done:
				t.Fatalf("Dequeue returned %+v, %v before the event", r.d, r.err)
			default:
			}
			tc.event(t, q, cancel)
			select {
			case r := <-done:
				tc.check(t, r.d, r.err)
			case <-time.After(30 * time.Second):
				t.Fatal("Dequeue still waiting 30 s after the event; only the hour-long block timeout would end it")
			}
		})
	}
}

func TestQueueCloseRefusesCalls(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	q := newQueue(t, client)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctxT(t), idempotency.Message{Key: "k"}); !errors.Is(err, idempotency.ErrClosed) {
		t.Fatalf("Enqueue after Close = %v, want ErrClosed", err)
	}
	if _, err := q.Stats(ctxT(t)); !errors.Is(err, idempotency.ErrClosed) {
		t.Fatalf("Stats after Close = %v, want ErrClosed", err)
	}
	if err := q.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

func TestDequeueContextCanceled(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	q := newQueue(t, client)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := q.Dequeue(ctx, time.Minute); err != context.DeadlineExceeded {
		t.Fatalf("Dequeue on an empty queue = %v, want context.DeadlineExceeded unwrapped", err)
	}
}

func TestDrainLeavesNoResidue(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	prefix := freshPrefix(t)
	q, err := idemredis.NewQueue(client, idemredis.WithPrefix(prefix), idemredis.WithOptions(idempotency.WithDedupWindow(0)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	const n = 300
	for i := range n {
		mustEnqueue(t, q, idempotency.Message{Key: fmt.Sprint(i), Body: make([]byte, 100), Priority: idempotency.Priority(i % 2)})
	}
	for range n {
		d := mustDequeue(t, q, time.Minute)
		if err := q.Ack(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"{" + prefix + "}:q:high", "{" + prefix + "}:q:low"} {
		if l := client.XLen(ctx, key).Val(); l != 0 {
			t.Errorf("XLEN %s = %d after draining, want 0", key, l)
		}
	}
	keys := client.Keys(ctx, "{"+prefix+"}:*").Val()
	for _, k := range keys {
		if typ := client.Type(ctx, k).Val(); typ != "stream" {
			t.Errorf("key %s (%s) left after draining; only the empty streams should remain", k, typ)
		}
	}
}

// TestStatsCountsDueRetriesAsReady checks that a retry whose delay has
// passed counts as ready even before any Dequeue moved it.
func TestStatsCountsDueRetriesAsReady(t *testing.T) {
	t.Parallel()
	client := newClient(t, redistest.Start(t))
	q := newQueue(t, client)
	ctx := ctxT(t)
	mustEnqueue(t, q, idempotency.Message{Key: "k", Priority: idempotency.PriorityLow})
	if err := q.Retry(ctx, mustDequeue(t, q, time.Minute), 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := q.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Delayed == 0 {
			if st.Ready != 1 || st.ReadyByPriority[idempotency.PriorityLow] != 1 || st.InFlight != 0 {
				t.Fatalf("Stats after the delay = %+v, want 1 low ready", st)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("retry still delayed 5 s after a delay of 100 ms: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

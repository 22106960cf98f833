package idempotency_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// Tests that move time run in a synctest bubble, whose fake clock the
// MemoryQueue reads through the time package, and use synctest.Wait to
// know that a Dequeue is blocked rather than sleeping to make it likely.

// nextNow dequeues a message that Stats says is ready, so it never blocks.
func nextNow(t *testing.T, q *idempotency.MemoryQueue, lease time.Duration) *idempotency.Delivery {
	t.Helper()
	s, err := q.Stats(t.Context())
	if err != nil || s.Ready == 0 {
		t.Fatalf("Stats = %+v, %v; want a ready message", s, err)
	}
	d, err := q.Dequeue(t.Context(), lease)
	if err != nil {
		t.Fatalf("Dequeue: %v", err)
	}
	return d
}

// dequeueAsync starts a Dequeue and returns the channel its result arrives
// on.
func dequeueAsync(ctx context.Context, q *idempotency.MemoryQueue, lease time.Duration) <-chan result {
	ch := make(chan result, 1)
	go func() {
		d, err := q.Dequeue(ctx, lease)
		ch <- result{d, err}
	}()
	return ch
}

type result struct {
	d   *idempotency.Delivery
	err error
}

// pending fails t if ch already holds a result: the Dequeue must still be
// blocked. Call it after synctest.Wait.
func pending(t *testing.T, what string, ch <-chan result) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("%s: Dequeue returned %+v, %v; want it still blocked", what, r.d, r.err)
	default:
	}
}

func TestMemoryQueueCapacity(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	q := idempotency.NewMemoryQueue(idempotency.WithCapacity(2))
	for _, k := range []string{"a", "b"} {
		if _, err := q.Enqueue(ctx, idempotency.Message{Key: k}); err != nil {
			t.Fatalf("Enqueue(%s): %v", k, err)
		}
	}
	_, err := q.Enqueue(ctx, idempotency.Message{Key: "c"})
	if !errors.Is(err, idempotency.ErrQueueFull) {
		t.Fatalf("Enqueue beyond capacity: %v, want ErrQueueFull", err)
	}
	r, err := q.Enqueue(ctx, idempotency.Message{Key: "a"})
	if err != nil || !r.Duplicate {
		t.Fatalf("duplicate on a full queue = %+v, %v; want Duplicate and no error", r, err)
	}
	// Dead letters keep their place; deleting one frees it.
	d := nextNow(t, q, time.Minute)
	if err := q.DeadLetter(ctx, d, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, idempotency.Message{Key: "c"}); !errors.Is(err, idempotency.ErrQueueFull) {
		t.Fatalf("Enqueue with a dead letter holding a place: %v, want ErrQueueFull", err)
	}
	if err := q.DeleteDeadLetter(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	// The rejected key was not recorded, so it is queued now, not a duplicate.
	r, err = q.Enqueue(ctx, idempotency.Message{Key: "c"})
	if err != nil || r.Duplicate {
		t.Fatalf("Enqueue after space was freed = %+v, %v; want a new message", r, err)
	}
}

func TestMemoryQueueLease(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		q := idempotency.NewMemoryQueue()
		defer q.Close()
		if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: "k"}); err != nil {
			t.Fatal(err)
		}
		d1 := nextNow(t, q, 10*time.Second)
		if !d1.EnqueuedAt.Equal(start) || !d1.LeaseExpiresAt.Equal(start.Add(10*time.Second)) {
			t.Fatalf("EnqueuedAt %v LeaseExpiresAt %v, want %v and 10 s later", d1.EnqueuedAt, d1.LeaseExpiresAt, start)
		}
		got := dequeueAsync(t.Context(), q, time.Minute)
		time.Sleep(10*time.Second - time.Nanosecond)
		synctest.Wait()
		pending(t, "1 ns before the lease ends", got)
		if s, _ := q.Stats(t.Context()); s.InFlight != 1 {
			t.Fatalf("Stats 1 ns before the lease ends = %+v, want 1 in flight", s)
		}
		time.Sleep(time.Nanosecond)
		r := <-got
		if r.err != nil || r.d.ID != d1.ID || r.d.Attempt != 2 {
			t.Fatalf("redelivery = %+v, %v; want %s at attempt 2", r.d, r.err, d1.ID)
		}
		if err := q.Ack(t.Context(), d1); !errors.Is(err, idempotency.ErrLeaseLost) {
			t.Fatalf("Ack of the first delivery: %v, want ErrLeaseLost", err)
		}
	})
}

func TestMemoryQueueRetryDelay(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := idempotency.NewMemoryQueue()
		defer q.Close()
		if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: "k", Priority: idempotency.PriorityLow}); err != nil {
			t.Fatal(err)
		}
		d := nextNow(t, q, time.Hour)
		if err := q.Retry(t.Context(), d, time.Minute); err != nil {
			t.Fatal(err)
		}
		got := dequeueAsync(t.Context(), q, time.Hour)
		synctest.Wait()
		pending(t, "retry delayed", got)
		// A high message enqueued meanwhile is delivered at once, before the
		// retried low one is due.
		if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: "live"}); err != nil {
			t.Fatal(err)
		}
		if live := <-got; live.err != nil || live.d.Key != "live" {
			t.Fatalf("got %+v, %v; want the live message", live.d, live.err)
		}
		got = dequeueAsync(t.Context(), q, time.Hour)
		time.Sleep(time.Minute - time.Millisecond)
		synctest.Wait()
		pending(t, "1 ms before the delay ends", got)
		if s, _ := q.Stats(t.Context()); s.Delayed != 1 || s.Ready != 0 {
			t.Fatalf("Stats before the delay ends = %+v, want 1 delayed", s)
		}
		time.Sleep(time.Millisecond)
		if r := <-got; r.err != nil || r.d.ID != d.ID || r.d.Attempt != 2 {
			t.Fatalf("retried delivery = %+v, %v; want %s at attempt 2", r.d, r.err, d.ID)
		}
	})
}

func TestMemoryQueueDedupWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := idempotency.NewMemoryQueue(idempotency.WithDedupWindow(time.Hour))
		defer q.Close()
		enq := func() idempotency.EnqueueResult {
			r, err := q.Enqueue(t.Context(), idempotency.Message{Key: "evt"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		first := enq()
		tests := []struct {
			advance time.Duration
			dup     bool
		}{
			{0, true},
			{time.Hour - time.Nanosecond, true},
			{time.Nanosecond, false},
			{time.Minute, true},
		}
		for i, tc := range tests {
			time.Sleep(tc.advance)
			r := enq()
			if r.Duplicate != tc.dup {
				t.Fatalf("step %d: Duplicate = %v, want %v", i, r.Duplicate, tc.dup)
			}
			if tc.dup && i == 0 && r.ID != first.ID {
				t.Fatalf("duplicate ID %q, want %q", r.ID, first.ID)
			}
		}
	})
}

// TestMemoryQueueCloseWakesAll closes the queue while three Dequeue calls
// are blocked in it: each must return ErrClosed.
func TestMemoryQueueCloseWakesAll(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := idempotency.NewMemoryQueue()
		var waiting []<-chan result
		for range 3 {
			waiting = append(waiting, dequeueAsync(context.Background(), q, 0))
		}
		synctest.Wait()
		for _, ch := range waiting {
			pending(t, "before Close", ch)
		}
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
		for _, ch := range waiting {
			if r := <-ch; !errors.Is(r.err, idempotency.ErrClosed) {
				t.Fatalf("Dequeue blocked at Close: %+v, %v; want ErrClosed", r.d, r.err)
			}
		}
		if _, err := q.Stats(t.Context()); !errors.Is(err, idempotency.ErrClosed) {
			t.Fatalf("Stats after Close: %v, want ErrClosed", err)
		}
	})
}

// TestMemoryQueueWakeHandoff has many consumers wait, some of which give up,
// while messages arrive one at a time: no message may be left waiting while
// a consumer sleeps. In the bubble a message left behind shows as a
// deadline passing with every consumer blocked.
func TestMemoryQueueWakeHandoff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := idempotency.NewMemoryQueue()
		defer q.Close()
		const n = 200
		got := make(chan string, n)
		stop, cancel := context.WithCancel(t.Context())
		defer cancel()
		for i := range 8 {
			go func() {
				for stop.Err() == nil {
					ctx, c := stop, context.CancelFunc(func() {})
					if i%2 == 0 { // half the consumers keep giving up and coming back
						ctx, c = context.WithTimeout(stop, time.Millisecond)
					}
					d, err := q.Dequeue(ctx, time.Minute)
					c()
					if err == nil {
						_ = q.Ack(stop, d)
						got <- d.Key
					}
				}
			}()
		}
		for i := range n {
			if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: strconv.Itoa(i)}); err != nil {
				t.Fatal(err)
			}
		}
		seen := make(map[string]bool, n)
		timeout := time.After(time.Hour)
		for len(seen) < n {
			select {
			case k := <-got:
				if seen[k] {
					t.Fatalf("message %s delivered twice", k)
				}
				seen[k] = true
			case <-timeout:
				t.Fatalf("received %d of %d messages", len(seen), n)
			}
		}
	})
}

func TestMemoryQueueDefaultLease(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		q := idempotency.NewMemoryQueue(idempotency.WithLease(time.Minute))
		if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: "k"}); err != nil {
			t.Fatal(err)
		}
		d := nextNow(t, q, 0)
		if !d.LeaseExpiresAt.Equal(start.Add(time.Minute)) {
			t.Fatalf("LeaseExpiresAt %v with lease 0, want the configured minute", d.LeaseExpiresAt)
		}
	})
}

func TestMemoryQueueCanceledContext(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := q.Enqueue(ctx, idempotency.Message{Key: "k"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Enqueue: %v, want context.Canceled", err)
	}
	if s, err := q.Stats(t.Context()); err != nil || s.Depth() != 0 {
		t.Fatalf("Stats = %+v, %v; want an empty queue", s, err)
	}
}

// TestMemoryQueueSignalPassedOn has the consumer that a new message wakes
// give up at that very moment: another blocked consumer must get it. A hook
// holds the quitter between its wake-up (its context ended) and its handling
// of it, and the message arrives in that gap, so its signal goes to the
// quitter; only passing it on reaches the second consumer.
func TestMemoryQueueSignalPassedOn(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := idempotency.NewMemoryQueue()
		defer q.Close()
		woke, proceed := make(chan struct{}), make(chan struct{})
		idempotency.SetAfterWake(q, func(err error) {
			if errors.Is(err, context.Canceled) { // the quitter, whose context ended
				close(woke)
				<-proceed
			}
		})
		quitCtx, quit := context.WithCancel(t.Context())
		quitter := dequeueAsync(quitCtx, q, time.Minute)
		synctest.Wait() // the quitter waits first, so a signal goes to it
		waitCtx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		waiter := dequeueAsync(waitCtx, q, time.Minute)
		synctest.Wait()
		quit()
		<-woke
		r, err := q.Enqueue(t.Context(), idempotency.Message{Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		close(proceed)
		if got := <-quitter; !errors.Is(got.err, context.Canceled) {
			t.Fatalf("quitter: %+v, %v; want context.Canceled", got.d, got.err)
		}
		got := <-waiter
		if got.err != nil || got.d.ID != r.ID {
			t.Fatalf("second consumer: %+v, %v; want message %s (the wake-up was not passed on)", got.d, got.err, r.ID)
		}
	})
}

// TestMemoryQueueEarlierDeadlineWakes retries a message with a delay shorter
// than the lease a blocked consumer is timing: the consumer must wake for
// the earlier deadline.
func TestMemoryQueueEarlierDeadlineWakes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := idempotency.NewMemoryQueue()
		defer q.Close()
		for _, k := range []string{"a", "b"} {
			if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: k}); err != nil {
				t.Fatal(err)
			}
		}
		nextNow(t, q, time.Hour) // a, whose lease the consumer will time
		b := nextNow(t, q, time.Hour)
		got := dequeueAsync(t.Context(), q, time.Hour)
		synctest.Wait() // timing the leases, an hour away
		if err := q.Retry(t.Context(), b, time.Minute); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		select {
		case r := <-got:
			if r.err != nil || r.d.ID != b.ID {
				t.Fatalf("got %+v, %v; want the retried %s", r.d, r.err, b.ID)
			}
		default:
			t.Fatal("blocked Dequeue did not wake for a retry due before the lease it was timing")
		}
	})
}

// TestMemoryQueueOldestAndFirstFailure follows Stats.Oldest and the
// dead-letter times on the bubble's clock, to the nanosecond.
func TestMemoryQueueOldestAndFirstFailure(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		start := time.Now()
		q := idempotency.NewMemoryQueue()
		defer q.Close()
		if _, err := q.Enqueue(ctx, idempotency.Message{Key: "a"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if _, err := q.Enqueue(ctx, idempotency.Message{Key: "b"}); err != nil {
			t.Fatal(err)
		}
		d := nextNow(t, q, time.Hour)
		time.Sleep(time.Second)
		if err := q.Retry(ctx, d, time.Minute); err != nil { // a fails first at start+2s
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		nextNow(t, q, time.Hour) // b
		d = nextNow(t, q, time.Hour)
		if d.Key != "a" {
			t.Fatalf("got %s, want a", d.Key)
		}
		if err := q.DeadLetter(ctx, d, "gave up"); err != nil { // at start+62s
			t.Fatal(err)
		}
		s, err := q.Stats(ctx)
		if err != nil || !s.Oldest.Equal(start.Add(time.Second)) {
			t.Fatalf("Stats = %+v, %v; want Oldest at b's enqueue, %v", s, err, start.Add(time.Second))
		}
		dl, err := q.DeadLetters(ctx, 0)
		if err != nil || len(dl) != 1 {
			t.Fatalf("DeadLetters = %+v, %v", dl, err)
		}
		if !dl[0].FirstFailedAt.Equal(start.Add(2*time.Second)) || !dl[0].FailedAt.Equal(start.Add(62*time.Second)) {
			t.Fatalf("dead letter %+v, want first failure at +2s, last at +62s", dl[0])
		}
	})
}

package idempotency_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// nextNow dequeues a message that Stats says is ready, so it never blocks.
func nextNow(t *testing.T, q idempotency.Queue, lease time.Duration) *idempotency.Delivery {
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

// dequeueAsync starts a Dequeue and returns the channel its result arrives on.
func dequeueAsync(t *testing.T, q idempotency.Queue, lease time.Duration) <-chan *idempotency.Delivery {
	t.Helper()
	ch := make(chan *idempotency.Delivery, 1)
	go func() {
		d, err := q.Dequeue(t.Context(), lease)
		if err != nil {
			t.Errorf("Dequeue: %v", err)
		}
		ch <- d
	}()
	return ch
}

// waitBlocked waits until a Dequeue sleeps on a timer of clk.
func waitBlocked(t *testing.T, clk *idemtest.Clock) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); clk.Waiters() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no Dequeue blocked on the clock")
		}
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

func TestMemoryQueueFakeClockLease(t *testing.T) {
	t.Parallel()
	clk := idemtest.NewClock(epoch)
	q := idempotency.NewMemoryQueue(idempotency.WithClock(clk))
	if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	d1 := nextNow(t, q, 10*time.Second)
	if !d1.EnqueuedAt.Equal(epoch) || !d1.LeaseExpiresAt.Equal(epoch.Add(10*time.Second)) {
		t.Fatalf("EnqueuedAt %v LeaseExpiresAt %v, want %v and 10 s later", d1.EnqueuedAt, d1.LeaseExpiresAt, epoch)
	}
	got := dequeueAsync(t, q, time.Minute)
	waitBlocked(t, clk)
	clk.Advance(10*time.Second - time.Nanosecond)
	if s, _ := q.Stats(t.Context()); s.InFlight != 1 {
		t.Fatalf("Stats 1 ns before the lease ends = %+v, want 1 in flight", s)
	}
	clk.Advance(time.Nanosecond)
	d2 := <-got
	if d2 == nil || d2.ID != d1.ID || d2.Attempt != 2 {
		t.Fatalf("redelivery = %+v, want %s at attempt 2", d2, d1.ID)
	}
	if err := q.Ack(t.Context(), d1); !errors.Is(err, idempotency.ErrLeaseLost) {
		t.Fatalf("Ack of the first delivery: %v, want ErrLeaseLost", err)
	}
}

func TestMemoryQueueFakeClockRetryDelay(t *testing.T) {
	t.Parallel()
	clk := idemtest.NewClock(epoch)
	q := idempotency.NewMemoryQueue(idempotency.WithClock(clk))
	if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: "k", Priority: idempotency.PriorityLow}); err != nil {
		t.Fatal(err)
	}
	d := nextNow(t, q, time.Hour)
	if err := q.Retry(t.Context(), d, time.Minute); err != nil {
		t.Fatal(err)
	}
	got := dequeueAsync(t, q, time.Hour)
	waitBlocked(t, clk)
	// A high message enqueued meanwhile is delivered at once, before the
	// retried low one is due.
	if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: "live"}); err != nil {
		t.Fatal(err)
	}
	if live := <-got; live == nil || live.Key != "live" {
		t.Fatalf("got %+v, want the live message", live)
	}
	got = dequeueAsync(t, q, time.Hour)
	waitBlocked(t, clk)
	clk.Advance(time.Minute - time.Millisecond)
	if s, _ := q.Stats(t.Context()); s.Delayed != 1 || s.Ready != 0 {
		t.Fatalf("Stats before the delay ends = %+v, want 1 delayed", s)
	}
	clk.Advance(time.Millisecond)
	if r := <-got; r == nil || r.ID != d.ID || r.Attempt != 2 {
		t.Fatalf("retried delivery = %+v, want %s at attempt 2", r, d.ID)
	}
}

func TestMemoryQueueFakeClockDedupWindow(t *testing.T) {
	t.Parallel()
	clk := idemtest.NewClock(epoch)
	q := idempotency.NewMemoryQueue(idempotency.WithClock(clk), idempotency.WithDedupWindow(time.Hour))
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
		clk.Advance(tc.advance)
		r := enq()
		if r.Duplicate != tc.dup {
			t.Fatalf("step %d: Duplicate = %v, want %v", i, r.Duplicate, tc.dup)
		}
		if tc.dup && i == 0 && r.ID != first.ID {
			t.Fatalf("duplicate ID %q, want %q", r.ID, first.ID)
		}
	}
}

func TestMemoryQueueCloseWakesAll(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue()
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := q.Dequeue(context.Background(), 0)
			errs <- err
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-errs; !errors.Is(err, idempotency.ErrClosed) {
			t.Fatalf("Dequeue after Close: %v, want ErrClosed", err)
		}
	}
	if _, err := q.Stats(t.Context()); !errors.Is(err, idempotency.ErrClosed) {
		t.Fatalf("Stats after Close: %v, want ErrClosed", err)
	}
}

// TestMemoryQueueWakeHandoff has many consumers wait, some of which give up,
// while messages arrive one at a time: no message may be left waiting while
// a consumer sleeps.
func TestMemoryQueueWakeHandoff(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue()
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
	timeout := time.After(10 * time.Second)
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
}

func TestMemoryQueueDefaultLease(t *testing.T) {
	t.Parallel()
	clk := idemtest.NewClock(epoch)
	q := idempotency.NewMemoryQueue(idempotency.WithClock(clk), idempotency.WithLease(time.Minute))
	if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	d := nextNow(t, q, 0)
	if !d.LeaseExpiresAt.Equal(epoch.Add(time.Minute)) {
		t.Fatalf("LeaseExpiresAt %v with lease 0, want the configured minute", d.LeaseExpiresAt)
	}
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
// give up at that very moment: another blocked consumer must get it.
func TestMemoryQueueSignalPassedOn(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue()
	for round := range 20 {
		quitters, quit := context.WithCancel(t.Context())
		for range 4 {
			go func() { _, _ = q.Dequeue(quitters, time.Minute) }()
		}
		time.Sleep(2 * time.Millisecond) // let the quitters queue up first
		got := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			d, err := q.Dequeue(ctx, time.Minute)
			if err == nil {
				err = q.Ack(ctx, d)
			}
			got <- err
		}()
		time.Sleep(2 * time.Millisecond)
		quit()
		if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: strconv.Itoa(round)}); err != nil {
			t.Fatal(err)
		}
		if err := <-got; err != nil {
			// A quitter may have taken the message before it saw its
			// context end; then it is in flight, not lost.
			if s, _ := q.Stats(t.Context()); s.InFlight != 1 {
				t.Fatalf("round %d: waiting consumer got %v and the message is not in flight: %+v", round, err, s)
			}
			t.Logf("round %d: a quitter took the message", round)
			return
		}
	}
}

// TestMemoryQueueEarlierDeadlineWakes retries a message with a delay shorter
// than the lease a blocked consumer is timing: the consumer must wake for
// the earlier deadline.
func TestMemoryQueueEarlierDeadlineWakes(t *testing.T) {
	t.Parallel()
	clk := idemtest.NewClock(epoch)
	q := idempotency.NewMemoryQueue(idempotency.WithClock(clk))
	for _, k := range []string{"a", "b"} {
		if _, err := q.Enqueue(t.Context(), idempotency.Message{Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	nextNow(t, q, time.Hour) // a, whose lease the consumer will time
	b := nextNow(t, q, time.Hour)
	got := dequeueAsync(t, q, time.Hour)
	waitBlocked(t, clk) // timing the leases, an hour away
	if err := q.Retry(t.Context(), b, time.Minute); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	select {
	case d := <-got:
		if d == nil || d.ID != b.ID {
			t.Fatalf("got %+v, want the retried %s", d, b.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("blocked Dequeue did not wake for a retry due before the lease it was timing")
	}
}

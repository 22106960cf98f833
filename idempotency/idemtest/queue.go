package idemtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// slack absorbs the rounding of implementations that keep time in whole
// milliseconds when the suite checks that something did not happen early.
const slack = 5 * time.Millisecond

// blockPause is how long the Cancellation and Close cases let a Dequeue
// start waiting before they cancel it or close the queue. The suite cannot
// see inside an implementation, so it cannot know that the Dequeue is
// blocked yet; what it asserts (the call returns with the right error)
// holds either way. Each implementation's own tests pin the blocked path
// down: MemoryQueue's in a synctest bubble (synctest.Wait), the Redis
// queue's by waiting until the server reports the client blocked.
const blockPause = 50 * time.Millisecond

type queueCase struct {
	name string
	opts []idempotency.Option
	run  func(t *testing.T, q subject)
}

func queueCases(cfg Config) []queueCase {
	window := 4 * cfg.Lease
	return []queueCase{
		{"EnqueueDequeueAck", nil, queueRoundTrip},
		{"BodyIsCopied", nil, queueBodyIsCopied},
		{"InvalidArguments", nil, queueInvalidArguments},
		{"PriorityOrder", nil, queuePriorityOrder},
		{"StatsByPriority", nil, queueStats},
		{"DedupWindow", []idempotency.Option{idempotency.WithDedupWindow(window)},
			func(t *testing.T, q subject) { queueDedup(t, q, cfg, window) }},
		{"DedupOff", []idempotency.Option{idempotency.WithDedupWindow(0)}, queueDedupOff},
		{"RetryNow", nil, queueRetryNow},
		{"RetryDelay", nil, func(t *testing.T, q subject) { queueRetryDelay(t, q, cfg) }},
		{"LeaseExpiryRedelivers", nil, func(t *testing.T, q subject) { queueLeaseExpiry(t, q, cfg) }},
		{"AckAfterLeaseBeforeRedelivery", nil, func(t *testing.T, q subject) { queueLateAck(t, q, cfg) }},
		{"AckRace", nil, func(t *testing.T, q subject) { queueAckRace(t, q, cfg) }},
		{"DeadLetterAndReplay", nil, queueDeadLetterReplay},
		{"DeadLettersOrderAndDelete", nil, queueDeadLettersList},
		{"FirstFailedAt", nil, queueFirstFailedAt},
		{"StatsOldest", nil, queueOldest},
		{"Cancellation", nil, func(t *testing.T, q subject) { queueCancellation(t, q, cfg) }},
		{"Close", nil, func(t *testing.T, q subject) { queueClose(t, q, cfg) }},
		{"ConcurrentConsumers", nil, func(t *testing.T, q subject) { queueConcurrent(t, q, cfg) }},
		{"EnqueueDead", nil, queueEnqueueDead},
		{"EnqueueDeadCapacity", []idempotency.Option{idempotency.WithCapacity(2)}, queueEnqueueDeadFull},
	}
}

func queueRoundTrip(t *testing.T, q subject) {
	before := time.Now()
	r := enqueue(t, q, idempotency.Message{Key: "order-1", Body: []byte(`{"id":1}`), Priority: idempotency.PriorityLow})
	if r.ID == "" || r.Duplicate {
		t.Fatalf("Enqueue = %+v, want an ID and Duplicate false", r)
	}
	d := dequeue(t, q, longLease, 5*time.Second)
	after := time.Now()
	if d.ID != r.ID || d.Key != "order-1" || string(d.Body) != `{"id":1}` || d.Priority != idempotency.PriorityLow || d.Attempt != 1 {
		t.Fatalf("Delivery = %+v, want ID %q, key order-1, the body, priority low, attempt 1", d, r.ID)
	}
	if d.Token == "" {
		t.Fatal("Delivery.Token is empty")
	}
	if d.EnqueuedAt.Before(before.Add(-time.Second)) || d.EnqueuedAt.After(after.Add(time.Second)) {
		t.Errorf("EnqueuedAt %v, want between %v and %v", d.EnqueuedAt, before, after)
	}
	if !d.LeaseExpiresAt.After(after.Add(longLease / 2)) {
		t.Errorf("LeaseExpiresAt %v, want about %v after %v", d.LeaseExpiresAt, longLease, after)
	}
	if s := stats(t, q); s.InFlight != 1 || s.Ready != 0 {
		t.Errorf("Stats while in flight = %+v, want InFlight 1, Ready 0", s)
	}
	noErr(t, "Ack", q.Ack(t.Context(), d))
	wantErr(t, "second Ack", q.Ack(t.Context(), d), idempotency.ErrLeaseLost)
	wantErr(t, "Retry after Ack", q.Retry(t.Context(), d, 0), idempotency.ErrLeaseLost)
	wantErr(t, "DeadLetter after Ack", q.DeadLetter(t.Context(), d, "late"), idempotency.ErrLeaseLost)
	if s := stats(t, q); s.Depth() != 0 || s.Dead != 0 {
		t.Errorf("Stats after Ack = %+v, want empty", s)
	}
	wantEmpty(t, q, 300*time.Millisecond)
}

func queueBodyIsCopied(t *testing.T, q subject) {
	body := []byte("original")
	enqueue(t, q, idempotency.Message{Key: "a", Body: body})
	copy(body, "mutated!")
	enqueue(t, q, idempotency.Message{Key: "empty"})
	d := dequeue(t, q, longLease, 5*time.Second)
	if string(d.Body) != "original" {
		t.Errorf("Body = %q after the caller reused its slice, want %q", d.Body, "original")
	}
	e := dequeue(t, q, longLease, 5*time.Second)
	if e.Key != "empty" || len(e.Body) != 0 {
		t.Errorf("Delivery = %+v, want key empty with an empty body", e)
	}
}

func queueInvalidArguments(t *testing.T, q subject) {
	ctx := t.Context()
	cases := []struct {
		name string
		msg  idempotency.Message
	}{
		{"empty key", idempotency.Message{Body: []byte("x")}},
		{"priority -1", idempotency.Message{Key: "k", Priority: -1}},
		{"priority 2", idempotency.Message{Key: "k", Priority: 2}},
	}
	for _, c := range cases {
		_, err := q.Enqueue(ctx, c.msg)
		wantErr(t, "Enqueue with "+c.name, err, idempotency.ErrInvalidArgument)
	}
	wantErr(t, "Ack(nil)", q.Ack(ctx, nil), idempotency.ErrInvalidArgument)
	wantErr(t, "Retry(nil)", q.Retry(ctx, nil, 0), idempotency.ErrInvalidArgument)
	wantErr(t, "DeadLetter(nil)", q.DeadLetter(ctx, nil, "x"), idempotency.ErrInvalidArgument)
	forged := &idempotency.Delivery{ID: "no-such-id", Key: "k", Token: "no-such-token"}
	if err := q.Ack(ctx, forged); !errors.Is(err, idempotency.ErrLeaseLost) && !errors.Is(err, idempotency.ErrInvalidArgument) {
		t.Errorf("Ack of a forged delivery: error %v, want ErrLeaseLost or ErrInvalidArgument", err)
	}
	if s := stats(t, q); s.Depth() != 0 {
		t.Errorf("Stats after rejected calls = %+v, want empty", s)
	}
}

// queuePriorityOrder enqueues low messages before high ones: every high one
// must come out first, each priority in enqueue order.
func queuePriorityOrder(t *testing.T, q subject) {
	for i := range 3 {
		enqueue(t, q, idempotency.Message{Key: fmt.Sprintf("low-%d", i), Priority: idempotency.PriorityLow})
	}
	for i := range 3 {
		enqueue(t, q, idempotency.Message{Key: fmt.Sprintf("high-%d", i), Priority: idempotency.PriorityHigh})
	}
	want := []string{"high-0", "high-1", "high-2", "low-0", "low-1", "low-2"}
	for i, w := range want {
		d := dequeue(t, q, longLease, 5*time.Second)
		if d.Key != w {
			t.Fatalf("delivery %d: key %q, want %q", i, d.Key, w)
		}
		noErr(t, "Ack", q.Ack(t.Context(), d))
	}
}

func queueStats(t *testing.T, q subject) {
	for i := range 2 {
		enqueue(t, q, idempotency.Message{Key: fmt.Sprintf("h%d", i), Priority: idempotency.PriorityHigh})
	}
	for i := range 3 {
		enqueue(t, q, idempotency.Message{Key: fmt.Sprintf("l%d", i), Priority: idempotency.PriorityLow})
	}
	s := stats(t, q)
	if s.Ready != 5 || s.Delayed != 0 || s.InFlight != 0 || s.Dead != 0 ||
		s.ReadyByPriority[idempotency.PriorityHigh] != 2 || s.ReadyByPriority[idempotency.PriorityLow] != 3 {
		t.Fatalf("Stats = %+v, want 5 ready (2 high, 3 low)", s)
	}
	d := dequeue(t, q, longLease, 5*time.Second)
	s = stats(t, q)
	if s.Ready != 4 || s.InFlight != 1 || s.ReadyByPriority[idempotency.PriorityHigh] != 1 || s.Depth() != 5 {
		t.Fatalf("Stats after one Dequeue = %+v, want 4 ready (1 high), 1 in flight", s)
	}
	noErr(t, "Retry", q.Retry(t.Context(), d, time.Hour))
	d = dequeue(t, q, longLease, 5*time.Second)
	noErr(t, "DeadLetter", q.DeadLetter(t.Context(), d, "test"))
	s = stats(t, q)
	if s.Ready != 3 || s.Delayed != 1 || s.InFlight != 0 || s.Dead != 1 || s.Depth() != 4 {
		t.Fatalf("Stats after Retry and DeadLetter = %+v, want 3 ready, 1 delayed, 1 dead", s)
	}
}

// queueDedup checks that a repeated key inside the window is reported and
// queued once, even after the first was acknowledged, and that it is queued
// again once the window has passed.
func queueDedup(t *testing.T, q subject, cfg Config, window time.Duration) {
	start := time.Now()
	first := enqueue(t, q, idempotency.Message{Key: "evt", Body: []byte("1")})
	dup := enqueue(t, q, idempotency.Message{Key: "evt", Body: []byte("2")})
	if time.Since(start) < window-slack {
		if !dup.Duplicate || (dup.ID != "" && dup.ID != first.ID) {
			t.Fatalf("repeat inside the window = %+v, want Duplicate with ID %q or none", dup, first.ID)
		}
		if s := stats(t, q); s.Ready != 1 {
			t.Fatalf("Stats.Ready = %d after a duplicate, want 1", s.Ready)
		}
	}
	d := dequeue(t, q, longLease, cfg.Wait)
	if string(d.Body) != "1" {
		t.Fatalf("Body = %q, want the first message's %q", d.Body, "1")
	}
	noErr(t, "Ack", q.Ack(t.Context(), d))
	var again idempotency.EnqueueResult
	if !eventually(cfg.Wait+window, func() bool {
		again = enqueue(t, q, idempotency.Message{Key: "evt", Body: []byte("3")})
		return !again.Duplicate
	}) {
		t.Fatalf("key still a duplicate %v after a window of %v", cfg.Wait, window)
	}
	if elapsed := time.Since(start); elapsed < window-slack {
		t.Fatalf("key accepted again %v after the first Enqueue, inside the window of %v", elapsed, window)
	}
	if again.ID == first.ID {
		t.Fatalf("new message reused ID %q", first.ID)
	}
	d = dequeue(t, q, longLease, cfg.Wait)
	if string(d.Body) != "3" || d.Attempt != 1 {
		t.Fatalf("Delivery after the window = body %q attempt %d, want body 3 attempt 1", d.Body, d.Attempt)
	}
	noErr(t, "Ack", q.Ack(t.Context(), d))
	wantEmpty(t, q, 200*time.Millisecond)
}

func queueDedupOff(t *testing.T, q subject) {
	a := enqueue(t, q, idempotency.Message{Key: "same"})
	b := enqueue(t, q, idempotency.Message{Key: "same"})
	if a.Duplicate || b.Duplicate || a.ID == b.ID {
		t.Fatalf("with deduplication off: %+v and %+v, want two distinct messages", a, b)
	}
	for range 2 {
		noErr(t, "Ack", q.Ack(t.Context(), dequeue(t, q, longLease, 5*time.Second)))
	}
}

func queueRetryNow(t *testing.T, q subject) {
	r := enqueue(t, q, idempotency.Message{Key: "k", Body: []byte("b"), Priority: idempotency.PriorityLow})
	d1 := dequeue(t, q, longLease, 5*time.Second)
	noErr(t, "Retry", q.Retry(t.Context(), d1, 0))
	wantErr(t, "Ack of the retried delivery", q.Ack(t.Context(), d1), idempotency.ErrLeaseLost)
	d2 := dequeue(t, q, longLease, 5*time.Second)
	sameMessage(t, d1, d2)
	if d2.ID != r.ID || d2.Attempt != 2 || d2.Token == d1.Token {
		t.Fatalf("redelivery = %+v, want ID %q, attempt 2 and a new token", d2, r.ID)
	}
	noErr(t, "Ack", q.Ack(t.Context(), d2))
}

// queueRetryDelay checks that a retried message is not delivered before its
// delay and is delivered after it.
func queueRetryDelay(t *testing.T, q subject, cfg Config) {
	delay := 2 * cfg.Lease
	enqueue(t, q, idempotency.Message{Key: "k", Body: []byte("b")})
	d1 := dequeue(t, q, longLease, cfg.Wait)
	start := time.Now()
	noErr(t, "Retry", q.Retry(t.Context(), d1, delay))
	if s := stats(t, q); time.Since(start) < delay-slack && (s.Delayed != 1 || s.Ready != 0 || s.InFlight != 0) {
		t.Errorf("Stats during the delay = %+v, want 1 delayed", s)
	}
	d2 := dequeue(t, q, longLease, cfg.Wait+delay)
	if elapsed := time.Since(start); elapsed < delay-slack {
		t.Fatalf("retried message delivered %v after Retry, before its delay of %v", elapsed, delay)
	}
	sameMessage(t, d1, d2)
	if d2.Attempt != 2 {
		t.Fatalf("Attempt = %d after one Retry, want 2", d2.Attempt)
	}
	noErr(t, "Retry again", q.Retry(t.Context(), d2, 0))
	d3 := dequeue(t, q, longLease, cfg.Wait)
	if d3.Attempt != 3 {
		t.Fatalf("Attempt = %d after two Retries, want 3", d3.Attempt)
	}
	noErr(t, "Ack", q.Ack(t.Context(), d3))
}

// queueLeaseExpiry lets a delivery's lease end: the message must come back
// with a higher attempt, and the old delivery can no longer be finished.
func queueLeaseExpiry(t *testing.T, q subject, cfg Config) {
	enqueue(t, q, idempotency.Message{Key: "k", Body: []byte("b"), Priority: idempotency.PriorityLow})
	start := time.Now()
	d1 := dequeue(t, q, cfg.Lease, cfg.Wait)
	d2 := dequeue(t, q, longLease, cfg.Wait+cfg.Lease)
	if elapsed := time.Since(start); elapsed < cfg.Lease-slack {
		t.Fatalf("message delivered again %v after Dequeue, inside its lease of %v", elapsed, cfg.Lease)
	}
	sameMessage(t, d1, d2)
	if d2.Attempt != 2 || d2.Token == d1.Token {
		t.Fatalf("redelivery = attempt %d token %q, want attempt 2 and a token other than %q", d2.Attempt, d2.Token, d1.Token)
	}
	wantErr(t, "Ack of the expired delivery", q.Ack(t.Context(), d1), idempotency.ErrLeaseLost)
	wantErr(t, "Retry of the expired delivery", q.Retry(t.Context(), d1, 0), idempotency.ErrLeaseLost)
	wantErr(t, "DeadLetter of the expired delivery", q.DeadLetter(t.Context(), d1, "x"), idempotency.ErrLeaseLost)
	noErr(t, "Ack of the redelivery", q.Ack(t.Context(), d2))
	wantEmpty(t, q, 2*cfg.Lease)
}

func queueLateAck(t *testing.T, q subject, cfg Config) {
	enqueue(t, q, idempotency.Message{Key: "k"})
	d := dequeue(t, q, cfg.Lease, cfg.Wait)
	time.Sleep(2 * cfg.Lease)
	noErr(t, "Ack after the lease, before redelivery", q.Ack(t.Context(), d))
	wantEmpty(t, q, 2*cfg.Lease)
}

// queueAckRace acknowledges one delivery from many goroutines at once:
// exactly one Ack may succeed.
func queueAckRace(t *testing.T, q subject, cfg Config) {
	enqueue(t, q, idempotency.Message{Key: "k"})
	d := dequeue(t, q, longLease, cfg.Wait)
	errs := make([]error, cfg.Racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range cfg.Racers {
		wg.Go(func() {
			<-start
			errs[i] = q.Ack(t.Context(), d)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, idempotency.ErrLeaseLost):
			t.Errorf("Ack %d: %v, want nil or ErrLeaseLost", i, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent Acks succeeded, want 1", ok, cfg.Racers)
	}
}

func queueDeadLetterReplay(t *testing.T, q subject) {
	ctx := t.Context()
	r := enqueue(t, q, idempotency.Message{Key: "bad", Body: []byte("payload"), Priority: idempotency.PriorityLow})
	d := dequeue(t, q, longLease, 5*time.Second)
	noErr(t, "Retry", q.Retry(ctx, d, 0))
	d = dequeue(t, q, longLease, 5*time.Second)
	before := time.Now()
	noErr(t, "DeadLetter", q.DeadLetter(ctx, d, "no such customer"))
	wantErr(t, "Ack after DeadLetter", q.Ack(ctx, d), idempotency.ErrLeaseLost)
	if s := stats(t, q); s.Dead != 1 || s.Depth() != 0 {
		t.Fatalf("Stats = %+v, want 1 dead and nothing else", s)
	}
	dead, err := q.DeadLetters(ctx, 10)
	noErr(t, "DeadLetters", err)
	if len(dead) != 1 {
		t.Fatalf("DeadLetters = %d entries, want 1", len(dead))
	}
	dl := dead[0]
	if dl.ID != r.ID || dl.Key != "bad" || string(dl.Body) != "payload" || dl.Priority != idempotency.PriorityLow ||
		dl.Attempt != 2 || dl.Reason != "no such customer" || !dl.EnqueuedAt.Equal(d.EnqueuedAt) {
		t.Fatalf("DeadLetter = %+v, want the message at attempt 2 with its reason", dl)
	}
	if dl.FailedAt.Before(before.Add(-time.Second)) {
		t.Errorf("FailedAt = %v, want about %v", dl.FailedAt, before)
	}
	wantEmpty(t, q, 200*time.Millisecond)
	wantErr(t, "Replay of an unknown ID", q.Replay(ctx, "no-such-id"), idempotency.ErrNotFound)
	noErr(t, "Replay", q.Replay(ctx, r.ID))
	wantErr(t, "second Replay", q.Replay(ctx, r.ID), idempotency.ErrNotFound)
	again := dequeue(t, q, longLease, 5*time.Second)
	if again.ID != r.ID || again.Attempt != 1 || again.Priority != idempotency.PriorityLow || string(again.Body) != "payload" {
		t.Fatalf("replayed delivery = %+v, want ID %q, attempt 1, priority low, the body", again, r.ID)
	}
	noErr(t, "Ack of the replay", q.Ack(ctx, again))
	if dead, err := q.DeadLetters(ctx, 10); err != nil || len(dead) != 0 {
		t.Fatalf("DeadLetters after Replay = %d entries, %v; want none", len(dead), err)
	}
}

func queueDeadLettersList(t *testing.T, q subject) {
	ctx := t.Context()
	var ids []string
	for i := range 3 {
		ids = append(ids, enqueue(t, q, idempotency.Message{Key: fmt.Sprintf("k%d", i)}).ID)
		d := dequeue(t, q, longLease, 5*time.Second)
		noErr(t, "DeadLetter", q.DeadLetter(ctx, d, fmt.Sprintf("reason %d", i)))
	}
	two, err := q.DeadLetters(ctx, 2)
	noErr(t, "DeadLetters(2)", err)
	if len(two) != 2 || two[0].ID != ids[0] || two[1].ID != ids[1] || two[1].Reason != "reason 1" {
		t.Fatalf("DeadLetters(2) = %+v, want the two oldest (%v)", two, ids[:2])
	}
	all, err := q.DeadLetters(ctx, 0)
	noErr(t, "DeadLetters(0)", err)
	if len(all) != 3 {
		t.Fatalf("DeadLetters(0) = %d entries, want 3", len(all))
	}
	noErr(t, "DeleteDeadLetter", q.DeleteDeadLetter(ctx, ids[1]))
	wantErr(t, "second DeleteDeadLetter", q.DeleteDeadLetter(ctx, ids[1]), idempotency.ErrNotFound)
	wantErr(t, "Replay of a deleted dead letter", q.Replay(ctx, ids[1]), idempotency.ErrNotFound)
	rest, err := q.DeadLetters(ctx, 10)
	noErr(t, "DeadLetters", err)
	if len(rest) != 2 || rest[0].ID != ids[0] || rest[1].ID != ids[2] {
		t.Fatalf("DeadLetters after delete = %+v, want %q and %q", rest, ids[0], ids[2])
	}
	if s := stats(t, q); s.Dead != 2 {
		t.Fatalf("Stats.Dead = %d, want 2", s.Dead)
	}
}

// queueCancellation checks that a blocked Dequeue returns once its context
// ends, and that a message enqueued afterwards is still delivered.
func queueCancellation(t *testing.T, q subject, cfg Config) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := q.Dequeue(ctx, cfg.Lease)
		done <- err
	}()
	time.Sleep(blockPause)
	cancel()
	select {
	case err := <-done:
		wantErr(t, "Dequeue after cancel", err, context.Canceled)
	case <-time.After(cfg.Wait):
		t.Fatalf("Dequeue still blocked %v after its context was canceled", cfg.Wait)
	}
	_, err := q.Dequeue(timeout(t, 50*time.Millisecond), cfg.Lease)
	wantErr(t, "Dequeue with a deadline", err, context.DeadlineExceeded)
	r := enqueue(t, q, idempotency.Message{Key: "after-cancel"})
	d := dequeue(t, q, longLease, cfg.Wait+cfg.Lease)
	if d.ID != r.ID {
		t.Fatalf("delivery %q, want %q", d.ID, r.ID)
	}
	noErr(t, "Ack", q.Ack(t.Context(), d))
}

func queueClose(t *testing.T, q subject, cfg Config) {
	enqueue(t, q, idempotency.Message{Key: "k"})
	d := dequeue(t, q, longLease, cfg.Wait)
	done := make(chan error, 1)
	go func() {
		_, err := q.Dequeue(t.Context(), longLease)
		done <- err
	}()
	time.Sleep(blockPause)
	noErr(t, "Close", q.Close())
	select {
	case err := <-done:
		wantErr(t, "blocked Dequeue after Close", err, idempotency.ErrClosed)
	case <-time.After(cfg.Wait):
		t.Fatalf("Dequeue still blocked %v after Close", cfg.Wait)
	}
	noErr(t, "second Close", q.Close())
	_, err := q.Enqueue(t.Context(), idempotency.Message{Key: "late"})
	wantErr(t, "Enqueue after Close", err, idempotency.ErrClosed)
	_, err = q.Dequeue(t.Context(), longLease)
	wantErr(t, "Dequeue after Close", err, idempotency.ErrClosed)
	wantErr(t, "Ack after Close", q.Ack(t.Context(), d), idempotency.ErrClosed)
}

// queueConcurrent pushes cfg.Messages messages of both priorities through
// cfg.Consumers consumers while producers are still enqueueing: every key
// must be acknowledged exactly once and nothing may be left.
func queueConcurrent(t *testing.T, q subject, cfg Config) {
	ctx, cancel := context.WithTimeout(t.Context(), cfg.BulkWait)
	defer cancel()
	const producers = 4
	var (
		mu     sync.Mutex
		acked  = make(map[string]int, cfg.Messages)
		total  int
		failed = make(chan error, cfg.Consumers+producers)
		wg     sync.WaitGroup
		allIn  = make(chan struct{})
	)
	for p := range producers {
		wg.Go(func() {
			for i := p; i < cfg.Messages; i += producers {
				prio := idempotency.Priority(i % 2)
				if _, err := q.Enqueue(ctx, idempotency.Message{Key: fmt.Sprintf("m-%d", i), Body: []byte{byte(i)}, Priority: prio}); err != nil {
					failed <- fmt.Errorf("enqueue %d: %w", i, err)
					return
				}
			}
		})
	}
	for range cfg.Consumers {
		wg.Go(func() {
			for {
				d, err := q.Dequeue(ctx, longLease)
				if err != nil {
					if ctx.Err() == nil {
						failed <- fmt.Errorf("dequeue: %w", err)
					}
					return
				}
				if err := q.Ack(ctx, d); err != nil {
					failed <- fmt.Errorf("ack %s: %w", d.Key, err)
					return
				}
				mu.Lock()
				acked[d.Key]++
				total++
				if total == cfg.Messages {
					close(allIn)
				}
				mu.Unlock()
			}
		})
	}
	select {
	case <-allIn:
	case err := <-failed:
		cancel()
		wg.Wait()
		t.Fatal(err)
	case <-ctx.Done():
	}
	cancel()
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Error(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if total != cfg.Messages || len(acked) != cfg.Messages {
		t.Fatalf("acknowledged %d deliveries of %d keys, want %d of %d", total, len(acked), cfg.Messages, cfg.Messages)
	}
	for k, n := range acked {
		if n != 1 {
			t.Errorf("key %s acknowledged %d times", k, n)
		}
	}
	if s := stats(t, q); s.Depth() != 0 {
		t.Errorf("Stats after the run = %+v, want empty", s)
	}
}

// sameMessage fails t unless two deliveries carry the same message.
func sameMessage(t *testing.T, a, b *idempotency.Delivery) {
	t.Helper()
	if a.ID != b.ID || a.Key != b.Key || !bytes.Equal(a.Body, b.Body) || a.Priority != b.Priority || !a.EnqueuedAt.Equal(b.EnqueuedAt) {
		t.Fatalf("redelivery %+v does not carry the message of %+v", b, a)
	}
}

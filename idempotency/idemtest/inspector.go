package idemtest

import (
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// tick is longer than the millisecond to which a server may keep time, so
// that two times taken on either side of it differ wherever they are kept.
const tick = 10 * time.Millisecond

// deadLetter returns the dead letter id, failing t when it is not listed.
func deadLetter(t *testing.T, q subject, id string) idempotency.DeadLetter {
	t.Helper()
	dead, err := q.DeadLetters(t.Context(), 0)
	noErr(t, "DeadLetters", err)
	for _, dl := range dead {
		if dl.ID == id {
			return dl
		}
	}
	t.Fatalf("dead letter %q not listed in %d entries", id, len(dead))
	return idempotency.DeadLetter{}
}

// queueFirstFailedAt checks that FirstFailedAt is the first Retry of a
// message that was retried, equals FailedAt for one dead-lettered at its
// first failure, and is kept across Replay while FailedAt moves on.
func queueFirstFailedAt(t *testing.T, q subject) {
	ctx := t.Context()
	retried := enqueue(t, q, idempotency.Message{Key: "retried"})
	once := enqueue(t, q, idempotency.Message{Key: "once", Priority: idempotency.PriorityLow})

	d := dequeue(t, q, longLease, 5*time.Second)
	beforeRetry := time.Now()
	noErr(t, "Retry", q.Retry(ctx, d, 0))
	afterRetry := time.Now()
	time.Sleep(tick)
	d = dequeue(t, q, longLease, 5*time.Second)
	noErr(t, "DeadLetter", q.DeadLetter(ctx, d, "first"))
	dl := deadLetter(t, q, retried.ID)
	if dl.FirstFailedAt.Before(beforeRetry.Add(-time.Second)) || dl.FirstFailedAt.After(afterRetry.Add(time.Second)) {
		t.Errorf("FirstFailedAt %v, want the time of the Retry, between %v and %v", dl.FirstFailedAt, beforeRetry, afterRetry)
	}
	if !dl.FirstFailedAt.Before(dl.FailedAt) {
		t.Errorf("FirstFailedAt %v not before FailedAt %v, although the Retry came %v before the DeadLetter",
			dl.FirstFailedAt, dl.FailedAt, tick)
	}

	d = dequeue(t, q, longLease, 5*time.Second)
	if d.ID != once.ID {
		t.Fatalf("delivery %q, want %q", d.ID, once.ID)
	}
	noErr(t, "DeadLetter", q.DeadLetter(ctx, d, "at once"))
	if o := deadLetter(t, q, once.ID); !o.FirstFailedAt.Equal(o.FailedAt) {
		t.Errorf("never retried: FirstFailedAt %v, want FailedAt %v", o.FirstFailedAt, o.FailedAt)
	}

	time.Sleep(tick)
	noErr(t, "Replay", q.Replay(ctx, retried.ID))
	d = dequeue(t, q, longLease, 5*time.Second)
	noErr(t, "DeadLetter after Replay", q.DeadLetter(ctx, d, "second"))
	again := deadLetter(t, q, retried.ID)
	if !again.FirstFailedAt.Equal(dl.FirstFailedAt) {
		t.Errorf("FirstFailedAt after Replay %v, want it kept at %v", again.FirstFailedAt, dl.FirstFailedAt)
	}
	if !again.FailedAt.After(dl.FailedAt) || again.Attempt != 1 || again.Reason != "second" {
		t.Errorf("dead letter after Replay = %+v, want FailedAt after %v, attempt 1, reason second", again, dl.FailedAt)
	}
}

// queueOldest follows Stats.Oldest as the oldest message is delivered,
// retried at once (joining the back of its stream), dead-lettered,
// replayed and acknowledged, and as the only other one waits in a delay.
func queueOldest(t *testing.T, q subject) {
	ctx := t.Context()
	wantOldest := func(what string, want time.Time) {
		t.Helper()
		if got := stats(t, q).Oldest; !got.Equal(want) {
			t.Fatalf("%s: Stats.Oldest = %v, want %v", what, got, want)
		}
	}
	wantOldest("empty queue", time.Time{})
	enqueue(t, q, idempotency.Message{Key: "a"})
	time.Sleep(tick)
	enqueue(t, q, idempotency.Message{Key: "b"})

	da := dequeue(t, q, longLease, 5*time.Second)
	a := da.EnqueuedAt
	wantOldest("a in flight", a)
	noErr(t, "Retry(a)", q.Retry(ctx, da, 0))
	wantOldest("a retried behind b", a)
	db := dequeue(t, q, longLease, 5*time.Second)
	if db.Key != "b" || !db.EnqueuedAt.After(a) {
		t.Fatalf("delivery %q enqueued at %v, want b, enqueued after %v", db.Key, db.EnqueuedAt, a)
	}
	b := db.EnqueuedAt
	noErr(t, "Retry(b) with a delay", q.Retry(ctx, db, time.Hour))
	wantOldest("a ready, b delayed", a)
	da = dequeue(t, q, longLease, 5*time.Second)
	noErr(t, "DeadLetter(a)", q.DeadLetter(ctx, da, "x"))
	wantOldest("a dead, b delayed", b)
	noErr(t, "Replay(a)", q.Replay(ctx, da.ID))
	wantOldest("a replayed", a)
	da = dequeue(t, q, longLease, 5*time.Second)
	noErr(t, "Ack(a)", q.Ack(ctx, da))
	wantOldest("a acknowledged, b delayed", b)
}

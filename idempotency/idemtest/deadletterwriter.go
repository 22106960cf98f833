package idemtest

import (
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// queueEnqueueDead checks a Queue that implements
// idempotency.DeadLetterWriter, and is skipped for one that does not: the
// message is a dead letter at attempt 1 with its reason and times, never
// delivered, deduplicated by key, counted against the capacity, and
// replayed like any other.
func queueEnqueueDead(t *testing.T, q subject) {
	w, ok := q.Queue.(idempotency.DeadLetterWriter)
	if !ok {
		t.Skip("the Queue does not implement idempotency.DeadLetterWriter")
	}
	ctx := t.Context()
	before := time.Now().Add(-time.Second)
	r, err := w.EnqueueDead(ctx, idempotency.Message{Key: "refused", Body: []byte("task"), Priority: idempotency.PriorityLow}, "Salesforce refused it")
	noErr(t, "EnqueueDead", err)
	if r.ID == "" || r.Duplicate {
		t.Fatalf("EnqueueDead = %+v, want a new ID", r)
	}
	if s := stats(t, q); s.Dead != 1 || s.Depth() != 0 {
		t.Fatalf("Stats = %+v, want 1 dead and nothing live", s)
	}
	wantEmpty(t, q, 100*time.Millisecond)
	dl := deadLetter(t, q, r.ID)
	if dl.Key != "refused" || string(dl.Body) != "task" || dl.Priority != idempotency.PriorityLow || dl.Attempt != 1 ||
		dl.Reason != "Salesforce refused it" || dl.EnqueuedAt.Before(before) || dl.FailedAt.Before(dl.EnqueuedAt.Add(-slack)) ||
		!dl.FirstFailedAt.Equal(dl.FailedAt) {
		t.Fatalf("dead letter %+v", dl)
	}
	dup, err := w.EnqueueDead(ctx, idempotency.Message{Key: "refused", Priority: idempotency.PriorityLow}, "again")
	noErr(t, "second EnqueueDead", err)
	if !dup.Duplicate || dup.ID != r.ID {
		t.Errorf("second EnqueueDead = %+v, want a duplicate of %s", dup, r.ID)
	}
	if e := enqueue(t, q, idempotency.Message{Key: "refused"}); !e.Duplicate {
		t.Errorf("Enqueue of a dead key inside the window = %+v, want a duplicate", e)
	}
	_, err = w.EnqueueDead(ctx, idempotency.Message{}, "x")
	wantErr(t, "EnqueueDead with an empty key", err, idempotency.ErrInvalidArgument)
	_, err = w.EnqueueDead(ctx, idempotency.Message{Key: "p", Priority: 7}, "x")
	wantErr(t, "EnqueueDead with an unknown priority", err, idempotency.ErrInvalidArgument)

	noErr(t, "Replay", q.Replay(ctx, r.ID))
	d := dequeue(t, q, longLease, 5*time.Second)
	if d.ID != r.ID || d.Key != "refused" || string(d.Body) != "task" || d.Attempt != 1 {
		t.Fatalf("replayed delivery %+v", d)
	}
	noErr(t, "Ack", q.Ack(ctx, d))
	if s := stats(t, q); s.Dead != 0 || s.Depth() != 0 {
		t.Errorf("Stats after the replay = %+v", s)
	}
}

// queueEnqueueDeadFull checks that dead letters added by EnqueueDead count
// against the capacity.
func queueEnqueueDeadFull(t *testing.T, q subject) {
	w, ok := q.Queue.(idempotency.DeadLetterWriter)
	if !ok {
		t.Skip("the Queue does not implement idempotency.DeadLetterWriter")
	}
	ctx := t.Context()
	for _, k := range []string{"a", "b"} {
		_, err := w.EnqueueDead(ctx, idempotency.Message{Key: k}, "r")
		noErr(t, "EnqueueDead "+k, err)
	}
	_, err := w.EnqueueDead(ctx, idempotency.Message{Key: "c"}, "r")
	wantErr(t, "EnqueueDead past the capacity", err, idempotency.ErrQueueFull)
	_, err = q.Enqueue(ctx, idempotency.Message{Key: "d"})
	wantErr(t, "Enqueue past the capacity", err, idempotency.ErrQueueFull)
}

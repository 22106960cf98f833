package idempotency

import (
	"context"
	"time"
)

// DeadLetterWriter is implemented by a Queue that can take a message
// straight into its dead-letter list. It is for work done outside the queue
// whose failures are to wait where every other failure waits: a bulk load
// (bc2sf's Bulk API backfill) dead-letters the orders Salesforce refused, so
// that an operator sees them beside the worker's and replays them through
// the queue. MemoryQueue and the Redis queue implement it.
type DeadLetterWriter interface {
	// EnqueueDead adds msg to the dead letters with reason, as if it had
	// been enqueued, delivered once and dead-lettered at once: Attempt 1,
	// and EnqueuedAt, FirstFailedAt and FailedAt all now. Like Enqueue it
	// is deduplicated by key (a key inside the dedup window returns
	// Duplicate and adds nothing), counts against the capacity
	// (ErrQueueFull), refuses an empty key or unknown priority
	// (ErrInvalidArgument) and returns ErrClosed after Close. The returned
	// ID is the one Inspector.Replay and DeleteDeadLetter take; a replayed
	// message is delivered like any other.
	EnqueueDead(ctx context.Context, msg Message, reason string) (EnqueueResult, error)
}

var _ DeadLetterWriter = (*MemoryQueue)(nil)

// EnqueueDead implements DeadLetterWriter.
func (q *MemoryQueue) EnqueueDead(ctx context.Context, msg Message, reason string) (EnqueueResult, error) {
	return q.put(ctx, "enqueue dead", msg, func(e *entry, now time.Time) {
		e.deliveries = 1
		e.failed(now)
		e.reason, e.failedAt = reason, now
		q.toDead(e)
	})
}

package idempotency

// SetAfterWake makes every Dequeue of q that waited call f after it woke,
// with the context's error if that is what woke it, and before it takes
// q's lock again: the moment between a wake-up and its handling. Set it
// before any Dequeue starts.
func SetAfterWake(q *MemoryQueue, f func(err error)) { q.afterWake = f }

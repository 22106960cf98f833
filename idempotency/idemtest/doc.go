// Package idemtest is the conformance suite for implementations of
// idempotency.Store, idempotency.Queue with its idempotency.Inspector,
// idempotency.TaggingQueue, and idempotency.Checkpoint.
//
// An implementation's tests call RunStore, RunQueue, RunTagging or
// RunCheckpoint with a
// Config (Config{} for the defaults; set fields to shrink the suite for a
// slow backend) and a factory that returns a fresh, empty instance built with
// the options the suite passes:
//
//	func TestQueueConformance(t *testing.T) {
//		idemtest.RunQueue(t, idemtest.Config{}, func(t *testing.T, opts ...idempotency.Option) (idempotency.Queue, idempotency.Inspector) {
//			q := idempotency.NewMemoryQueue(opts...)
//			t.Cleanup(func() { _ = q.Close() })
//			return q, q
//		})
//	}
//
// There is one entry point per interface, Run*, named after t.Run, whose
// subtests it starts. Every case runs as a parallel subtest on its own
// instance.
//
// The suite runs on real time with short leases, windows and delays (by
// default a 200 ms lease, a 400 ms retry delay and an 800 ms dedup window)
// and waits for outcomes with deadlines, so it runs unchanged against
// servers whose clock cannot be faked, such as Redis. It never asserts that
// something was fast: it asserts that things happen eventually (within
// Config.Wait, 5 s) and that others do not happen early (to the
// millisecond).
//
// Store cases: a free key is claimed once and then in flight; Complete makes
// it done, can be repeated with its token and refuses any other token;
// Release frees the key and refuses foreign tokens; keys are independent;
// empty keys and tokens are rejected; a canceled context is reported; 50
// goroutines racing for one key produce exactly one claim (and all see done
// afterwards); an expired lease can be claimed again, after which the old
// token's Complete and Release return ErrLeaseLost; a Complete after the
// lease ended but before any new claim still counts; a done key is claimable
// again once its retention ends, not before. Sync records: a new resource's
// generation is "0"; a claim moves it on (never back to an earlier value) and
// holds the resource; a finished sync covers exactly the messages tagged
// before its claim and records its version for the next claim, an empty
// version keeping the old one; untagged and malformed generations are never
// covered; an aborted sync covers nothing; resources are independent of each
// other and of keys; empty arguments are rejected; 50 goroutines racing for
// one resource produce one claim (and all see Done once it finished); an
// expired sync lease can be claimed again, after which the old token can
// neither finish nor record its version; a finish after the lease ended but
// before any new claim still counts; and a record is forgotten once its
// retention ends, not before, its generations covered by the next finished
// sync.
//
// Queue cases: a message round-trips with its ID, key, body, priority,
// attempt 1 and times, and is acknowledged once; bodies are copied; invalid
// messages and deliveries are rejected; high priority comes out before low,
// each in enqueue order; Stats counts by state and priority; a key repeated
// inside the dedup window is a duplicate, queued once, and queued again after
// the window; with the window at 0 nothing is deduplicated; Retry without
// delay and with a delay (never delivered early) increments Attempt; an
// expired lease brings the message back with the next attempt and the old
// delivery can no longer be settled; a delivery can be acknowledged after its
// lease as long as it was not delivered again; of 50 concurrent Acks exactly
// one succeeds; dead letters are listed oldest first, replayed (attempt back
// to 1) and deleted; a blocked Dequeue returns when its context is canceled
// or the queue is closed; and 10,000 messages (500 under -short) pass through
// 8 concurrent consumers while still being enqueued, each acknowledged
// exactly once. A Queue that implements idempotency.DeadLetterWriter (the
// cases skip one that does not) must add a dead letter at attempt 1 with
// its reason, deliver nothing, deduplicate its key, count it against the
// capacity and replay it like any other.
//
// Inspector cases: FirstFailedAt is the time of the first Retry, equals
// FailedAt when the first failure was the DeadLetter, and is kept across
// Replay while FailedAt moves on; Stats.Oldest is zero on an empty queue and
// follows the oldest live message through delivery, a Retry that puts it
// behind younger ones, a delay, dead-lettering (dead letters do not count),
// Replay and Ack.
//
// Tagging cases (RunTagging, with a TaggingQueue and the Store it reads):
// the message's key is the given key followed by the generation
// Store.Generation reads, with its body and priority kept; events tagged
// before a claim are one message, an event tagged after it a new one with
// the generation the claim moved on to, which the finished sync does not
// cover while it covers the first; a Store the queue cannot read in one
// step (a wrapped one) tags the same way; a claim moves only its own
// resource's tag; an empty resource, a nil Store, an unknown priority and a
// closed queue are refused; and 50 tagged events of one resource sent at
// once with 50 untagged messages queue exactly one tagged message and every
// untagged one.
//
// Checkpoint cases: a new checkpoint loads the zero time; a saved time comes
// back as the same instant, to the nanosecond, whatever its zone; the last
// Save wins, also when it goes back or saves the zero time; Load and Save
// with a canceled context fail and save nothing; concurrent Saves and Loads
// never produce a time that no Save wrote.
package idemtest

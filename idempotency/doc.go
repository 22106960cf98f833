// Package idempotency gives bc2sf its two gates against lost and repeated
// work: a Queue with at-least-once delivery, and a Store that lets the effect
// of an event happen once.
//
// This package holds the interfaces, the options they share and in-memory
// implementations (MemoryQueue, MemoryStore). idempotency/idemredis puts
// both on Redis, and idempotency/idemtest is the conformance suite that every
// implementation runs, so the guarantees below hold for all of them.
//
// # The Queue
//
// A receiver enqueues each webhook event and answers 200 only once Enqueue
// returned nil. Enqueue returns ErrQueueFull when the queue is at capacity
// (MemoryQueue: 10,000 messages by default); the receiver answers 503 and
// BigCommerce delivers again later. Nothing is ever dropped silently.
//
// Deduplication: a message whose Key was enqueued within the dedup window
// (24 hours by default, counted from the first Enqueue) is accepted with
// EnqueueResult.Duplicate set and is not queued again, whatever became of
// the first one. A message refused with ErrQueueFull does not record its
// key, so its redelivery is queued normally.
//
// Delivery is at least once. Dequeue blocks until a message is ready (or its
// context ends) and hands it out under a lease (30 seconds by default). The
// consumer then settles the delivery exactly one way:
//
//   - Ack: the message is done and removed.
//   - Retry(delay): the message comes back no earlier than delay from now.
//   - DeadLetter(reason): the message is set aside; DeadLetters lists such
//     messages, Replay puts one back (its attempts counted from 1 again) and
//     DeleteDeadLetter discards one.
//
// If the lease ends first, the message is delivered again. Every delivery
// carries Attempt: 1 the first time, one more per Retry or expired lease.
// How many attempts to allow is the consumer's policy; the queue never
// dead-letters on its own. Only the latest delivery of a message can be
// settled: settling an older one returns ErrLeaseLost and changes nothing,
// so a message is never acknowledged twice. A delivery whose lease ended can
// still be settled as long as the message has not been delivered again.
//
// Priorities: PriorityHigh (the zero value, for live webhook events) and
// PriorityLow (for backfill and reconciliation). A ready high message is
// always dequeued before a ready low one; within a priority, messages come
// out in the order they became ready.
//
// # The Store
//
// Because delivery is at least once, a worker claims the message's key
// before doing the work. Begin returns one of three outcomes:
//
//   - Claimed: the caller holds the key until the lease ends, with a Token
//     that no other claim ever had. Of any number of concurrent Begin calls
//     for a free key, exactly one gets Claimed.
//   - Done: a Complete for the key succeeded and its retention (7 days by
//     default) has not ended. Skip the work and acknowledge the message.
//   - InFlight: another claim holds the key. Retry the message later.
//
// Complete(token) marks the key done. "Done" means exactly this: a Complete
// call returned nil, and until the retention ends every Begin for the key
// returns Done. Release(token) gives up a claim after a failure so that a
// retry can claim the key at once.
//
// A lease is exclusive only while it lasts. If a holder is still working when
// its lease ends, another worker may claim the key and do the same work; the
// first holder's Complete or Release then returns ErrLeaseLost and changes
// nothing. The work must therefore be idempotent by itself (bc2sf upserts
// by external ID) and the lease longer than the slowest piece of work. If
// the lease ended but nobody claimed the key since, Complete still succeeds.
// Complete repeated with the same token returns nil, so a Complete whose
// reply was lost can be sent again.
//
// # The worker loop
//
// Dequeue, Begin, work, Complete, Ack; on failure Release, then Retry with a
// delay or DeadLetter. See the package example.
//
// # Errors
//
// Every implementation wraps the sentinels ErrLeaseLost, ErrQueueFull,
// ErrNotFound, ErrClosed and ErrInvalidArgument with %w; match them with
// errors.Is. A call whose context has ended returns an error matching the
// context's error.
//
// # Time
//
// Leases, delays, windows and retention run on a Clock (SystemClock unless
// WithClock says otherwise). idemtest.Clock is a fake whose time moves only
// when told, for deterministic tests of the memory implementations.
// Implementations that keep time on a server, such as Redis, work to the
// millisecond and may ignore the Clock.
//
// # The memory implementations
//
// MemoryQueue and MemoryStore are safe for concurrent use and live in the
// memory of one process: a crash loses what they hold, including messages a
// receiver already answered 200 for. They suit one-process deployments,
// development and tests; use idemredis when messages must survive a restart
// or several processes share the work.
package idempotency

// Package idempotency gives bc2sf its two gates against lost and repeated
// work: a Queue with at-least-once delivery, and a Store that lets the effect
// of an event happen once.
//
// This package holds the interfaces, the options they share and in-memory
// implementations: Queue (what producers and consumers use) and Inspector
// (what an operator uses: counts and the dead letters), both implemented by
// MemoryQueue; Store, implemented by MemoryStore; and Checkpoint, the time a
// reconciler got to, implemented by MemoryCheckpoint. idempotency/idemredis
// puts all of them on Redis, and idempotency/idemtest is the conformance
// suite that every implementation runs, so the guarantees below hold for
// all of them. The package imports the standard library only.
//
// # The name
//
// The package is named for what it is for rather than for what it holds: a
// queue, a store and a checkpoint are the parts; exactly-once effect over
// at-least-once delivery is the job. Every piece here exists so that an
// event BigCommerce delivers once, twice or late changes Salesforce once,
// and none is meant for other uses (the queue has no routing, no fan-out,
// no schedules). A reader looking for "how does bc2sf avoid duplicates"
// finds it here, and the queue and the store are read best side by side,
// since each relies on the other's guarantees.
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
//   - DeadLetter(reason): the message is set aside until an operator
//     decides (see The Inspector below).
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
// # The Inspector
//
// An Inspector is the operator's side of a queue, kept apart from Queue as
// asynq keeps its Inspector apart from its Client: a receiver or a worker
// holds a Queue and cannot replay or delete dead letters by mistake, while
// an admin console, a readiness probe or a metrics exporter holds an
// Inspector. Both are implemented by the same value (a *MemoryQueue, an
// *idemredis.Queue):
//
//   - Stats counts ready, delayed, in-flight and dead messages, and gives
//     the EnqueuedAt of the oldest live one (Stats.Oldest), which tells how
//     far behind the consumers are.
//   - DeadLetters lists dead letters oldest first, each with its Reason,
//     Attempt, FailedAt (the last DeadLetter) and FirstFailedAt (its first
//     Retry or DeadLetter; kept across Replay).
//   - Replay puts a dead letter back with its attempts counted from 1
//     again; DeleteDeadLetter discards one.
//
// A queue that also implements DeadLetterWriter (both do) takes a message
// straight into its dead letters with EnqueueDead: for failures of work done
// outside the queue, such as the rows a Bulk API load could not write,
// which then wait and are replayed like any other dead letter.
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
// # Sync records: never stale, never lost
//
// Several events about one resource (an order: created, updated, a status
// change, a refund) may arrive duplicated, out of order, and while another
// worker is already syncing that resource. Each event only says "sync the
// resource's current state", so the Store also keeps one sync record per
// resource:
//
//   - Generation(resource) is read by the producer for each event; the
//     message is keyed and tagged with it. Events that arrive while a sync is
//     queued and not started share that message (the queue deduplicates the
//     key); once a sync is claimed the generation moves on, so an event that
//     arrives during the sync gets a message of its own and one more sync
//     follows. EnqueueTagged reads the generation and enqueues the message
//     keyed by it as one step: a TaggingQueue (MemoryQueue, idemredis.Queue)
//     does both in one call, which on Redis is one round trip.
//   - StartSync(resource, generation) is called by the worker before it
//     reads the resource. Claimed: read and write it, then FinishSync (or
//     AbortSync on failure); the syncs of one resource thus run one at a
//     time, across processes. Done: a sync claimed after the event finished,
//     so it read the event's change: acknowledge the message unread.
//     InFlight: another sync holds the resource: retry the message later; it
//     cannot be covered by a sync that had already read the resource.
//   - FinishSync records a version (bc2sf: the order's date_modified and a
//     digest of what was written), which the next claim returns, so that a
//     worker can refuse to write a state older than the one written, or skip
//     writing one that is unchanged.
//
// A change made after a sync read the resource always has an event tagged
// with a later generation, hence a message that StartSync does not answer
// Done; an event never has to be dropped to keep work single.
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
// # The Checkpoint
//
// A Checkpoint keeps one time between runs of a reconciler or a backfill.
// MemoryCheckpoint forgets it with the process; idemredis.Checkpoint keeps
// it in Redis.
//
// # Time
//
// Leases, delays, windows and retention run on the time package's clock;
// there is no clock to inject. Tests that need to move time run the memory
// implementations inside a testing/synctest bubble, where time.Now and
// timers follow the bubble's fake clock (see this package's tests).
// Implementations that keep time on a server, such as Redis, use the
// server's clock, to the millisecond.
//
// # The memory implementations
//
// MemoryQueue and MemoryStore are safe for concurrent use and live in the
// memory of one process: a crash loses what they hold, including messages a
// receiver already answered 200 for. They suit one-process deployments,
// development and tests; use idemredis when messages must survive a restart
// or several processes share the work.
package idempotency

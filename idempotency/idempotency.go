package idempotency

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors returned by every Store, Queue and Inspector implementation. They are
// sentinels: implementations wrap them with %w, so test with errors.Is.
var (
	// ErrLeaseLost reports that the caller no longer holds what it tries to
	// finish: a Store claim whose lease expired and was taken by another
	// Begin (or that was already completed with another token), or a
	// Delivery whose lease expired and that was delivered again (or that was
	// already acknowledged, retried or dead-lettered). The work may have
	// been done twice; the caller must not retry the call.
	ErrLeaseLost = errors.New("idempotency: lease lost")

	// ErrQueueFull reports that the queue holds as many messages as its
	// capacity allows. Nothing was enqueued and the key was not recorded for
	// deduplication, so the same message may be offered again later. An
	// HTTP receiver answers 503 so that the sender delivers again.
	ErrQueueFull = errors.New("idempotency: queue full")

	// ErrNotFound reports that no dead letter has the given ID
	// (Inspector.Replay, Inspector.DeleteDeadLetter).
	ErrNotFound = errors.New("idempotency: not found")

	// ErrClosed reports a call on a Queue, or on its Inspector, after
	// Close. A Dequeue blocked when Close is called returns it too.
	ErrClosed = errors.New("idempotency: closed")

	// ErrInvalidArgument reports an argument no implementation can accept:
	// an empty key or token, an unknown Priority, a nil Delivery.
	ErrInvalidArgument = errors.New("idempotency: invalid argument")
)

// Store records which keys (events, orders) have been processed, so that a
// message delivered twice has its effect once.
//
// A key moves through three states: absent, in flight (claimed by one
// worker under a lease) and done (kept for a retention period, then absent
// again). The guarantees an implementation gives:
//
//   - Begin on an absent key, or on a key whose lease has ended, claims it:
//     exactly one of any number of concurrent Begin calls gets Claimed, with
//     a token that no other claim ever had. The others get InFlight.
//   - Begin on a done key returns Done until the retention period ends.
//   - Complete with the current token marks the key done. "Done" means that
//     a Complete call returned nil: the store has durably recorded (as far
//     as the implementation is durable) that the work finished, and every
//     Begin inside the retention period returns Done.
//   - A lease is a promise of exclusivity for its duration only. When it ends
//     while the holder is still working, another Begin may claim the key and
//     the work may run twice; the holder's later Complete or Release then
//     returns ErrLeaseLost and changes nothing. Choose a lease longer than
//     the slowest piece of work, and make the work itself idempotent (bc2sf
//     upserts by external ID) so that a lost lease costs time, not data.
//   - Complete or Release after the lease ended still succeed while no
//     other claim holds the key and it is not done: nobody else is doing
//     the work.
//
// Beside its keys, a Store keeps one sync record per resource (an order,
// for bc2sf), which lets every change to the resource reach Salesforce
// however its events arrive: duplicated, reordered, or while another worker
// syncs the same resource. The record holds:
//
//   - a generation, which changes each time a sync of the resource is
//     claimed. A producer tags each event with the generation it reads
//     (Generation) and keys its message by it, so events that arrive while
//     a sync is queued share one message (the queue deduplicates the key)
//     while an event that arrives once a sync has started gets a new one;
//   - a sync claim, held from before the resource is read until its new
//     state is written (StartSync, then FinishSync or AbortSync), so that
//     the syncs of one resource run one at a time;
//   - how far the finished syncs reach: a sync that was claimed after an
//     event was tagged read the resource after that event's change, so once
//     it finished, StartSync answers Done to that event's message and the
//     resource is not read again for it;
//   - the version last written (FinishSync), an opaque text the caller uses
//     to refuse to write an older state of the resource over a newer one.
//
// The sync record guarantees, beside those of the keys:
//
//   - StartSync on an untagged message (generation "") never answers Done;
//     on a tagged one it answers Done exactly when a sync claimed after the
//     tag was read has finished with FinishSync. A generation that this
//     record did not give (from an expired record, or none at all, "0")
//     counts as read before every sync of the current record. A sync that
//     ended with AbortSync, or whose claim was lost, covers nothing.
//   - Exactly one of any number of concurrent StartSync calls on a free
//     resource gets Claimed, with a token no other sync claim ever had; the
//     others get InFlight (or Done). Leases end as they do for keys: a
//     FinishSync or AbortSync with a token whose claim was taken over by
//     another StartSync returns ErrLeaseLost and changes nothing.
//   - Generation changes on every Claimed StartSync, and never takes a value
//     it had before, also after the record expires.
//   - The record is kept for the store's retention (Config.Retention) after
//     its last StartSync or FinishSync. Keep that longer than the queue's
//     dedup window, as the defaults (7 days and 24 hours) are.
//
// Implementations are safe for concurrent use.
type Store interface {
	// Begin tries to claim key for lease. A lease <= 0 uses the store's
	// default (Config.Lease: DefaultLease, 30 s, unless set). The result's Status tells what happened;
	// only Claimed carries a Token. An empty key returns ErrInvalidArgument.
	Begin(ctx context.Context, key string, lease time.Duration) (Claim, error)

	// Complete marks key done for retention (<= 0 uses the store's default,
	// Config.Retention: DefaultRetention, 7 days, unless set) if token is the current claim's token. With
	// another claim's token, or on a key done by another token, it returns
	// ErrLeaseLost. Completing again with the token that completed the key
	// returns nil, so a Complete whose reply was lost can be repeated.
	Complete(ctx context.Context, key, token string, retention time.Duration) error

	// Release gives up the claim after a failure so that a retry can claim
	// key at once instead of waiting for the lease to end. With another
	// claim's token, or on a done key, it returns ErrLeaseLost and changes
	// nothing. On an absent key it returns nil: the key is already free.
	Release(ctx context.Context, key, token string) error

	// Generation returns the current generation of resource's sync record:
	// a short text of digits and dots, "0" when the resource has no record.
	// It only reads. An empty resource returns ErrInvalidArgument.
	Generation(ctx context.Context, resource string) (string, error)

	// StartSync claims resource for one sync for lease (<= 0: the store's
	// default lease), on behalf of a message tagged with generation ("" for
	// an untagged one). Done means a finished sync already covers the
	// message: acknowledge it without reading the resource. InFlight means
	// another sync holds the resource until ExpiresAt: try again later.
	// Claimed moves the generation on, carries the Token for FinishSync or
	// AbortSync, and the Version the last FinishSync recorded ("" when
	// none). An empty resource returns ErrInvalidArgument.
	StartSync(ctx context.Context, resource, generation string, lease time.Duration) (SyncClaim, error)

	// FinishSync ends the sync whose claim token holds: the messages tagged
	// before it was claimed count as covered from now on, version (unless
	// empty, which keeps the recorded one) becomes the recorded version, and
	// the resource is free. After the lease ended it still succeeds while no
	// other StartSync claimed the resource. Otherwise it returns
	// ErrLeaseLost and changes nothing: another sync may have written the
	// resource meanwhile. An empty resource or token returns
	// ErrInvalidArgument.
	FinishSync(ctx context.Context, resource, token, version string) error

	// AbortSync frees resource after a failed sync, covering nothing, so
	// that a retry can claim it at once. On a resource no sync holds it
	// returns nil; with another claim's token it returns ErrLeaseLost and
	// changes nothing. An empty resource or token returns
	// ErrInvalidArgument.
	AbortSync(ctx context.Context, resource, token string) error
}

// SyncClaim is the result of Store.StartSync.
type SyncClaim struct {
	// Status is Claimed (the caller holds the resource), Done (a finished
	// sync covers the message) or InFlight (another sync holds it).
	Status ClaimStatus
	// Token identifies this sync claim; it is set only when Status is
	// Claimed. Pass it to FinishSync or AbortSync.
	Token string
	// Version is what the last FinishSync recorded for the resource, ""
	// when none did; it is set only when Status is Claimed.
	Version string
	// ExpiresAt is when the claim seen ends, for Claimed and InFlight; it is
	// zero for Done and when the implementation does not know it.
	ExpiresAt time.Time
}

// ClaimStatus is the outcome of Store.Begin.
type ClaimStatus int

// The outcomes of Store.Begin. The zero value is not an outcome.
const (
	// Claimed means the caller holds the key until Claim.ExpiresAt and must
	// finish with Complete or Release using Claim.Token.
	Claimed ClaimStatus = iota + 1
	// Done means the key was completed and its retention has not ended: skip
	// the work.
	Done
	// InFlight means another claim holds the key and its lease has not
	// ended: try again later (for a queue message, Retry it with a delay).
	InFlight
)

// String returns "claimed", "done", "in flight", or "ClaimStatus(n)" for
// any other value.
func (s ClaimStatus) String() string {
	switch s {
	case Claimed:
		return "claimed"
	case Done:
		return "done"
	case InFlight:
		return "in flight"
	}
	return fmt.Sprintf("ClaimStatus(%d)", int(s))
}

// Claim is the result of Store.Begin.
type Claim struct {
	// Status is the outcome: Claimed, Done or InFlight.
	Status ClaimStatus
	// Token identifies this claim; it is set only when Status is Claimed.
	// Pass it to Complete or Release.
	Token string
	// ExpiresAt is when the state Begin saw ends: the lease for Claimed and
	// InFlight, the retention for Done. It is zero when the implementation
	// does not know it.
	ExpiresAt time.Time
}

// Priority orders ready messages: a lower value is dequeued first.
type Priority int

// The priorities a Queue knows. The zero value is PriorityHigh, so a
// Message that names no priority is a live event.
const (
	// PriorityHigh is for live events (webhook deliveries). A ready high
	// message is always dequeued before any ready low one.
	PriorityHigh Priority = iota
	// PriorityLow is for bulk work (backfill, reconciliation) that must not
	// delay live events.
	PriorityLow
)

// Priorities lists every valid Priority, highest first.
func Priorities() []Priority { return []Priority{PriorityHigh, PriorityLow} }

// Valid reports whether p is one of the priorities a Queue accepts.
func (p Priority) Valid() bool { return p == PriorityHigh || p == PriorityLow }

// String returns "high", "low", or "Priority(n)" for any other value.
func (p Priority) String() string {
	switch p {
	case PriorityHigh:
		return "high"
	case PriorityLow:
		return "low"
	}
	return fmt.Sprintf("Priority(%d)", int(p))
}

// Message is what a producer enqueues.
type Message struct {
	// Key identifies the event for deduplication and for the Store; it must
	// not be empty. Two messages with the same Key inside the dedup window
	// are one message.
	Key string
	// Body is the payload. The queue keeps its own copy; nil and empty are
	// both allowed and come back as an empty (possibly nil) slice.
	Body []byte
	// Priority is PriorityHigh (the zero value) or PriorityLow.
	Priority Priority
}

// EnqueueResult reports what Queue.Enqueue did.
type EnqueueResult struct {
	// ID identifies the message for its whole life: retries, redeliveries,
	// dead-lettering and Replay keep it. For a duplicate it is the ID of the
	// message already queued under the key, or empty when the implementation
	// no longer knows it.
	ID string
	// Duplicate is true when a message with the same key was enqueued inside
	// the dedup window: the call succeeded but queued nothing.
	Duplicate bool
	// Generation is the sync generation that TaggingQueue.EnqueueTagged
	// tagged the message with (the end of its key); Enqueue leaves it empty.
	Generation string
}

// Delivery is one delivery of a message to a consumer, under a lease.
type Delivery struct {
	// ID is the message's ID (see EnqueueResult.ID).
	ID string
	// Key is the message's key.
	Key string
	// Body is the message's payload; the consumer owns this slice.
	Body []byte
	// Priority is the message's priority.
	Priority Priority
	// Attempt counts deliveries of the message: 1 on the first, then one
	// more for every Retry and every lease that expired. Replay starts it
	// again at 1.
	Attempt int
	// EnqueuedAt is when the message was first enqueued (not when it was
	// retried or replayed).
	EnqueuedAt time.Time
	// LeaseExpiresAt is when this delivery's lease ends, after which the
	// message may be delivered again.
	LeaseExpiresAt time.Time
	// Token is the lease handle: opaque, set by the queue, unique to this
	// delivery. Ack, Retry and DeadLetter use it to tell this delivery from
	// a later one of the same message.
	Token string
}

// DeadLetter is a message that a consumer gave up on, as an Inspector lists
// it.
type DeadLetter struct {
	// ID is the message's ID; pass it to Inspector.Replay or
	// Inspector.DeleteDeadLetter.
	ID string
	// Key is the message's key.
	Key string
	// Body is the message's payload.
	Body []byte
	// Priority is the message's priority; Replay keeps it.
	Priority Priority
	// Attempt is the attempt of the delivery that was dead-lettered. It
	// counts from the last Replay, if any.
	Attempt int
	// EnqueuedAt is when the message was first enqueued.
	EnqueuedAt time.Time
	// FirstFailedAt is when the message first failed: its first Retry, or
	// its first DeadLetter when it was never retried, whichever came first.
	// Replay keeps it, as it keeps ID and EnqueuedAt, so after a Replay it
	// still tells how long the message has been failing. A lease that ended
	// without a Retry does not count as a failure here. It is never after
	// FailedAt.
	FirstFailedAt time.Time
	// FailedAt is when DeadLetter was last called: the failure that put the
	// message where it is now.
	FailedAt time.Time
	// Reason is the text the consumer passed to DeadLetter.
	Reason string
}

// Stats is a snapshot of a queue's contents. Counts taken while other calls
// run may be slightly out of step with each other.
type Stats struct {
	// Ready counts messages that a Dequeue would return now.
	Ready int
	// Delayed counts messages waiting for a Retry delay to pass.
	Delayed int
	// InFlight counts messages delivered and not yet acknowledged, retried
	// or dead-lettered, including those whose lease ended but that were not
	// yet delivered again (implementations may count these as Ready).
	InFlight int
	// Dead counts dead letters.
	Dead int
	// ReadyByPriority splits Ready by priority; every priority in
	// Priorities() has an entry, possibly 0.
	ReadyByPriority map[Priority]int
	// Oldest is the EnqueuedAt of the oldest live message (ready, delayed or
	// in flight; dead letters do not count), or the zero time when there is
	// none. time.Since(Oldest) is how far behind the consumers are.
	Oldest time.Time
}

// Depth returns the number of live messages: Ready + Delayed + InFlight.
// Dead letters are not included.
func (s Stats) Depth() int { return s.Ready + s.Delayed + s.InFlight }

// Queue is a work queue with at-least-once delivery, leases, delayed
// retries, deduplication by key, two priorities and a dead-letter list. It
// holds what producers (Enqueue) and consumers (Dequeue and the three ways to
// settle a delivery) need; an operator looks at and repairs the queue
// through its Inspector.
//
// The guarantees an implementation gives:
//
//   - A message that Enqueue accepted (nil error, Duplicate false) is
//     delivered until it is acknowledged or dead-lettered: a delivery whose
//     lease ends before Ack, Retry or DeadLetter is delivered again, with
//     Attempt one higher. Durability across a crash is the
//     implementation's: MemoryQueue loses everything with its process.
//   - At most one delivery of a message is live at a time. Ack, Retry and
//     DeadLetter on a delivery that was superseded by a later one return
//     ErrLeaseLost and change nothing, so a message is never acknowledged
//     twice. After its lease ends but before it is delivered again, a
//     delivery can still be acknowledged.
//   - A repeated Key inside the dedup window (Config.DedupWindow:
//     DefaultDedupWindow, 24 h, unless set; counted from the first Enqueue)
//     is accepted with Duplicate set and not queued again, whatever became
//     of the first message.
//   - A ready PriorityHigh message is always dequeued before a ready
//     PriorityLow one. Within a priority, fresh messages come out in the
//     order they were enqueued; retried and redelivered ones rejoin when
//     they become ready.
//   - How many attempts a message gets is the consumer's policy: the queue
//     counts them and never dead-letters on its own.
//
// Implementations are safe for concurrent use.
type Queue interface {
	// Enqueue adds msg, or reports it as a duplicate. It returns
	// ErrQueueFull when the queue is at capacity (a duplicate is still
	// reported as such, with a nil error), ErrInvalidArgument for an empty
	// key or unknown priority, and ErrClosed after Close.
	Enqueue(ctx context.Context, msg Message) (EnqueueResult, error)

	// Dequeue blocks until a message is ready or ctx is done, and delivers
	// it under a lease of the given length (<= 0 uses Config.Lease:
	// DefaultLease, 30 s, unless set).
	// When ctx is done first it returns an error matching ctx.Err() with
	// errors.Is; a message taken at the very moment of cancellation is not
	// lost but delivered again when the lease ends. After Close it returns
	// ErrClosed.
	Dequeue(ctx context.Context, lease time.Duration) (*Delivery, error)

	// Ack removes the delivered message for good. Ack, Retry and DeadLetter
	// return ErrLeaseLost when d is no longer the message's live delivery
	// (settled already, or superseded by a later delivery), and
	// ErrInvalidArgument for a nil d or an empty d.Token.
	Ack(ctx context.Context, d *Delivery) error

	// Retry puts the delivered message back, to be delivered again no
	// earlier than delay from now (delay <= 0: at once) with Attempt one
	// higher. It keeps the message's ID, key, body and priority.
	Retry(ctx context.Context, d *Delivery, delay time.Duration) error

	// DeadLetter moves the delivered message to the dead-letter list with
	// reason. It stays there until an Inspector replays or deletes it;
	// where the queue has a capacity, dead letters count against it.
	DeadLetter(ctx context.Context, d *Delivery, reason string) error

	// Close makes every later call return ErrClosed, on the Queue and on
	// its Inspector, and wakes blocked Dequeue calls with ErrClosed.
	// Messages are kept where the implementation is durable. Close is
	// idempotent and returns nil; it does not close clients the caller
	// passed in.
	Close() error
}

// A TaggingQueue is a Queue that can tag a message with a resource's sync
// generation as it enqueues it. A producer that keys each event's message
// by the generation it reads (see Store) needs a Store.Generation and an
// Enqueue per event; EnqueueTagged does both in one step, which on Redis is
// one round trip instead of two when the Store and the Queue share a client
// (see idemredis.Queue.EnqueueTagged). MemoryQueue and idemredis.Queue
// implement it; the function EnqueueTagged accepts any Queue.
type TaggingQueue interface {
	Queue

	// EnqueueTagged reads the current generation of resource's sync record
	// in store, as Store.Generation does, and then enqueues msg as Enqueue
	// does under the key msg.Key followed by that generation. The result's
	// Generation is the generation read; a duplicate reports it too. The
	// read comes before the enqueue, never after, so a sync claimed after
	// the call began always counts as claimed after the message's tag.
	// It returns the errors of Enqueue and of Store.Generation, and
	// ErrInvalidArgument for a nil store or an empty resource.
	EnqueueTagged(ctx context.Context, store Store, resource string, msg Message) (EnqueueResult, error)
}

// EnqueueTagged enqueues msg on q tagged with resource's sync generation in
// store, as TaggingQueue.EnqueueTagged describes: in one step when q is a
// TaggingQueue, otherwise with Store.Generation followed by q.Enqueue.
func EnqueueTagged(ctx context.Context, q Queue, store Store, resource string, msg Message) (EnqueueResult, error) {
	if tq, ok := q.(TaggingQueue); ok {
		return tq.EnqueueTagged(ctx, store, resource, msg)
	}
	return EnqueueTaggedInTwoSteps(ctx, q, store, resource, msg)
}

// EnqueueTaggedInTwoSteps is EnqueueTagged made of a Store.Generation and
// then a q.Enqueue, whatever q is. It is the fallback of EnqueueTagged and
// of the TaggingQueue implementations when store is not one they can read
// in the same step, and the reference their one-step path is tested against.
func EnqueueTaggedInTwoSteps(ctx context.Context, q Queue, store Store, resource string, msg Message) (EnqueueResult, error) {
	if q == nil || store == nil {
		return EnqueueResult{}, fmt.Errorf("enqueue tagged: nil queue or store: %w", ErrInvalidArgument)
	}
	if resource == "" {
		return EnqueueResult{}, fmt.Errorf("enqueue tagged: empty resource: %w", ErrInvalidArgument)
	}
	gen, err := store.Generation(ctx, resource)
	if err != nil {
		return EnqueueResult{}, err
	}
	msg.Key += gen
	res, err := q.Enqueue(ctx, msg)
	if err != nil {
		return EnqueueResult{}, err
	}
	res.Generation = gen
	return res, nil
}

// Inspector is the operator's view of a Queue: counts for dashboards and
// readiness probes, and the dead-letter list with the two ways out of it. It
// is kept apart from Queue so that producers and consumers are not handed
// the power to replay or delete what others gave up on. MemoryQueue and the
// Redis queue implement both interfaces on one value; pass that value where
// each is wanted.
//
// An Inspector does not own the queue: it has no Close, and after the
// Queue's Close its methods return ErrClosed. Implementations are safe for
// concurrent use, also with the Queue's own calls.
type Inspector interface {
	// Stats returns counts of the queue's contents and the age of its
	// oldest live message.
	Stats(ctx context.Context) (Stats, error)

	// DeadLetters returns up to limit dead letters, oldest first (in the
	// order they were dead-lettered). A limit <= 0 returns up to 100.
	DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error)

	// Replay moves the dead letter id back to the ready messages of its
	// priority, at the back, with its ID, EnqueuedAt and FirstFailedAt, and
	// the next delivery's Attempt at 1. It bypasses deduplication. An
	// unknown id returns ErrNotFound.
	Replay(ctx context.Context, id string) error

	// DeleteDeadLetter removes the dead letter id for good, freeing its
	// place. An unknown id returns ErrNotFound.
	DeleteDeadLetter(ctx context.Context, id string) error
}

// Checkpoint keeps one time between runs: how far a reconciler (or a
// backfill) got, so that the next run carries on from there instead of
// starting over. MemoryCheckpoint keeps it in memory; the Redis version
// (idemredis.Checkpoint) keeps it where every process sees it and a restart
// does not lose it.
//
// Implementations are safe for concurrent use; the last Save wins.
type Checkpoint interface {
	// Load returns the saved time, or the zero time when nothing was saved
	// yet. The time is the same instant as the one saved, to the
	// nanosecond; its location may differ.
	Load(ctx context.Context) (time.Time, error)
	// Save replaces the saved time with t.
	Save(ctx context.Context, t time.Time) error
}

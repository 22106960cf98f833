package idempotency

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// MemoryQueue is a Queue kept in the memory of one process. It is bounded:
// it holds at most Config.Capacity messages (default 10,000), counting ready,
// delayed, in-flight and dead ones, and Enqueue returns ErrQueueFull beyond
// that rather than dropping anything. Its contents are lost with the process,
// so a receiver that answered 200 for a message still in it loses that
// message in a crash; use a Redis Queue where that matters.
//
// Keys are remembered for the dedup window whether or not their message is
// still held, so memory also grows with the number of distinct keys enqueued
// per window.
//
// The zero value is not usable; call NewMemoryQueue.
type MemoryQueue struct {
	cfg Config

	mu         sync.Mutex
	closed     bool
	seq        uint64
	msgs       map[string]*entry
	ready      [2]fifo
	readyCount [2]int
	delayed    entryHeap // by due time
	leases     entryHeap // by lease deadline
	live       entryHeap // ready, delayed and in flight, by enqueue time
	dead       list.List
	waiters    []chan struct{}
	dedup      map[string]dedupRecord
	dedupOrder []dedupItem
	dedupHead  int

	// afterWake, when set (by tests only), runs in a waiting Dequeue after
	// it woke and before it takes the lock again, with the context's error
	// if that is what woke it.
	afterWake func(err error)
}

var (
	_ Queue     = (*MemoryQueue)(nil)
	_ Inspector = (*MemoryQueue)(nil)
)

// NewMemoryQueue returns an empty MemoryQueue. It uses the options'
// Capacity (default 10,000), DedupWindow (default 24 h) and Lease (default
// 30 s), and reads the time from the time package.
func NewMemoryQueue(opts ...Option) *MemoryQueue {
	return &MemoryQueue{
		cfg:   NewConfig(opts...),
		msgs:  make(map[string]*entry),
		dedup: make(map[string]dedupRecord),
		live:  entryHeap{slot: liveSlot},
	}
}

// Enqueue implements Queue. It copies msg.Body, and returns ErrQueueFull
// when Capacity messages are held, dead letters included.
func (q *MemoryQueue) Enqueue(ctx context.Context, msg Message) (EnqueueResult, error) {
	return q.put(ctx, "enqueue", msg, func(e *entry, _ time.Time) { q.toReady(e) })
}

// EnqueueTagged implements TaggingQueue: the store's Generation, then
// Enqueue. A MemoryQueue and a MemoryStore live in one process, so the two
// steps cost no round trip.
func (q *MemoryQueue) EnqueueTagged(ctx context.Context, store Store, resource string, msg Message) (EnqueueResult, error) {
	return EnqueueTaggedInTwoSteps(ctx, q, store, resource, msg)
}

// put adds msg as a new entry and hands it to place, under the lock, unless
// its key is inside the dedup window or the queue is full.
func (q *MemoryQueue) put(ctx context.Context, op string, msg Message, place func(e *entry, now time.Time)) (EnqueueResult, error) {
	if err := ctx.Err(); err != nil {
		return EnqueueResult{}, err
	}
	if msg.Key == "" {
		return EnqueueResult{}, fmt.Errorf("%s: empty key: %w", op, ErrInvalidArgument)
	}
	if !msg.Priority.Valid() {
		return EnqueueResult{}, fmt.Errorf("%s %q: unknown priority %d: %w", op, msg.Key, int(msg.Priority), ErrInvalidArgument)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return EnqueueResult{}, fmt.Errorf("%s %q: %w", op, msg.Key, ErrClosed)
	}
	now := time.Now()
	if q.cfg.DedupWindow > 0 {
		q.pruneDedup(now)
		if r, ok := q.dedup[msg.Key]; ok {
			return EnqueueResult{ID: r.id, Duplicate: true}, nil
		}
	}
	if len(q.msgs) >= q.cfg.Capacity {
		return EnqueueResult{}, fmt.Errorf("%s %q: %d messages held: %w", op, msg.Key, len(q.msgs), ErrQueueFull)
	}
	q.seq++
	e := &entry{
		id:         strconv.FormatUint(q.seq, 10),
		key:        msg.Key,
		body:       bytes.Clone(msg.Body),
		prio:       msg.Priority,
		enqueuedAt: now,
		idx:        [2]int{-1, -1},
	}
	q.msgs[e.id] = e
	if q.cfg.DedupWindow > 0 {
		exp := now.Add(q.cfg.DedupWindow)
		q.dedup[msg.Key] = dedupRecord{id: e.id, expires: exp}
		q.dedupOrder = append(q.dedupOrder, dedupItem{key: msg.Key, expires: exp})
	}
	place(e, now)
	return EnqueueResult{ID: e.id}, nil
}

// Dequeue implements Queue. Waiting consumers are served in the order they
// began to wait; the body of each delivery is a fresh copy.
func (q *MemoryQueue) Dequeue(ctx context.Context, lease time.Duration) (*Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if lease <= 0 {
		lease = q.cfg.Lease
	}
	q.mu.Lock()
	for {
		if q.closed {
			q.mu.Unlock()
			return nil, fmt.Errorf("dequeue: %w", ErrClosed)
		}
		now := time.Now()
		q.reap(now)
		if e := q.popReady(); e != nil {
			d := q.deliver(e, now, lease)
			q.mu.Unlock()
			return d, nil
		}
		if err := q.wait(ctx); err != nil {
			q.mu.Unlock()
			return nil, err
		}
	}
}

// wait sleeps, with q.mu released, until something may have become ready,
// the next deadline passes, or ctx ends (the only case it returns an error).
// It is called and returns with q.mu held.
func (q *MemoryQueue) wait(ctx context.Context) error {
	w := make(chan struct{}, 1)
	q.waiters = append(q.waiters, w)
	var timeout <-chan time.Time
	if at := q.nextDeadline(); !at.IsZero() {
		t := time.NewTimer(time.Until(at))
		defer t.Stop()
		timeout = t.C
	}
	q.mu.Unlock()
	var err error
	select {
	case <-ctx.Done():
		err = ctx.Err()
	case <-w:
	case <-timeout:
	}
	if q.afterWake != nil {
		q.afterWake(err)
	}
	q.mu.Lock()
	if !q.dropWaiter(w) && err != nil {
		q.signalOne() // this waiter was woken but leaves: wake another
	}
	return err
}

// deliver leases e to a consumer. The body is copied because a later
// delivery of the same message must not share the consumer's slice.
func (q *MemoryQueue) deliver(e *entry, now time.Time, lease time.Duration) *Delivery {
	q.seq++
	e.deliveries++
	var buf [21]byte
	e.token = string(strconv.AppendUint(append(buf[:0], 'd'), q.seq, 10))
	q.toTimed(e, stateInFlight, &q.leases, now.Add(lease))
	return &Delivery{
		ID:             e.id,
		Key:            e.key,
		Body:           bytes.Clone(e.body),
		Priority:       e.prio,
		Attempt:        e.deliveries,
		EnqueuedAt:     e.enqueuedAt,
		LeaseExpiresAt: e.at,
		Token:          e.token,
	}
}

// Ack implements Queue. The message's key stays remembered until its dedup
// window ends.
func (q *MemoryQueue) Ack(ctx context.Context, d *Delivery) error {
	return q.finish(ctx, "ack", d, func(e *entry, _ time.Time) { q.remove(e) })
}

// Retry implements Queue. A delay <= 0 makes the message ready at once, at
// the back of its priority.
func (q *MemoryQueue) Retry(ctx context.Context, d *Delivery, delay time.Duration) error {
	return q.finish(ctx, "retry", d, func(e *entry, now time.Time) {
		e.failed(now)
		if delay <= 0 {
			q.toReady(e)
			return
		}
		q.toTimed(e, stateDelayed, &q.delayed, now.Add(delay))
	})
}

// DeadLetter implements Queue. The dead letter keeps its place in the
// capacity until replayed or deleted.
func (q *MemoryQueue) DeadLetter(ctx context.Context, d *Delivery, reason string) error {
	return q.finish(ctx, "dead-letter", d, func(e *entry, now time.Time) {
		e.failed(now)
		e.reason, e.failedAt = reason, now
		q.toDead(e)
	})
}

// finish checks that d is the live delivery of its message and applies f to
// it. A delivery stays live after its lease ends until the message is
// delivered again, which replaces the token.
func (q *MemoryQueue) finish(ctx context.Context, op string, d *Delivery, f func(e *entry, now time.Time)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d == nil {
		return fmt.Errorf("%s: nil delivery: %w", op, ErrInvalidArgument)
	}
	if d.Token == "" {
		return fmt.Errorf("%s %s: empty token: %w", op, d.ID, ErrInvalidArgument)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return fmt.Errorf("%s %s: %w", op, d.ID, ErrClosed)
	}
	e := q.msgs[d.ID]
	if e == nil || e.token != d.Token || (e.state != stateInFlight && e.state != stateReady) {
		return fmt.Errorf("%s %s: %w", op, d.ID, ErrLeaseLost)
	}
	e.token = ""
	f(e, time.Now())
	return nil
}

// DeadLetters implements Inspector. Bodies are copies.
func (q *MemoryQueue) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, fmt.Errorf("dead letters: %w", ErrClosed)
	}
	out := make([]DeadLetter, 0, min(limit, q.dead.Len()))
	for el := q.dead.Front(); el != nil && len(out) < limit; el = el.Next() {
		e := el.Value.(*entry)
		out = append(out, DeadLetter{
			ID: e.id, Key: e.key, Body: bytes.Clone(e.body), Priority: e.prio,
			Attempt: e.deliveries, EnqueuedAt: e.enqueuedAt, FirstFailedAt: e.firstFailedAt,
			FailedAt: e.failedAt, Reason: e.reason,
		})
	}
	return out, nil
}

// Replay implements Inspector. The message goes to the back of its
// priority.
func (q *MemoryQueue) Replay(ctx context.Context, id string) error {
	return q.withDead(ctx, "replay", id, func(e *entry) {
		e.deliveries, e.reason, e.failedAt = 0, "", time.Time{}
		q.toReady(e)
	})
}

// DeleteDeadLetter implements Inspector. It frees the message's place in the
// capacity.
func (q *MemoryQueue) DeleteDeadLetter(ctx context.Context, id string) error {
	return q.withDead(ctx, "delete dead letter", id, q.remove)
}

func (q *MemoryQueue) withDead(ctx context.Context, op, id string, f func(e *entry)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return fmt.Errorf("%s %s: %w", op, id, ErrClosed)
	}
	e := q.msgs[id]
	if e == nil || e.state != stateDead {
		return fmt.Errorf("%s %s: no such dead letter: %w", op, id, ErrNotFound)
	}
	f(e)
	return nil
}

// Stats implements Inspector. Messages whose delay or lease has ended count
// as ready.
func (q *MemoryQueue) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return Stats{}, fmt.Errorf("stats: %w", ErrClosed)
	}
	q.reap(time.Now())
	hi, lo := q.readyCount[PriorityHigh], q.readyCount[PriorityLow]
	return Stats{
		Ready:           hi + lo,
		Delayed:         q.delayed.Len(),
		InFlight:        q.leases.Len(),
		Dead:            q.dead.Len(),
		ReadyByPriority: map[Priority]int{PriorityHigh: hi, PriorityLow: lo},
		Oldest:          q.live.first(),
	}, nil
}

// Close implements Queue. The messages are dropped with the queue.
func (q *MemoryQueue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	for len(q.waiters) > 0 {
		q.signalOne()
	}
	return nil
}

package idempotency

import (
	"container/heap"
	"container/list"
	"time"
)

// entryState is where a message of a MemoryQueue is.
type entryState uint8

const (
	stateGone entryState = iota // acknowledged or deleted
	stateReady
	stateDelayed
	stateInFlight
	stateDead
)

// entry is one message of a MemoryQueue.
type entry struct {
	id         string
	key        string
	body       []byte
	prio       Priority
	enqueuedAt time.Time

	state      entryState
	deliveries int    // deliveries so far; the next one is attempt deliveries+1
	token      string // the last delivery's token while it may still finish
	at         time.Time
	idx        [2]int // index in the timed heap and in the live heap; -1 when in none
	readySeq   uint64 // tells a live ready-list item from a stale one

	deadElem      *list.Element
	reason        string
	failedAt      time.Time
	firstFailedAt time.Time // kept across Replay
}

// failed records a failure (Retry or DeadLetter) at now.
func (e *entry) failed(now time.Time) {
	if e.firstFailedAt.IsZero() {
		e.firstFailedAt = now
	}
}

// readyItem is a place in a ready list; it is stale when the entry left the
// ready state since (or came back with a new readySeq).
type readyItem struct {
	e   *entry
	seq uint64
}

// fifo is a first-in first-out list of ready items.
type fifo struct {
	items []readyItem
	head  int
}

func (f *fifo) push(it readyItem) { f.items = append(f.items, it) }

// pop returns the oldest live item, dropping stale ones on the way.
func (f *fifo) pop() *entry {
	for f.head < len(f.items) {
		it := f.items[f.head]
		f.items[f.head] = readyItem{}
		f.head++
		if it.e.state == stateReady && it.e.readySeq == it.seq {
			f.compact()
			return it.e
		}
	}
	f.items, f.head = f.items[:0], 0
	return nil
}

// compact reclaims the consumed front once it is most of the slice, so the
// list does not grow without bound under steady traffic.
func (f *fifo) compact() {
	if f.head >= 1024 && f.head*2 >= len(f.items) {
		n := copy(f.items, f.items[f.head:])
		clear(f.items[n:])
		f.items, f.head = f.items[:n], 0
	}
}

// The two index slots of an entry: where it is in its timed heap (delayed or
// leases) and in the live heap.
const (
	timedSlot = iota
	liveSlot
)

// entryHeap is a heap of entries ordered by one of their times: the time
// they come due (the delayed and lease heaps) or their enqueue time (the
// live heap, which lets Stats find the oldest live message without a scan).
// Each entry records its index in the heap so it can be removed from the
// middle.
type entryHeap struct {
	items []*entry
	slot  int // timedSlot: ordered by at; liveSlot: ordered by enqueuedAt
}

func (h *entryHeap) key(e *entry) time.Time {
	if h.slot == liveSlot {
		return e.enqueuedAt
	}
	return e.at
}

func (h *entryHeap) Len() int           { return len(h.items) }
func (h *entryHeap) Less(i, j int) bool { return h.key(h.items[i]).Before(h.key(h.items[j])) }
func (h *entryHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].idx[h.slot], h.items[j].idx[h.slot] = i, j
}
func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.idx[h.slot] = len(h.items)
	h.items = append(h.items, e)
}
func (h *entryHeap) Pop() any {
	e := h.items[len(h.items)-1]
	h.items[len(h.items)-1] = nil
	h.items = h.items[:len(h.items)-1]
	e.idx[h.slot] = -1
	return e
}

// top returns the earliest entry, or nil when empty.
func (h *entryHeap) top() *entry {
	if len(h.items) == 0 {
		return nil
	}
	return h.items[0]
}

// first returns the earliest time, or the zero time when empty.
func (h *entryHeap) first() time.Time {
	if e := h.top(); e != nil {
		return h.key(e)
	}
	return time.Time{}
}

// setLive adds e to or removes it from the live heap.
func (q *MemoryQueue) setLive(e *entry, live bool) {
	switch {
	case live && e.idx[liveSlot] < 0:
		heap.Push(&q.live, e)
	case !live && e.idx[liveSlot] >= 0:
		heap.Remove(&q.live, e.idx[liveSlot])
	}
}

// leave takes e out of its current state, keeping the counters right.
func (q *MemoryQueue) leave(e *entry) {
	switch e.state {
	case stateReady:
		q.readyCount[e.prio]--
	case stateDelayed:
		heap.Remove(&q.delayed, e.idx[timedSlot])
	case stateInFlight:
		heap.Remove(&q.leases, e.idx[timedSlot])
	case stateDead:
		q.dead.Remove(e.deadElem)
		e.deadElem = nil
	}
	e.state = stateGone
}

// toReady makes e ready at the back of its priority's list and wakes a
// waiting Dequeue.
func (q *MemoryQueue) toReady(e *entry) {
	q.leave(e)
	q.setLive(e, true)
	e.state = stateReady
	e.readySeq++
	q.ready[e.prio].push(readyItem{e: e, seq: e.readySeq})
	q.readyCount[e.prio]++
	q.signalOne()
}

// toTimed puts e in h (the delayed or lease heap) until at, and wakes a
// waiting Dequeue when at is now the earliest deadline, so that it sets its
// timer for it.
func (q *MemoryQueue) toTimed(e *entry, state entryState, h *entryHeap, at time.Time) {
	q.leave(e)
	q.setLive(e, true)
	e.state = state
	e.at = at
	heap.Push(h, e)
	if e.idx[timedSlot] == 0 {
		q.signalOne()
	}
}

// toDead moves e to the back of the dead-letter list.
func (q *MemoryQueue) toDead(e *entry) {
	q.leave(e)
	q.setLive(e, false)
	e.state = stateDead
	e.deadElem = q.dead.PushBack(e)
}

// remove forgets e.
func (q *MemoryQueue) remove(e *entry) {
	q.leave(e)
	q.setLive(e, false)
	delete(q.msgs, e.id)
}

// reap makes ready the delayed messages whose delay has passed and the
// in-flight ones whose lease has ended. An expired delivery keeps its token,
// so it can still be acknowledged until it is delivered again.
func (q *MemoryQueue) reap(now time.Time) {
	for e := q.delayed.top(); e != nil && !e.at.After(now); e = q.delayed.top() {
		q.toReady(e)
	}
	for e := q.leases.top(); e != nil && !e.at.After(now); e = q.leases.top() {
		q.toReady(e)
	}
}

// popReady returns the next ready message, high priority first, or nil.
func (q *MemoryQueue) popReady() *entry {
	for _, p := range [...]Priority{PriorityHigh, PriorityLow} {
		if q.readyCount[p] > 0 {
			if e := q.ready[p].pop(); e != nil {
				return e
			}
		}
	}
	return nil
}

// nextDeadline returns when the next delayed message or lease comes due, or
// the zero time when none is pending.
func (q *MemoryQueue) nextDeadline() time.Time {
	d, l := q.delayed.first(), q.leases.first()
	switch {
	case d.IsZero():
		return l
	case l.IsZero() || d.Before(l):
		return d
	}
	return l
}

// signalOne wakes the longest-waiting Dequeue, if any.
func (q *MemoryQueue) signalOne() {
	if len(q.waiters) == 0 {
		return
	}
	w := q.waiters[0]
	q.waiters[0] = nil
	q.waiters = q.waiters[1:]
	w <- struct{}{}
}

// dropWaiter removes w from the waiters and reports whether it was still
// there (false: it was signalled).
func (q *MemoryQueue) dropWaiter(w chan struct{}) bool {
	for i, x := range q.waiters {
		if x == w {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			return true
		}
	}
	return false
}

// pruneDedup forgets keys whose window ended at now. Windows end in the
// order they began unless the clock went back; then some keys are kept a
// little longer, which is harmless.
func (q *MemoryQueue) pruneDedup(now time.Time) {
	for q.dedupHead < len(q.dedupOrder) {
		it := q.dedupOrder[q.dedupHead]
		if it.expires.After(now) {
			break
		}
		if r, ok := q.dedup[it.key]; ok && r.expires.Equal(it.expires) {
			delete(q.dedup, it.key)
		}
		q.dedupOrder[q.dedupHead] = dedupItem{}
		q.dedupHead++
	}
	if q.dedupHead >= 1024 && q.dedupHead*2 >= len(q.dedupOrder) {
		n := copy(q.dedupOrder, q.dedupOrder[q.dedupHead:])
		clear(q.dedupOrder[n:])
		q.dedupOrder, q.dedupHead = q.dedupOrder[:n], 0
	}
}

type dedupRecord struct {
	id      string
	expires time.Time
}

type dedupItem struct {
	key     string
	expires time.Time
}

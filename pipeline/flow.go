package pipeline

import (
	"context"
	"sync"
)

// gate bounds the deliveries a running Worker holds, and tells the batcher
// how many dequeued deliveries are still on their way to it.
//
// A delivery is "up" from the moment a goroutine starts dequeuing it until it
// is handed to the batcher (or settled before that), and "down" while the
// batcher holds it (waiting, or in a call and its settling). Dequeuing waits
// while up or down is at its bound, and once either reached its bound, until
// both are refill below theirs, so that the deliveries dequeued next come
// together and are read in pages, rather than one by one as each fetch or
// call frees room for one.
type gate struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced when room is made
	up      int
	// dequeuing counts the deliveries of up that are still a Dequeue call
	// waiting for a message: they are not on their way yet.
	dequeuing int
	down      int
	full      bool // up or down reached its bound, and they have not yet fallen by refill
	// blocked counts the goroutines waiting for room: held back by the
	// bounds, they would be dequeuing, so the batcher counts them as on
	// their way. poke tells it when some are let go.
	blocked int
	poke    chan struct{}

	maxUp, maxDown, refill int
}

func newGate(maxUp, maxDown, refill int) *gate {
	return &gate{changed: make(chan struct{}), poke: make(chan struct{}, 1),
		maxUp: maxUp, maxDown: maxDown, refill: min(refill, maxUp-1, maxDown-1)}
}

// acquire waits for room for one more delivery and counts a Dequeue call
// under way; the caller reports its end with dequeued.
func (g *gate) acquire(ctx context.Context) error {
	waited := false
	for {
		g.mu.Lock()
		if g.full && g.up <= g.maxUp-g.refill && g.down <= g.maxDown-g.refill {
			g.full = false
		}
		if !g.full {
			g.up++
			g.dequeuing++
			g.checkFull()
			if waited {
				g.blocked--
				select {
				case g.poke <- struct{}{}:
				default:
				}
			}
			g.mu.Unlock()
			return nil
		}
		if !waited {
			waited = true
			g.blocked++
		}
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			g.mu.Lock()
			g.blocked--
			g.mu.Unlock()
			return ctx.Err()
		}
	}
}

// dequeued ends a Dequeue call: with a delivery (ok), it is on its way;
// without, its room is given back.
func (g *gate) dequeued(ok bool) {
	g.mu.Lock()
	g.dequeuing--
	if !ok {
		g.up--
		g.signal()
	}
	g.mu.Unlock()
}

// upstream returns the number of deliveries dequeued and not yet handed
// over, plus the goroutines held back by the bounds: a queue that filled
// the Worker up to its bounds is likely to hold more.
func (g *gate) upstream() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.up - g.dequeuing + g.blocked
}

// handOver moves jobs deliveries from up to the batcher, which keeps those of
// items (the others were settled before they reached it).
func (g *gate) handOver(jobs int, items []*item) {
	kept := 0
	for _, it := range items {
		kept += len(it.jobs)
	}
	g.mu.Lock()
	g.up -= jobs
	g.down += kept
	g.checkFull()
	g.signal()
	g.mu.Unlock()
}

// settled ends n deliveries the batcher held.
func (g *gate) settled(n int) {
	g.mu.Lock()
	g.down -= n
	g.signal()
	g.mu.Unlock()
}

// checkFull notes a bound reached.
func (g *gate) checkFull() {
	if g.up >= g.maxUp || g.down >= g.maxDown {
		g.full = true
	}
}

func (g *gate) signal() {
	close(g.changed)
	g.changed = make(chan struct{})
}

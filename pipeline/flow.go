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
// while up or down is at its bound.
type gate struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced when room is made
	up      int
	// dequeuing counts the deliveries of up that are still a Dequeue call
	// waiting for a message: they are not on their way yet.
	dequeuing int
	down      int

	maxUp, maxDown int
}

func newGate(maxUp, maxDown int) *gate {
	return &gate{changed: make(chan struct{}), maxUp: maxUp, maxDown: maxDown}
}

// acquire waits for room for one more delivery and counts a Dequeue call
// under way; the caller reports its end with dequeued.
func (g *gate) acquire(ctx context.Context) error {
	for {
		g.mu.Lock()
		if g.up < g.maxUp && g.down < g.maxDown {
			g.up++
			g.dequeuing++
			g.mu.Unlock()
			return nil
		}
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
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
// over.
func (g *gate) upstream() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.up - g.dequeuing
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

func (g *gate) signal() {
	close(g.changed)
	g.changed = make(chan struct{})
}

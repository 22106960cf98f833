package pipeline

import (
	"context"
	"testing"
	"testing/synctest"
)

func TestGateRefillsInChunks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate(4, 100, 3)
		ctx := context.Background()
		for range 4 {
			if err := g.acquire(ctx); err != nil {
				t.Fatal(err)
			}
			g.dequeued(true)
		}
		got := make(chan struct{}, 1)
		go func() {
			if g.acquire(ctx) == nil {
				got <- struct{}{}
			}
		}()
		// One delivery handed over frees room for one, but the gate waits
		// until there is room for refill (3).
		g.handOver(1, nil)
		synctest.Wait()
		if len(got) != 0 {
			t.Fatal("acquired with 3 of 4 up; want to wait for room for 3")
		}
		// Three dequeued, and one held back by the bound: a queue that
		// filled the gate likely holds more.
		if n := g.upstream(); n != 4 {
			t.Errorf("upstream %d, want 4", n)
		}
		g.handOver(2, nil)
		synctest.Wait()
		if len(got) != 1 {
			t.Fatal("not acquired with 1 of 4 up")
		}
		select {
		case <-g.poke:
		default:
			t.Error("the batcher was not poked when the held-back goroutine was let go")
		}
		// A Dequeue under way is not upstream yet.
		if n := g.upstream(); n != 1 {
			t.Errorf("upstream %d with one Dequeue under way, want 1", n)
		}
	})
}

func TestGateBoundsTheBatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate(10, 2, 5)
		ctx, cancel := context.WithCancel(context.Background())
		for range 2 {
			_ = g.acquire(ctx)
			g.dequeued(true)
		}
		g.handOver(2, []*item{{jobs: []*job{{}}}, {jobs: []*job{{}}}})
		errc := make(chan error, 1)
		go func() { errc <- g.acquire(ctx) }()
		synctest.Wait()
		if len(errc) != 0 {
			t.Fatal("acquired with the batcher at its bound")
		}
		g.settled(1)
		synctest.Wait()
		if err := <-errc; err != nil {
			t.Fatalf("acquire after settling = %v", err)
		}
		// Room is given back by a Dequeue that failed, not by one that
		// returned a delivery.
		g.dequeued(false)
		if n := g.upstream(); n != 0 {
			t.Errorf("upstream %d after a failed Dequeue, want 0", n)
		}
		g.handOver(0, []*item{{jobs: []*job{{}}}}) // the batcher at its bound again
		go func() { errc <- g.acquire(ctx) }()
		synctest.Wait()
		cancel()
		if err := <-errc; err == nil {
			t.Error("acquire returned nil after its context was cancelled while waiting")
		}
	})
}

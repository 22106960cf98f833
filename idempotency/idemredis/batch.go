package idemredis

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// errShortReply reports a batch reply with fewer results than requests.
var errShortReply = errors.New("reply holds fewer results than requests")

// maxBatch bounds how many calls share one round trip: 128 Enqueues (a few
// hundred kilobytes of webhook bodies at most), Dequeues or Acks.
const maxBatch = 128

// batcher commits concurrent calls of one kind in groups: a call that finds
// no round trip of its kind in flight is sent at once, alone, in the
// caller's goroutine, so a lone call waits for nothing; calls that arrive
// while one is in flight wait, and are sent together, up to max at a time,
// as soon as it returns. At most one round trip per batcher is in flight, so
// under load the batch grows with the arrival rate instead of the number of
// connections. Each caller gets its own reply.
//
// run sends one batch and returns one result per request, in order, or an
// error that applies to every request of the batch (Redis unreachable, say).
type batcher[Req, Res any] struct {
	run func(ctx context.Context, reqs []Req) ([]Res, error)
	max int // <= 1: no batching at all, every call runs on its own

	trips, calls atomic.Int64 // round trips made and calls they carried

	mu      sync.Mutex
	busy    bool // a round trip is in flight, or about to be
	pending []*call[Req, Res]
	idle    chan struct{} // closed when busy turns false; nil while idle
}

// call is one caller's request and, once done is closed, its outcome.
type call[Req, Res any] struct {
	req  Req
	res  Res
	err  error
	done chan struct{}
}

func newBatcher[Req, Res any](max int, run func(ctx context.Context, reqs []Req) ([]Res, error)) *batcher[Req, Res] {
	return &batcher[Req, Res]{run: run, max: max}
}

// do sends req, alone or with others, and returns its result. When ctx ends
// before req was sent, do returns ctx.Err() and req is never sent. When ctx
// ends while req is in flight, do returns ctx.Err() at once and the outcome
// is unknown to the caller, as with any command canceled in flight; the
// others in the batch get theirs all the same.
func (b *batcher[Req, Res]) do(ctx context.Context, req Req) (Res, error) {
	if b.max <= 1 {
		b.count(1)
		return one(b.run(ctx, []Req{req}))
	}
	b.mu.Lock()
	if !b.busy {
		b.busy = true
		b.mu.Unlock()
		b.count(1)
		// Alone: the caller's context bounds its own round trip.
		res, err := one(b.run(ctx, []Req{req}))
		b.next()
		return res, err
	}
	c := &call[Req, Res]{req: req, done: make(chan struct{})}
	b.pending = append(b.pending, c)
	b.mu.Unlock()
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		b.mu.Lock()
		if i := slices.Index(b.pending, c); i >= 0 {
			b.pending = slices.Delete(b.pending, i, i+1)
		}
		b.mu.Unlock()
		var zero Res
		return zero, ctx.Err()
	}
}

// next sends what gathered while a round trip was in flight, or marks the
// batcher idle. The batch runs in a goroutine of its own, on a context that
// no caller can cancel (the client's timeouts bound it), so that one caller
// giving up does not fail the others.
func (b *batcher[Req, Res]) next() {
	b.mu.Lock()
	if len(b.pending) == 0 {
		b.busy = false
		if b.idle != nil {
			close(b.idle)
			b.idle = nil
		}
		b.mu.Unlock()
		return
	}
	n := min(len(b.pending), b.max)
	batch := slices.Clone(b.pending[:n])
	b.pending = slices.Delete(b.pending, 0, n)
	b.mu.Unlock()
	b.count(len(batch))
	go func() {
		reqs := make([]Req, len(batch))
		for i, c := range batch {
			reqs[i] = c.req
		}
		res, err := b.run(context.Background(), reqs)
		if err == nil && len(res) != len(reqs) {
			err = errShortReply
		}
		for i, c := range batch {
			if err == nil {
				c.res = res[i]
			} else {
				c.err = err
			}
			close(c.done)
		}
		b.next()
	}()
}

// count records a round trip carrying n calls.
func (b *batcher[Req, Res]) count(n int) {
	b.trips.Add(1)
	b.calls.Add(int64(n))
}

// drain waits until nothing is pending or in flight, or ctx ends. Calls made
// meanwhile are served too; the Queue refuses new ones once closed.
func (b *batcher[Req, Res]) drain(ctx context.Context) error {
	b.mu.Lock()
	if !b.busy {
		b.mu.Unlock()
		return nil
	}
	if b.idle == nil {
		b.idle = make(chan struct{})
	}
	idle := b.idle
	b.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// one returns the single result of a batch of one.
func one[Res any](res []Res, err error) (Res, error) {
	if err == nil && len(res) == 1 {
		return res[0], nil
	}
	var zero Res
	if err == nil {
		err = errShortReply
	}
	return zero, err
}

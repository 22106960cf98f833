package idemtest

import (
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// Clock is a fake idempotency.Clock whose time moves only when Advance or
// Set is called. It fires every timer whose deadline the new time reaches.
// The zero value is not usable; call NewClock. It is safe for concurrent
// use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*fakeTimer]struct{}
}

var _ idempotency.Clock = (*Clock)(nil)

// NewClock returns a Clock that reads start until moved.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, timers: make(map[*fakeTimer]struct{})}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// TimerAt returns a timer that fires when the clock reaches deadline; at
// once if it already has.
func (c *Clock) TimerAt(deadline time.Time) idempotency.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, deadline: deadline, ch: make(chan time.Time, 1)}
	if !deadline.After(c.now) {
		t.ch <- c.now
		return t
	}
	c.timers[t] = struct{}{}
	return t
}

// Advance moves the clock forward by d (a negative d is ignored) and fires
// the timers whose deadline it reaches.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.moveTo(c.now.Add(max(d, 0)))
}

// Set moves the clock to t, which may be earlier than now, and fires the
// timers whose deadline it reaches.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.moveTo(t)
}

// Waiters returns the number of timers that have not fired or been stopped:
// a test can wait for it to grow to know that a goroutine is blocked on the
// clock.
func (c *Clock) Waiters() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

func (c *Clock) moveTo(t time.Time) {
	c.now = t
	for ft := range c.timers {
		if !ft.deadline.After(t) {
			delete(c.timers, ft)
			ft.ch <- t
		}
	}
}

type fakeTimer struct {
	clock    *Clock
	deadline time.Time
	ch       chan time.Time
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	_, pending := t.clock.timers[t]
	delete(t.clock.timers, t)
	return pending
}

package idempotency

import "time"

// Clock is the source of time for leases, retention, dedup windows and retry
// delays. A fake clock in tests moves time by hand and fires the timers it
// made when it reaches their deadline; that is what wakes a Dequeue blocked
// on a delayed message. Timers take an absolute deadline rather than a
// duration so that a fake clock moved between reading the time and setting
// a timer cannot push the deadline later.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// TimerAt returns a timer that fires once, when the clock reaches
	// deadline; a deadline not after Now fires at once.
	TimerAt(deadline time.Time) Timer
}

// Timer is a one-shot timer made by a Clock.
type Timer interface {
	// C returns the channel on which the timer sends the time when it fires.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it stopped it.
	Stop() bool
}

// SystemClock returns the Clock of the time package.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) TimerAt(deadline time.Time) Timer {
	return systemTimer{time.NewTimer(time.Until(deadline))}
}

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }

func (t systemTimer) Stop() bool { return t.t.Stop() }

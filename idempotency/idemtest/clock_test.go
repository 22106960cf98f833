package idemtest_test

import (
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func fired(ch <-chan time.Time) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	c := idemtest.NewClock(epoch)
	if !c.Now().Equal(epoch) {
		t.Fatalf("Now() = %v, want %v", c.Now(), epoch)
	}
	past := c.TimerAt(epoch)
	if !fired(past.C()) {
		t.Fatal("timer at the current time did not fire at once")
	}
	t1 := c.TimerAt(epoch.Add(time.Second))
	t2 := c.TimerAt(epoch.Add(2 * time.Second))
	stopped := c.TimerAt(epoch.Add(time.Second))
	if c.Waiters() != 3 {
		t.Fatalf("Waiters() = %d, want 3", c.Waiters())
	}
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop should report true once, then false")
	}
	c.Advance(time.Second - time.Nanosecond)
	if fired(t1.C()) || fired(t2.C()) {
		t.Fatal("timer fired before its deadline")
	}
	c.Advance(time.Nanosecond)
	if !fired(t1.C()) || fired(t2.C()) || fired(stopped.C()) {
		t.Fatal("after 1 s want only the 1 s timer fired")
	}
	if t1.Stop() {
		t.Fatal("Stop of a fired timer reported true")
	}
	c.Advance(-time.Hour)
	if !c.Now().Equal(epoch.Add(time.Second)) {
		t.Fatalf("negative Advance moved the clock to %v", c.Now())
	}
	c.Set(epoch.Add(time.Minute))
	if !fired(t2.C()) || c.Waiters() != 0 {
		t.Fatalf("Set past the deadline: fired=false or %d waiters left", c.Waiters())
	}
	c.Set(epoch)
	if !c.Now().Equal(epoch) {
		t.Fatalf("Set back: Now() = %v, want %v", c.Now(), epoch)
	}
}

func TestDefaultConfig(t *testing.T) {
	t.Parallel()
	c := idemtest.DefaultConfig()
	want := idemtest.Config{Racers: 50, Messages: 10000, Consumers: 8, Lease: 200 * time.Millisecond,
		Wait: 5 * time.Second, BulkWait: 2 * time.Minute}
	if testing.Short() {
		want.Messages = 500
	}
	if c != want {
		t.Fatalf("DefaultConfig() = %+v, want %+v", c, want)
	}
}

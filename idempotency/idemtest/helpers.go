package idemtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// longLease is a lease no case lets expire, so that cases which assert
// exclusivity do not depend on the speed of the machine.
const longLease = time.Minute

// pollInterval is how often "eventually" checks look again.
const pollInterval = 20 * time.Millisecond

// eventually calls cond every pollInterval until it returns true or wait
// passes, and reports whether it returned true.
func eventually(wait time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(wait)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollInterval)
	}
}

// timeout returns a context that ends after d or with the test.
func timeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// wantErr fails t unless err matches target with errors.Is.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// noErr stops t when err is not nil.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func begin(t *testing.T, s idempotency.Store, key string, lease time.Duration) idempotency.Claim {
	t.Helper()
	c, err := s.Begin(t.Context(), key, lease)
	noErr(t, "Begin("+key+")", err)
	return c
}

func wantStatus(t *testing.T, what string, c idempotency.Claim, want idempotency.ClaimStatus) {
	t.Helper()
	if c.Status != want {
		t.Fatalf("%s: status %v, want %v", what, c.Status, want)
	}
	if (want == idempotency.Claimed) != (c.Token != "") {
		t.Fatalf("%s: status %v with token %q: only Claimed carries a token", what, c.Status, c.Token)
	}
}

func enqueue(t *testing.T, q idempotency.Queue, m idempotency.Message) idempotency.EnqueueResult {
	t.Helper()
	r, err := q.Enqueue(t.Context(), m)
	noErr(t, "Enqueue("+m.Key+")", err)
	return r
}

// dequeue waits up to wait for a delivery and stops t if none comes.
func dequeue(t *testing.T, q idempotency.Queue, lease, wait time.Duration) *idempotency.Delivery {
	t.Helper()
	d, err := q.Dequeue(timeout(t, wait), lease)
	noErr(t, "Dequeue", err)
	if d == nil {
		t.Fatal("Dequeue returned nil delivery and nil error")
	}
	return d
}

// wantEmpty asserts that no delivery comes within wait.
func wantEmpty(t *testing.T, q idempotency.Queue, wait time.Duration) {
	t.Helper()
	d, err := q.Dequeue(timeout(t, wait), longLease)
	if err == nil {
		t.Fatalf("Dequeue: got message %q (attempt %d), want none", d.Key, d.Attempt)
	}
	wantErr(t, "Dequeue on empty queue", err, context.DeadlineExceeded)
}

func stats(t *testing.T, q idempotency.Inspector) idempotency.Stats {
	t.Helper()
	s, err := q.Stats(t.Context())
	noErr(t, "Stats", err)
	return s
}

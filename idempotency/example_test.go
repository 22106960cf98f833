package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemtest"
)

// errPermanent marks a failure that no retry can fix, such as an order that
// Salesforce rejects for its data.
var errPermanent = errors.New("permanent")

// maxAttempts is the worker's policy: the queue only counts attempts.
const maxAttempts = 3

// handle runs one delivery through the Store gate and the work, and settles
// it on the queue. It is the heart of a bc2sf worker.
func handle(ctx context.Context, q idempotency.Queue, s idempotency.Store, d *idempotency.Delivery, work func([]byte) error) error {
	claim, err := s.Begin(ctx, d.Key, time.Minute)
	if err != nil {
		return q.Retry(ctx, d, time.Second)
	}
	switch claim.Status {
	case idempotency.Done: // an earlier delivery already did the work
		fmt.Printf("%s: already done, acked\n", d.Key)
		return q.Ack(ctx, d)
	case idempotency.InFlight: // another worker is on it; look again later
		return q.Retry(ctx, d, 10*time.Second)
	}
	if err := work(d.Body); err != nil {
		if rerr := s.Release(ctx, d.Key, claim.Token); rerr != nil && !errors.Is(rerr, idempotency.ErrLeaseLost) {
			return rerr
		}
		if errors.Is(err, errPermanent) || d.Attempt >= maxAttempts {
			fmt.Printf("%s: attempt %d failed (%v), dead-lettered\n", d.Key, d.Attempt, err)
			return q.DeadLetter(ctx, d, err.Error())
		}
		fmt.Printf("%s: attempt %d failed (%v), retrying\n", d.Key, d.Attempt, err)
		return q.Retry(ctx, d, time.Duration(d.Attempt)*time.Second)
	}
	// ErrLeaseLost here means the lease ran out and another worker took the
	// key: the work ran twice, which upsert by external ID makes harmless.
	if err := s.Complete(ctx, d.Key, claim.Token, 0); err != nil && !errors.Is(err, idempotency.ErrLeaseLost) {
		return err
	}
	fmt.Printf("%s: attempt %d done, acked\n", d.Key, d.Attempt)
	return q.Ack(ctx, d)
}

// Example shows the worker loop: Dequeue, claim the key in the Store, do the
// work, then Complete and Ack; on failure Release and Retry with a delay, or
// DeadLetter once the failure is permanent or attempts run out.
func Example() {
	ctx := context.Background()
	// A fake clock makes the retry delay take no real time, so that the
	// output is the same on any machine.
	clock := idemtest.NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	q := idempotency.NewMemoryQueue(idempotency.WithClock(clock))
	defer q.Close()
	store := idempotency.NewMemoryStore(idempotency.WithClock(clock))

	for _, m := range []idempotency.Message{
		{Key: "order-100", Body: []byte("ok")},
		{Key: "order-101", Body: []byte("flaky")},
		{Key: "order-102", Body: []byte("bad")},
		{Key: "order-100", Body: []byte("ok")}, // BigCommerce delivered it twice
		{Key: "order-7", Body: []byte("ok"), Priority: idempotency.PriorityLow},
	} {
		r, err := q.Enqueue(ctx, m)
		if err != nil {
			fmt.Println(err)
			return
		}
		if r.Duplicate {
			fmt.Printf("%s: duplicate, not queued\n", m.Key)
		}
	}

	flaky := 0
	work := func(body []byte) error {
		switch string(body) {
		case "flaky":
			if flaky++; flaky < 2 {
				return errors.New("salesforce busy")
			}
		case "bad":
			return fmt.Errorf("no such product: %w", errPermanent)
		}
		return nil
	}

	for {
		s, err := q.Stats(ctx)
		if err != nil || s.Depth() == 0 {
			break
		}
		if s.Ready == 0 {
			clock.Advance(time.Second) // a real worker just blocks in Dequeue
			continue
		}
		d, err := q.Dequeue(ctx, 30*time.Second)
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := handle(ctx, q, store, d, work); err != nil {
			fmt.Println(err)
			return
		}
	}
	dead, _ := q.DeadLetters(ctx, 10)
	for _, dl := range dead {
		fmt.Printf("dead letter %s: %s\n", dl.Key, dl.Reason)
	}
	// Output:
	// order-100: duplicate, not queued
	// order-100: attempt 1 done, acked
	// order-101: attempt 1 failed (salesforce busy), retrying
	// order-102: attempt 1 failed (no such product: permanent), dead-lettered
	// order-7: attempt 1 done, acked
	// order-101: attempt 2 done, acked
	// dead letter order-102: no such product: permanent
}

// ExampleMemoryStore shows the three outcomes of Begin and what a lost lease
// does to a late Complete.
func ExampleMemoryStore() {
	ctx := context.Background()
	clock := idemtest.NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	s := idempotency.NewMemoryStore(idempotency.WithClock(clock))

	a, _ := s.Begin(ctx, "order-100", 30*time.Second)
	b, _ := s.Begin(ctx, "order-100", time.Minute)
	fmt.Println("first worker:", a.Status)
	fmt.Println("second worker:", b.Status)

	clock.Advance(31 * time.Second) // the first worker stalls past its lease
	c, _ := s.Begin(ctx, "order-100", time.Minute)
	fmt.Println("third worker:", c.Status)
	fmt.Println("third completes:", s.Complete(ctx, "order-100", c.Token, 0))
	err := s.Complete(ctx, "order-100", a.Token, 0)
	fmt.Println("first completes late, lease lost:", errors.Is(err, idempotency.ErrLeaseLost))

	d, _ := s.Begin(ctx, "order-100", time.Minute)
	fmt.Println("redelivery:", d.Status)
	// Output:
	// first worker: claimed
	// second worker: in flight
	// third worker: claimed
	// third completes: <nil>
	// first completes late, lease lost: true
	// redelivery: done
}

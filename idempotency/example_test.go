package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// errPermanent marks a failure that no retry can fix, such as an order that
// Salesforce rejects for its data.
var errPermanent = errors.New("permanent")

// maxAttempts is the worker's policy: the queue only counts attempts.
const maxAttempts = 3

// retryDelay is short so that the example runs quickly; a real worker waits
// seconds to minutes.
const retryDelay = 200 * time.Millisecond

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
		return q.Retry(ctx, d, time.Duration(d.Attempt)*retryDelay)
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
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	var inspect idempotency.Inspector = q // the operator's view of the same queue
	store := idempotency.NewMemoryStore()

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
		s, err := inspect.Stats(ctx)
		if err != nil || s.Depth() == 0 {
			break // a real worker keeps waiting in Dequeue
		}
		d, err := q.Dequeue(ctx, 30*time.Second) // waits for order-101's retry delay
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := handle(ctx, q, store, d, work); err != nil {
			fmt.Println(err)
			return
		}
	}
	dead, _ := inspect.DeadLetters(ctx, 10)
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
	s := idempotency.NewMemoryStore()

	a, _ := s.Begin(ctx, "order-100", 100*time.Millisecond)
	b, _ := s.Begin(ctx, "order-100", time.Minute)
	fmt.Println("first worker:", a.Status)
	fmt.Println("second worker:", b.Status)

	time.Sleep(150 * time.Millisecond) // the first worker stalls past its lease
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

// ExampleInspector lists a dead letter with its failure times and replays
// it, as an operator's console does.
func ExampleInspector() {
	ctx := context.Background()
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	var inspect idempotency.Inspector = q

	_, _ = q.Enqueue(ctx, idempotency.Message{Key: "order-102"})
	d, _ := q.Dequeue(ctx, time.Minute)
	_ = q.Retry(ctx, d, 0)
	d, _ = q.Dequeue(ctx, time.Minute)
	_ = q.DeadLetter(ctx, d, "no such product")

	s, _ := inspect.Stats(ctx)
	fmt.Println("live:", s.Depth(), "dead:", s.Dead, "oldest live:", s.Oldest.IsZero())
	dead, _ := inspect.DeadLetters(ctx, 0)
	for _, dl := range dead {
		fmt.Printf("%s attempt %d: %s (first failure no later than the last: %v)\n",
			dl.Key, dl.Attempt, dl.Reason, !dl.FirstFailedAt.After(dl.FailedAt))
		if err := inspect.Replay(ctx, dl.ID); err != nil {
			fmt.Println(err)
		}
	}
	d, _ = q.Dequeue(ctx, time.Minute)
	fmt.Println("replayed:", d.Key, "attempt", d.Attempt)
	// Output:
	// live: 0 dead: 1 oldest live: true
	// order-102 attempt 2: no such product (first failure no later than the last: true)
	// replayed: order-102 attempt 1
}

// ExampleStore_sync follows one order through the sync record: two events
// queued before a sync share its message and are covered by it, an event
// during the sync gets a message of its own, and the version written is
// there for the next sync to compare with.
func ExampleStore_sync() {
	ctx := context.Background()
	var s idempotency.Store = idempotency.NewMemoryStore()
	q := idempotency.NewMemoryQueue()
	defer q.Close()

	// The receiver: tag each event with the order's generation and key the
	// message by it, in one step (one round trip on Redis).
	receive := func(event string) {
		res, _ := idempotency.EnqueueTagged(ctx, q, s, "order:250", idempotency.Message{Key: "sync:250:"})
		fmt.Printf("%s: queued=%v\n", event, !res.Duplicate)
	}
	// A worker: claim the order with the tag that ends the key, read and
	// write it, finish.
	work := func(during func()) {
		d, _ := q.Dequeue(ctx, time.Minute)
		c, _ := s.StartSync(ctx, "order:250", strings.TrimPrefix(d.Key, "sync:250:"), time.Minute)
		if c.Status != idempotency.Claimed {
			fmt.Println("worker:", c.Status)
			_ = q.Ack(ctx, d)
			return
		}
		fmt.Printf("worker: claimed, last written %q\n", c.Version)
		if during != nil {
			during() // BigCommerce changes the order while it is being synced
		}
		_ = s.FinishSync(ctx, "order:250", c.Token, "modified 10:02")
		_ = q.Ack(ctx, d)
	}

	receive("created")
	receive("statusUpdated")
	work(func() { receive("refund/created") })
	work(nil)
	// Output:
	// created: queued=true
	// statusUpdated: queued=false
	// worker: claimed, last written ""
	// refund/created: queued=true
	// worker: claimed, last written "modified 10:02"
}

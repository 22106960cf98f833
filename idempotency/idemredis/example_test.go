package idemredis_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/redis/go-redis/v9"
)

// A receiver enqueues; a worker dequeues, claims the key in the Store, does
// the work, completes the key and acknowledges. It needs a running Redis,
// so it has no output to check.
func Example() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()

	q, err := idemredis.NewQueue(client, idemredis.WithPrefix("shop1"),
		idemredis.WithOptions(idempotency.WithDedupWindow(48*time.Hour)))
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	store, err := idemredis.NewStore(client, idemredis.WithPrefix("shop1"))
	if err != nil {
		log.Fatal(err)
	}

	// Receiver: answer 503 when this fails, so the sender delivers again.
	if _, err := q.Enqueue(ctx, idempotency.Message{Key: "order-100", Body: []byte(`{"id":100}`)}); err != nil {
		log.Printf("enqueue: %v", err)
		return
	}

	// Worker.
	d, err := q.Dequeue(ctx, 30*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	claim, err := store.Begin(ctx, d.Key, time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	switch claim.Status {
	case idempotency.Done:
		err = q.Ack(ctx, d)
	case idempotency.InFlight:
		err = q.Retry(ctx, d, time.Until(claim.ExpiresAt))
	case idempotency.Claimed:
		fmt.Println("syncing", d.Key, "attempt", d.Attempt)
		if err = store.Complete(ctx, d.Key, claim.Token, 0); err == nil {
			err = q.Ack(ctx, d)
		}
	}
	if errors.Is(err, idempotency.ErrLeaseLost) {
		log.Printf("%s was redelivered meanwhile; the other delivery finishes it", d.Key)
	}
}

// WithOptions carries the settings shared by every implementation.
func ExampleWithOptions() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	q, err := idemredis.NewQueue(client,
		idemredis.WithPrefix("bc2sf-staging"),
		idemredis.WithOptions(idempotency.WithLease(time.Minute), idempotency.WithCapacity(1_000_000)),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	fmt.Println(q.Consumer() != "")
}

// A reconciler's checkpoint lives next to the queue of the same prefix, so
// that a restarted worker resumes where the last one stopped.
func ExampleNewCheckpoint() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	cp := idemredis.NewCheckpoint(client, idemredis.CheckpointKey("shop1"))
	fmt.Println(cp.Key())
	// Output: shop1:reconcile:checkpoint
}

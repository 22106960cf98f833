package idemredis_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
)

// FuzzMessageRoundTrip sends arbitrary keys and bodies (they come from
// webhooks) through a real server: an empty key is refused, anything else
// comes back byte for byte, and the queue is empty afterwards.
func FuzzMessageRoundTrip(f *testing.F) {
	f.Add("order-1", []byte(`{"id":1}`), false)
	f.Add("{bc2sf}:q:high", []byte{0, 0xff, '\r', '\n'}, true)
	f.Add("", []byte("x"), false)
	f.Add("k\x00ey", []byte(nil), true)
	client := newClient(f, redistest.Start(f))
	q, err := idemredis.NewQueue(client, idemredis.WithPrefix(freshPrefix(f)),
		idemredis.WithOptions(idempotency.WithDedupWindow(0)))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key string, body []byte, low bool) {
		ctx := t.Context()
		prio := idempotency.PriorityHigh
		if low {
			prio = idempotency.PriorityLow
		}
		r, err := q.Enqueue(ctx, idempotency.Message{Key: key, Body: body, Priority: prio})
		if key == "" {
			if !errors.Is(err, idempotency.ErrInvalidArgument) {
				t.Fatalf("Enqueue with an empty key = %v, want ErrInvalidArgument", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		d, err := q.Dequeue(ctx, time.Minute)
		if err != nil {
			t.Fatalf("Dequeue: %v", err)
		}
		if d.ID != r.ID || d.Key != key || !bytes.Equal(d.Body, body) || d.Priority != prio {
			t.Fatalf("delivery %+v, want ID %q key %q body %q priority %v", d, r.ID, key, body, prio)
		}
		if err := q.Ack(ctx, d); err != nil {
			t.Fatalf("Ack: %v", err)
		}
	})
}

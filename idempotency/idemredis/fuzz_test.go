package idemredis_test

import (
	"bytes"
	"errors"
	"strconv"
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

// FuzzStartSyncGeneration feeds the sync script the generation a queue
// message carries, which is untrusted: any text gives Claimed or Done
// without an error, never Done before a sync finished, for an untagged
// message or for a tag read after the finished sync was claimed, and always
// Done for "0" once one finished.
func FuzzStartSyncGeneration(f *testing.F) {
	for _, g := range []string{"", "0", "1.0", "x.y", "..", "1.-1", "%d.%d", "9999999999999999999.1", "1.99999999999999999999"} {
		f.Add(g, true)
		f.Add(g, false)
	}
	client := newClient(f, redistest.Start(f))
	s, err := idemredis.NewStore(client, idemredis.WithPrefix(freshPrefix(f)))
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	f.Fuzz(func(t *testing.T, gen string, finished bool) {
		ctx := t.Context()
		n++
		r := "r" + strconv.Itoa(n)
		first, err := s.StartSync(ctx, r, "", time.Minute)
		if err != nil || first.Status != idempotency.Claimed {
			t.Fatalf("first StartSync = %+v, %v", first, err)
		}
		after, err := s.Generation(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if finished {
			err = s.FinishSync(ctx, r, first.Token, "v")
		} else {
			err = s.AbortSync(ctx, r, first.Token)
		}
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.StartSync(ctx, r, gen, time.Minute)
		if err != nil {
			t.Fatalf("StartSync(%q): %v", gen, err)
		}
		switch {
		case c.Status != idempotency.Claimed && c.Status != idempotency.Done:
			t.Fatalf("StartSync(%q) = %v", gen, c.Status)
		case c.Status == idempotency.Done && (!finished || gen == "" || gen == after):
			t.Fatalf("StartSync(%q) = done (finished %v, tag after the claim %q)", gen, finished, after)
		case finished && gen == "0" && c.Status != idempotency.Done:
			t.Fatalf(`StartSync("0") after a finished sync = %v, want done`, c.Status)
		}
	})
}

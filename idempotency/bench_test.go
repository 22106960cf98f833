package idempotency_test

import (
	"bytes"
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

var benchBody = bytes.Repeat([]byte("x"), 256) // about a webhook envelope

// BenchmarkQueueRoundTrip measures one message through Enqueue, Dequeue and
// Ack. The baseline is the floor for any in-process queue: a buffered
// channel carrying a copy of the message, with a mutex-guarded map standing
// in for the in-flight set.
func BenchmarkQueueRoundTrip(b *testing.B) {
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = "order-" + strconv.Itoa(i)
	}
	b.Run("baseline=chan+map", func(b *testing.B) {
		type msg struct {
			key  string
			body []byte
		}
		ch := make(chan *msg, 1)
		var mu sync.Mutex
		inflight := make(map[string]*msg)
		b.ReportAllocs()
		for i := range b.N {
			key := keys[i%len(keys)] + "-" + strconv.Itoa(i)
			ch <- &msg{key: key, body: bytes.Clone(benchBody)}
			m := <-ch
			mu.Lock()
			inflight[m.key] = m
			mu.Unlock()
			mu.Lock()
			delete(inflight, m.key)
			mu.Unlock()
		}
	})
	for _, bc := range []struct {
		name string
		opts []idempotency.Option
	}{
		{"memory/dedup=off", []idempotency.Option{idempotency.WithDedupWindow(0)}},
		{"memory/dedup=24h", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			q := idempotency.NewMemoryQueue(bc.opts...)
			ctx := context.Background()
			b.ReportAllocs()
			for i := range b.N {
				// Distinct keys so that deduplication never short-cuts.
				key := keys[i%len(keys)] + "-" + strconv.Itoa(i)
				if _, err := q.Enqueue(ctx, idempotency.Message{Key: key, Body: benchBody}); err != nil {
					b.Fatal(err)
				}
				d, err := q.Dequeue(ctx, time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				if err := q.Ack(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQueueRoundTripParallel is BenchmarkQueueRoundTrip with every
// goroutine producing and consuming at once, to show lock contention.
func BenchmarkQueueRoundTripParallel(b *testing.B) {
	q := idempotency.NewMemoryQueue(idempotency.WithDedupWindow(0))
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := q.Enqueue(ctx, idempotency.Message{Key: "k", Body: benchBody}); err != nil {
				b.Error(err)
				return
			}
			d, err := q.Dequeue(ctx, time.Minute)
			if err != nil {
				b.Error(err)
				return
			}
			if err := q.Ack(ctx, d); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkStoreBeginComplete measures claiming and completing a new key. The
// baseline is a mutex-guarded map recording the key as done.
func BenchmarkStoreBeginComplete(b *testing.B) {
	b.Run("baseline=map", func(b *testing.B) {
		var mu sync.Mutex
		done := make(map[string]time.Time)
		b.ReportAllocs()
		for i := range b.N {
			key := "order-" + strconv.Itoa(i)
			mu.Lock()
			if _, ok := done[key]; !ok {
				done[key] = time.Now()
			}
			mu.Unlock()
		}
	})
	b.Run("memory", func(b *testing.B) {
		s := idempotency.NewMemoryStore()
		ctx := context.Background()
		b.ReportAllocs()
		for i := range b.N {
			key := "order-" + strconv.Itoa(i)
			c, err := s.Begin(ctx, key, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			if c.Status != idempotency.Claimed {
				b.Fatalf("Begin(%s) = %v, want claimed", key, c.Status)
			}
			if err := s.Complete(ctx, key, c.Token, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package idemredis_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// rawRoundTrip sends one message through the bare stream commands.
type rawRoundTrip struct {
	client *redis.Client
	stream string
	read   *redis.XReadGroupArgs
	body   []byte
}

func newRawRoundTrip(b *testing.B, client *redis.Client, body []byte) *rawRoundTrip {
	b.Helper()
	stream := freshPrefix(b) + ":raw"
	if err := client.XGroupCreateMkStream(context.Background(), stream, "g", "0").Err(); err != nil {
		b.Fatal(err)
	}
	return &rawRoundTrip{
		client: client,
		stream: stream,
		read:   &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{stream, ">"}, Count: 1, Block: -1},
		body:   body,
	}
}

func (r *rawRoundTrip) run(b *testing.B) {
	ctx := context.Background()
	if err := r.client.XAdd(ctx, &redis.XAddArgs{Stream: r.stream, Values: []any{"k", "key", "b", r.body}}).Err(); err != nil {
		b.Fatal(err)
	}
	res, err := r.client.XReadGroup(ctx, r.read).Result()
	if err != nil || len(res) != 1 || len(res[0].Messages) != 1 {
		b.Fatalf("XREADGROUP = %v, %v", res, err)
	}
	if err := r.client.XAck(ctx, r.stream, "g", res[0].Messages[0].ID).Err(); err != nil {
		b.Fatal(err)
	}
}

func queueRoundTrip(b *testing.B, q *idemredis.Queue, key string, body []byte) {
	ctx := context.Background()
	if _, err := q.Enqueue(ctx, idempotency.Message{Key: key, Body: body}); err != nil {
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

// BenchmarkRoundTripRatio alternates one raw round trip (XADD, XREADGROUP
// COUNT 1, XACK) with one Enqueue, Dequeue and Ack on the same server, so
// that both see the same load, and reports the queue's throughput as a
// fraction of the raw commands' (raw-ns/queue-ns; 1 would be parity), with
// deduplication on (the default) and off.
func BenchmarkRoundTripRatio(b *testing.B) {
	client := newClient(b, redistest.Start(b))
	body := make([]byte, 256)
	for _, tc := range []struct {
		name string
		opts []idempotency.Option
	}{
		{"dedup", nil},
		{"nodedup", []idempotency.Option{idempotency.WithDedupWindow(0)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			raw := newRawRoundTrip(b, client, body)
			q := newQueue(b, client, idemredis.WithOptions(tc.opts...))
			var rawTime, queueTime time.Duration
			i := 0
			for b.Loop() {
				i++
				start := time.Now()
				if i%2 == 0 {
					raw.run(b)
					mid := time.Now()
					queueRoundTrip(b, q, strconv.Itoa(i), body)
					rawTime += mid.Sub(start)
					queueTime += time.Since(mid)
				} else {
					queueRoundTrip(b, q, strconv.Itoa(i), body)
					mid := time.Now()
					raw.run(b)
					queueTime += mid.Sub(start)
					rawTime += time.Since(mid)
				}
			}
			b.ReportMetric(float64(rawTime.Nanoseconds())/float64(i), "raw-ns/msg")
			b.ReportMetric(float64(queueTime.Nanoseconds())/float64(i), "queue-ns/msg")
			b.ReportMetric(float64(rawTime)/float64(queueTime), "throughput-ratio")
		})
	}
}

// BenchmarkRoundTrip measures one message through Enqueue, Dequeue and Ack,
// against the baseline of the three bare stream commands that do the same
// on one server in the same run: XADD, XREADGROUP COUNT 1 and XACK. The
// ratio of their ns/op is the cost of deduplication, leases, priorities and
// trimming.
func BenchmarkRoundTrip(b *testing.B) {
	client := newClient(b, redistest.Start(b))
	body := make([]byte, 256)

	b.Run("raw", func(b *testing.B) {
		ctx := context.Background()
		stream := freshPrefix(b) + ":raw"
		if err := client.XGroupCreateMkStream(ctx, stream, "g", "0").Err(); err != nil {
			b.Fatal(err)
		}
		read := &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{stream, ">"}, Count: 1, Block: -1}
		for b.Loop() {
			if err := client.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"k", "key", "b", body}}).Err(); err != nil {
				b.Fatal(err)
			}
			res, err := client.XReadGroup(ctx, read).Result()
			if err != nil || len(res) != 1 || len(res[0].Messages) != 1 {
				b.Fatalf("XREADGROUP = %v, %v", res, err)
			}
			if err := client.XAck(ctx, stream, "g", res[0].Messages[0].ID).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})

	queues := []struct {
		name string
		opts []idempotency.Option
	}{
		{"queue", nil},
		{"queue-nodedup", []idempotency.Option{idempotency.WithDedupWindow(0)}},
	}
	for _, qc := range queues {
		b.Run(qc.name, func(b *testing.B) {
			ctx := context.Background()
			q := newQueue(b, client, idemredis.WithOptions(qc.opts...))
			i := 0
			for b.Loop() {
				i++
				if _, err := q.Enqueue(ctx, idempotency.Message{Key: strconv.Itoa(i), Body: body}); err != nil {
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

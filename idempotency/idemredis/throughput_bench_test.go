package idemredis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// rawQueue does what Queue does with the bare stream commands and the same
// group commit: a batch of XADDs in one pipeline, one XREADGROUP COUNT n for
// n Dequeues, one XACK with n IDs for n Acks. It is the baseline the
// queue's throughput is measured against: what the wire and the server cost
// when nothing is deduplicated, leased, prioritized or counted.
type rawQueue struct {
	client *redis.Client
	stream string
	enq    *batcher[[]byte, string]
	deq    *batcher[struct{}, redis.XMessage]
	ack    *batcher[string, struct{}]
}

func newRawQueue(b *testing.B, client *redis.Client, stream string) *rawQueue {
	b.Helper()
	if err := client.XGroupCreateMkStream(context.Background(), stream, "g", "0").Err(); err != nil {
		b.Fatal(err)
	}
	r := &rawQueue{client: client, stream: stream}
	r.enq = newBatcher(maxBatch, func(ctx context.Context, bodies [][]byte) ([]string, error) {
		cmds, err := client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, body := range bodies {
				p.XAdd(ctx, &redis.XAddArgs{Stream: stream, Values: []any{"k", "key", "b", body}})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out := make([]string, len(cmds))
		for i, c := range cmds {
			out[i] = c.(*redis.StringCmd).Val()
		}
		return out, nil
	})
	r.deq = newBatcher(maxBatch, func(ctx context.Context, reqs []struct{}) ([]redis.XMessage, error) {
		res, err := client.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c",
			Streams: []string{stream, ">"}, Count: int64(len(reqs)), Block: -1}).Result()
		if err != nil {
			return nil, err
		}
		if len(res) != 1 || len(res[0].Messages) != len(reqs) {
			return nil, errors.New("raw: short read")
		}
		return res[0].Messages, nil
	})
	r.ack = newBatcher(maxBatch, func(ctx context.Context, ids []string) ([]struct{}, error) {
		if err := client.XAck(ctx, stream, "g", ids...).Err(); err != nil {
			return nil, err
		}
		return make([]struct{}, len(ids)), nil
	})
	return r
}

// BenchmarkThroughput pushes messages through the queue from 32 producers
// and then 32 consumers (Dequeue and Ack), and the same number through the
// bare commands batched the same way (rawQueue), in alternating rounds on
// one server. It reports each one's messages per second for the produce
// phase, the consume phase and both, and the queue's fraction of the raw
// rate (1 is parity), with deduplication on (the default) and off, and the
// same fractions of the CPU time per message (this process and Redis
// together), which a shared machine disturbs less than the wall clock. Every
// message is ready when consumed, so no call blocks. It runs once whatever
// b.N is; run it with -benchtime=1x.
func BenchmarkThroughput(b *testing.B) {
	srv := redistest.Start(b)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 64})
	b.Cleanup(func() { _ = client.Close() })
	const rounds, n, workers = 4, 20000, 32
	body := make([]byte, 300)
	for _, dedup := range []bool{true, false} {
		b.Run("dedup="+strconv.FormatBool(dedup), func(b *testing.B) {
			var opts []Option
			if !dedup {
				opts = append(opts, WithOptions(idempotency.WithDedupWindow(0)))
			}
			prefix := randomHex(6)
			q, err := NewQueue(client, append(opts, WithPrefix(prefix), WithOptions(idempotency.WithCapacity(1<<30)))...)
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			raw := newRawQueue(b, client, prefix+":raw")
			var qIn, qOut, rIn, rOut time.Duration
			var cpu [4][2]time.Duration // queue in, queue out, raw in, raw out; self, server
			mark := func(k int, f func()) {
				s0, r0 := cpuUsed(b, client)
				f()
				s1, r1 := cpuUsed(b, client)
				cpu[k][0] += s1 - s0
				cpu[k][1] += r1 - r0
			}
			seq := 0
			queueRound := func() {
				start := time.Now()
				mark(0, func() {
					parallel(b, workers, n, func(ctx context.Context, i int) error {
						_, err := q.Enqueue(ctx, idempotency.Message{Key: strconv.Itoa(seq + i), Body: body})
						return err
					})
				})
				mid := time.Now()
				mark(1, func() {
					parallel(b, workers, n, func(ctx context.Context, _ int) error {
						d, err := q.Dequeue(ctx, time.Minute)
						if err != nil {
							return err
						}
						return q.Ack(ctx, d)
					})
				})
				qIn += mid.Sub(start)
				qOut += time.Since(mid)
				seq += n
			}
			rawRound := func() {
				start := time.Now()
				mark(2, func() {
					parallel(b, workers, n, func(ctx context.Context, _ int) error {
						_, err := raw.enq.do(ctx, body)
						return err
					})
				})
				mid := time.Now()
				mark(3, func() {
					parallel(b, workers, n, func(ctx context.Context, _ int) error {
						m, err := raw.deq.do(ctx, struct{}{})
						if err != nil {
							return err
						}
						_, err = raw.ack.do(ctx, m.ID)
						return err
					})
				})
				rIn += mid.Sub(start)
				rOut += time.Since(mid)
			}
			t0 := [3]int64{q.enqueues.trips.Load(), q.dequeues.trips.Load(), q.acks.trips.Load()}
			b.ResetTimer()
			for r := range rounds {
				if r%2 == 0 {
					rawRound()
					queueRound()
				} else {
					queueRound()
					rawRound()
				}
			}
			b.StopTimer()
			total := float64(rounds * n)
			b.ReportMetric(total/float64(q.enqueues.trips.Load()-t0[0]), "enqueues/round-trip")
			b.ReportMetric(total/float64(q.dequeues.trips.Load()-t0[1]), "dequeues/round-trip")
			b.ReportMetric(total/float64(q.acks.trips.Load()-t0[2]), "acks/round-trip")
			rate := func(d time.Duration) float64 { return total / d.Seconds() }
			b.ReportMetric(rate(qIn+qOut), "msg/s")
			b.ReportMetric(rate(rIn+rOut), "raw-msg/s")
			b.ReportMetric(float64(rIn+rOut)/float64(qIn+qOut), "x-raw")
			b.ReportMetric(float64(rIn)/float64(qIn), "x-raw-produce")
			b.ReportMetric(float64(rOut)/float64(qOut), "x-raw-consume")
			// CPU spent per message, this process and Redis together: on a
			// shared machine the wall-clock ratios above swing with the
			// neighbours' load, the CPU ratio much less.
			used := func(ks ...int) (d time.Duration) {
				for _, k := range ks {
					d += cpu[k][0] + cpu[k][1]
				}
				return d
			}
			b.ReportMetric(float64(used(2, 3))/float64(used(0, 1)), "x-raw-cpu")
			b.ReportMetric(float64(used(2))/float64(used(0)), "x-raw-cpu-produce")
			b.ReportMetric(float64(used(3))/float64(used(1)), "x-raw-cpu-consume")
			for k, name := range []string{"queue-in", "queue-out", "raw-in", "raw-out"} {
				b.ReportMetric(float64(cpu[k][0].Nanoseconds())/total/1000, name+"-go-cpu-us/msg")
				b.ReportMetric(float64(cpu[k][1].Nanoseconds())/total/1000, name+"-redis-cpu-us/msg")
			}
		})
	}
}

// parallel runs f n times from workers goroutines and fails b on an error.
func parallel(b *testing.B, workers, n int, f func(ctx context.Context, i int) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	ctx := context.Background()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(ctx, i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// cpuUsed returns the CPU time this process and the Redis server used so
// far.
func cpuUsed(tb testing.TB, rdb *redis.Client) (self, server time.Duration) {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		tb.Fatal(err)
	}
	for line := range strings.Lines(info) {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_sys" || k == "used_cpu_user") {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				tb.Fatal(err)
			}
			server += time.Duration(f * float64(time.Second))
		}
	}
	return self, server
}

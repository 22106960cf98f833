package bench_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/internal/bench"
	"github.com/bc2sf/bc2sf/pipeline"
)

// BenchmarkBacklogMemory measures the heap of a Worker while a backlog of
// 100,000 tasks drains from Redis (idemredis Queue and Store) to the fakes,
// sampling the heap in use (runtime/metrics) every 250 ms. The backlog
// should live in Redis, not in the heap, so the heap should stay flat: the
// slope of heap in use against orders done should be about 0.
//
// The tasks name 1,000 distinct orders, each one 100 times under distinct
// keys (an order reconciled 100 times), so that the fake org holds a bounded
// 3,000 records and the fakes, which share the process, do not grow with the
// run and hide the Worker's own figure. Every task is still dequeued,
// claimed, fetched and mapped; the first of each order is written, and the
// others find it unchanged since (pipeline.SkipUnchanged) and are
// acknowledged without a write.
//
// The baseline is the heap of an idle Worker on an empty Redis queue in the
// same process, sampled for 3 s just before. It runs once whatever b.N is;
// run it with -benchtime=1x.
func BenchmarkBacklogMemory(b *testing.B) {
	const tasks, distinct = 100_000, 1000
	client := newRedis(b)
	f := newFakes(b)
	ids := f.addOrders(b, distinct)
	q, s := redisBackend(b, client, "backlog", idempotency.WithCapacity(2*tasks))
	taskBytes := fillBacklog(b, q, ids, tasks)

	idleQ, idleS := redisBackend(b, client, "idle")
	runtime.GC()
	stopIdle := runWorker(b, newWorker(b, f.workerConfig(idleQ, idleS)))
	time.Sleep(250 * time.Millisecond)
	idleSampler := bench.StartHeapSampler(250*time.Millisecond, nil)
	time.Sleep(3 * time.Second)
	idle := bench.SummarizeHeap(idleSampler.Stop())
	stopIdle()
	runtime.GC()

	var done atomic.Int64
	cfg := f.workerConfig(q, s)
	cfg.OnResult = func(r pipeline.Result) {
		if r.Outcome != pipeline.OutcomeRetried {
			done.Add(1)
		}
	}
	w := newWorker(b, cfg)
	b.ResetTimer()
	sampler := bench.StartHeapSampler(250*time.Millisecond, done.Load)
	start := time.Now()
	stop := runWorker(b, w)
	if !waitUntil(8*time.Minute, func() bool { return done.Load() >= tasks }) {
		b.Errorf("%d of %d tasks done within 8 minutes", done.Load(), tasks)
	}
	elapsed := time.Since(start)
	samples := sampler.Stop()
	b.StopTimer()
	stop()

	if st := w.Stats(); st.Synced+st.Skipped != tasks || st.Synced < distinct {
		b.Errorf("synced %d and skipped %d of %d tasks (retried %d, dead %d)", st.Synced, st.Skipped, tasks, st.Retried, st.DeadLettered)
	}
	sum := bench.SummarizeHeap(samples)
	const mib = 1 << 20
	b.ReportMetric(idle.Mean/mib, "idle-heap-MiB")
	b.ReportMetric(float64(idle.Peak)/mib, "idle-peak-MiB")
	b.ReportMetric(float64(sum.Start)/mib, "start-heap-MiB")
	b.ReportMetric(float64(sum.Peak)/mib, "peak-heap-MiB")
	b.ReportMetric(float64(sum.End)/mib, "end-heap-MiB")
	b.ReportMetric(float64(sum.Peak)/idle.Mean, "x-idle-peak")
	b.ReportMetric(float64(sum.End)/idle.Mean, "x-idle-end")
	b.ReportMetric(sum.SlopePerUnit*10_000/1024, "slope-KiB/10k-orders")
	b.ReportMetric(sum.LiveSlopePerUnit*10_000/1024, "live-slope-KiB/10k-orders")
	b.ReportMetric(float64(samples[0].Live)/mib, "start-live-MiB")
	b.ReportMetric(float64(samples[len(samples)-1].Live)/mib, "end-live-MiB")
	b.ReportMetric(float64(taskBytes)*tasks/mib, "backlog-body-MiB")
	b.ReportMetric(float64(done.Load())/elapsed.Seconds(), "drained-orders/s")
	b.ReportMetric(float64(sum.Samples), "samples")
}

// fillBacklog enqueues tasks Tasks, cycling over ids, from 16 goroutines,
// and returns the size of the first task body.
func fillBacklog(b *testing.B, q idempotency.Queue, ids []int64, tasks int) int {
	b.Helper()
	first, err := pipeline.EncodeTask(pipeline.Task{OrderID: ids[0], Source: pipeline.SourceReconcile})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= tasks {
					return
				}
				id := ids[i%len(ids)]
				body, err := pipeline.EncodeTask(pipeline.Task{OrderID: id, Source: pipeline.SourceReconcile})
				if err != nil {
					b.Error(err)
					return
				}
				msg := idempotency.Message{Key: fmt.Sprintf("order:%d:%d", id, i), Body: body, Priority: idempotency.PriorityLow}
				if _, err := q.Enqueue(context.Background(), msg); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return len(first)
}

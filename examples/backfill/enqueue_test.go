package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/redis/go-redis/v9"
)

// queuedOrders drains the Redis queue the way a worker would and returns the
// order id of every message, failing the test on a message that is not a
// low-priority backfill task.
func queuedOrders(t *testing.T, url string) []int64 {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	q, err := idemredis.NewQueue(rdb, idemredis.WithBlockTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ReadyByPriority[idempotency.PriorityHigh] != 0 {
		t.Errorf("%d messages at high priority; a backfill must not get ahead of live events", st.ReadyByPriority[idempotency.PriorityHigh])
	}
	var ids []int64
	for range st.Ready {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		d, err := q.Dequeue(dctx, time.Minute)
		cancel()
		if err != nil {
			t.Fatalf("dequeue: %v", err)
		}
		task, err := pipeline.DecodeTask(d.Body)
		if err != nil {
			t.Fatalf("message %s: %v", d.Key, err)
		}
		if task.Source != pipeline.SourceBackfill || d.Priority != idempotency.PriorityLow {
			t.Errorf("message %s: source %s, priority %s; want backfill, low", d.Key, task.Source, d.Priority)
		}
		ids = append(ids, task.OrderID)
	}
	// Nothing is left once Stats.Ready messages are taken.
	dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if d, err := q.Dequeue(dctx, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("an extra message was queued: %+v, %v", d, err)
	}
	slices.Sort(ids)
	return ids
}

func TestEnqueueWholeRange(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	f := newFixture(t, orderCount(12, 40))
	r := runWith(context.Background(), f.env(srv.URL(), nil), nil, f.args(modeEnqueue)...)
	if r.code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	noSecrets(t, r)
	if got := queuedOrders(t, srv.URL()); !slices.Equal(got, f.inRange) {
		t.Errorf("queued orders %v, want exactly %v", got, f.inRange)
	}
	if n := f.bc.Calls(bctest.RouteGetOrder); n != 0 {
		t.Errorf("enqueue mode fetched %d orders; the workers do that", n)
	}
	if len(f.sf.Records("Opportunity")) != 0 {
		t.Error("enqueue mode wrote to Salesforce")
	}
	if st := f.readCheckpoint(t); !st.LastCreated.Equal(rangeTo) {
		t.Errorf("checkpoint at %v, want %v", st.LastCreated, rangeTo)
	}
	f.noLeftovers(t)
}

func TestEnqueueResumesAfterInterrupt(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	f := newFixture(t, orderCount(13, 33))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := runWith(ctx, f.env(srv.URL(), nil), cancelOnFirstCheckpoint(cancel), f.args(modeEnqueue, "-v")...)
	if r.code != exitInterrupted {
		t.Fatalf("interrupted run: exit %d, want %d\nstderr:\n%s", r.code, exitInterrupted, r.stderr)
	}
	if st := f.readCheckpoint(t); st.LastCreated.Before(rangeFrom) || !st.LastCreated.Before(rangeTo) {
		t.Fatalf("checkpoint after the first page at %v, want inside the range and before its end", st.LastCreated)
	}

	f.bc.ResetCalls()
	r = runWith(context.Background(), f.env(srv.URL(), nil), nil, f.args(modeEnqueue, "-count=false")...)
	if r.code != exitOK {
		t.Fatalf("second run: exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	resumedCalls := f.bc.Calls(bctest.RouteListOrders)

	// A third run over the whole range adds nothing to the queue, and
	// needs more list calls than the resumed run did.
	f.bc.ResetCalls()
	r3 := runWith(context.Background(), f.env(srv.URL(), nil), nil, f.args(modeEnqueue, "-count=false", "-restart")...)
	if r3.code != exitOK || !strings.Contains(r3.stdout, ": 0 orders enqueued") {
		t.Errorf("full rerun: exit %d, stdout %q", r3.code, r3.stdout)
	}
	if full := f.bc.Calls(bctest.RouteListOrders); resumedCalls >= full {
		t.Errorf("the resumed run made %d list calls, a full run %d: it did not resume", resumedCalls, full)
	}
	noSecrets(t, r)
	if got := queuedOrders(t, srv.URL()); !slices.Equal(got, f.inRange) {
		t.Errorf("queued orders %v, want each of %v exactly once", got, f.inRange)
	}
	// The rerun resumed: the first page (5 orders) went in before the
	// interrupt, and only the rest was new to the queue.
	if want := fmt.Sprintf(": %d orders enqueued", len(f.inRange)-5); !strings.Contains(r.stdout, want) {
		t.Errorf("second run says %q, want %q", r.stdout, want)
	}
	f.noLeftovers(t)
}

func TestEnqueueRedisDown(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	// Port 1 on loopback refuses connections.
	r := runWith(context.Background(), f.env("redis://:pw-not-to-print@127.0.0.1:1/0", nil), nil, f.args(modeEnqueue)...)
	if r.code != exitFailed {
		t.Errorf("exit %d, want %d\nstderr:\n%s", r.code, exitFailed, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "pw-not-to-print") {
		t.Error("the Redis password was printed")
	}
}

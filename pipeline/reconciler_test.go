package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
)

var t0 = time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)

// addModified stores an order last modified at mod.
func addModified(t *testing.T, e *env, mod time.Time) bctest.Order {
	t.Helper()
	o := order(0)
	o.DateCreated = mod.Add(-time.Hour)
	o.DateModified = mod
	added, err := e.bc.AddOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	return added
}

// keys dequeues every ready message and returns their keys.
func keys(t *testing.T, q *idempotency.MemoryQueue) map[string]idempotency.Priority {
	t.Helper()
	out := map[string]idempotency.Priority{}
	for {
		st, err := q.Stats(context.Background())
		if err != nil || st.Ready == 0 {
			return out
		}
		d, err := q.Dequeue(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		out[d.Key] = d.Priority
		if err := q.Ack(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
}

func newReconciler(t *testing.T, e *env, cp idempotency.Checkpoint, pageSize int) *pipeline.Reconciler {
	t.Helper()
	r, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{
		Orders: e.bcc.Orders, Queue: e.q, Checkpoint: cp,
		PageSize: pageSize, Now: func() time.Time { return t0 }, InitialLookback: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReconcilerEnqueuesModifiedOrdersOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	addModified(t, e, t0.Add(-2*time.Hour))
	old := addModified(t, e, t0.Add(-30*time.Minute))
	var want []bctest.Order
	for _, d := range []time.Duration{time.Minute, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute, 10 * time.Minute} {
		want = append(want, addModified(t, e, t0.Add(d)))
	}
	cp := &idempotency.MemoryCheckpoint{}
	if err := cp.Save(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	r := newReconciler(t, e, cp, 2)

	n, err := r.RunOnce(context.Background())
	if err != nil || n != len(want) {
		t.Fatalf("RunOnce = %d, %v; want %d", n, err, len(want))
	}
	got := keys(t, e.q)
	for _, o := range want {
		k := fmt.Sprintf("order:%d:%d", o.ID, o.DateModified.Unix())
		if p, ok := got[k]; !ok || p != idempotency.PriorityLow {
			t.Errorf("key %s: present %v priority %v; want a low-priority message", k, ok, p)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d messages, want %d: %v", len(got), len(want), got)
	}
	saved, _ := cp.Load(context.Background())
	if wantCP := t0.Add(10*time.Minute - pipeline.DefaultOverlap); !saved.Equal(wantCP) {
		t.Errorf("checkpoint %v, want %v", saved, wantCP)
	}

	if n, err := r.RunOnce(context.Background()); err != nil || n != 0 {
		t.Errorf("second RunOnce = %d, %v; want 0", n, err)
	}
	if again, _ := cp.Load(context.Background()); !again.Equal(saved) {
		t.Errorf("checkpoint moved to %v on a run that found nothing new", again)
	}

	// A change makes the order a new message.
	if _, err := e.bc.UpdateOrder(old.ID, func(o *bctest.Order) { o.DateModified = t0.Add(20 * time.Minute) }); err != nil {
		t.Fatal(err)
	}
	if n, err := r.RunOnce(context.Background()); err != nil || n != 1 {
		t.Errorf("RunOnce after a change = %d, %v; want 1", n, err)
	}
	if got := keys(t, e.q); len(got) != 1 {
		t.Errorf("messages after the change %v", got)
	}
}

func TestReconcilerPagesThroughOneSecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	for range 7 {
		addModified(t, e, t0.Add(time.Minute))
	}
	addModified(t, e, t0.Add(2*time.Minute))
	r := newReconciler(t, e, &idempotency.MemoryCheckpoint{}, 3) // empty: looks back 1 hour from t0
	if n, err := r.RunOnce(context.Background()); err != nil || n != 8 {
		t.Errorf("RunOnce = %d, %v; want 8", n, err)
	}
}

func TestReconcilerKeepsCheckpointOnFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	q := idempotency.NewMemoryQueue(idempotency.WithCapacity(3))
	defer q.Close()
	for i := range 5 {
		addModified(t, e, t0.Add(time.Duration(i+1)*time.Minute))
	}
	cp := &idempotency.MemoryCheckpoint{}
	r, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{
		Orders: e.bcc.Orders, Queue: q, Checkpoint: cp, PageSize: 2,
		Now: func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := r.RunOnce(context.Background())
	if !errors.Is(err, idempotency.ErrQueueFull) || n != 3 {
		t.Errorf("RunOnce = %d, %v; want 3 and ErrQueueFull", n, err)
	}
	// Pages restart at the last date seen: [+1, +2], [+2, +3] were fully
	// enqueued, [+3, +4] was not.
	if saved, _ := cp.Load(context.Background()); !saved.Equal(t0.Add(3*time.Minute - pipeline.DefaultOverlap)) {
		t.Errorf("checkpoint %v", saved)
	}
}

func TestReconcilerRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	addModified(t, e, t0.Add(-time.Minute))
	r, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{
		Orders: e.bcc.Orders, Queue: e.q, Checkpoint: &idempotency.MemoryCheckpoint{},
		Interval: time.Millisecond, Now: func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitFor(t, "enqueued", func() bool { st, _ := e.q.Stats(ctx); return st.Ready == 1 })
	if err := r.Run(ctx); !errors.Is(err, pipeline.ErrRunning) {
		t.Errorf("second Run = %v, want ErrRunning", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

func TestNewReconcilerRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []pipeline.ReconcilerConfig{
		{},
		{Orders: (&bigcommerce.Client{}).Orders, Queue: idempotency.NewMemoryQueue(), Checkpoint: &idempotency.MemoryCheckpoint{}},
		{Orders: &bigcommerce.OrdersService{}, Queue: idempotency.NewMemoryQueue(), Checkpoint: &idempotency.MemoryCheckpoint{}, PageSize: 251},
		{Orders: &bigcommerce.OrdersService{}, Queue: idempotency.NewMemoryQueue(), Checkpoint: &idempotency.MemoryCheckpoint{}, Overlap: -1},
	} {
		if _, err := pipeline.NewReconciler(cfg); !errors.Is(err, pipeline.ErrInvalidConfig) {
			t.Errorf("NewReconciler(%+v) = %v", cfg, err)
		}
	}
}

// An order a webhook already brought in is not fetched or written again when
// the Reconciler lists it: the worker marked its version done.
func TestReconcilerSkipsOrdersAlreadySynced(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	o := addModified(t, e, t0.Add(time.Minute))
	enqueue(t, e.q, o.ID) // as a webhook event would
	w := newWorker(t, e.config())
	start(t, w)
	waitFor(t, "webhook task synced", func() bool { return w.Stats().Synced == 1 })
	sfCalls := e.sf.TotalCalls()

	cp := &idempotency.MemoryCheckpoint{}
	if err := cp.Save(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	if n, err := newReconciler(t, e, cp, 10).RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1", n, err)
	}
	waitFor(t, "reconcile task settled", func() bool { return w.Stats().Skipped == 1 })
	st := w.Stats()
	if st.SkipReasons[pipeline.SkipAlreadyDone] != 1 || st.BigCommerceCalls != 1 || e.sf.TotalCalls() != sfCalls {
		t.Errorf("reconcile of a synced order: stats %+v, Salesforce calls %d -> %d", st, sfCalls, e.sf.TotalCalls())
	}
}

// countingStore counts Begin calls on the Store it wraps.
type countingStore struct {
	idempotency.Store
	begins atomic.Int64
}

func (s *countingStore) Begin(ctx context.Context, key string, lease time.Duration) (idempotency.Claim, error) {
	s.begins.Add(1)
	return s.Store.Begin(ctx, key, lease)
}

// A reconcile task already carries the order's version key, so syncing it
// costs one Store claim, not a second one to mark the version.
func TestReconcileTaskMarksItsVersionOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	addModified(t, e, t0.Add(time.Minute))
	cp := &idempotency.MemoryCheckpoint{}
	if err := cp.Save(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	if n, err := newReconciler(t, e, cp, 10).RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1", n, err)
	}
	st := &countingStore{Store: e.st}
	cfg := e.config()
	cfg.Store = st
	w := newWorker(t, cfg)
	start(t, w)
	waitFor(t, "reconcile task synced", func() bool { return w.Stats().Synced == 1 })
	if got := st.begins.Load(); got != 1 {
		t.Errorf("%d Store.Begin calls for one reconcile task, want 1", got)
	}
}

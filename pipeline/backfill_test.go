package pipeline_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
)

func TestBackfillResumesFromCheckpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	for i := range 10 {
		o := order(i)
		o.DateCreated = t0.Add(time.Duration(i) * time.Minute)
		if _, err := e.bc.AddOrder(o); err != nil {
			t.Fatal(err)
		}
	}
	cp := &idempotency.MemoryCheckpoint{}
	clock := t0
	cfg := pipeline.BackfillConfig{
		Orders: e.bcc.Orders, Queue: e.q, Checkpoint: cp, PageSize: 2,
		From: t0.Add(2 * time.Minute), To: t0.Add(7 * time.Minute),
		Now: func() time.Time { clock = clock.Add(time.Second); return clock },
	}

	// The first run stops after its first page, as an interrupted one would.
	ctx, cancel := context.WithCancel(context.Background())
	var pages []pipeline.Progress
	cfg.Progress = func(p pipeline.Progress) { pages = append(pages, p); cancel() }
	p, err := pipeline.Backfill(ctx, cfg)
	if !errors.Is(err, context.Canceled) || p.Enqueued != 2 || len(pages) != 1 {
		t.Fatalf("interrupted Backfill = %+v, %v after %d pages", p, err, len(pages))
	}
	if saved, _ := cp.Load(context.Background()); !saved.Equal(t0.Add(3 * time.Minute)) {
		t.Errorf("checkpoint %v, want the creation date of the second order", saved)
	}

	pages = nil
	cfg.Progress = func(p pipeline.Progress) { pages = append(pages, p) }
	p, err = pipeline.Backfill(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Resumed at +3 minutes: +3 again (a duplicate), then +4 to +7.
	if p.Enqueued != 4 || p.Duplicates != 1 || p.Listed != 5 || !p.Last.Equal(t0.Add(7*time.Minute)) || p.Rate <= 0 {
		t.Errorf("resumed Backfill = %+v", p)
	}
	if len(pages) != 4 || pages[0].Listed != 2 || pages[3].Listed != 5 {
		t.Errorf("progress %+v", pages)
	}
	st, _ := e.q.Stats(context.Background())
	if st.ReadyByPriority[idempotency.PriorityLow] != 6 {
		t.Errorf("queue %+v; want the 6 orders of the range at low priority", st)
	}
}

func TestBackfillRejectsBadConfig(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	for _, cfg := range []pipeline.BackfillConfig{
		{Queue: q},
		{Orders: &bigcommerce.OrdersService{}, Queue: q, PageSize: -1},
		{Orders: &bigcommerce.OrdersService{}, Queue: q, From: t0, To: t0.Add(-time.Second)},
	} {
		if _, err := pipeline.Backfill(context.Background(), cfg); !errors.Is(err, pipeline.ErrInvalidConfig) {
			t.Errorf("Backfill(%+v) = %v", cfg, err)
		}
	}
}

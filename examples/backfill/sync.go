package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// drainPoll is how often the sync mode looks whether the worker has emptied
// the in-memory queue, between the worker's own signals.
const drainPoll = 50 * time.Millisecond

// runSync lists the range into an in-memory queue and works it off with a
// pipeline.Worker in this process, which writes Composite Graph calls of up
// to 75 orders. The checkpoint moves only once every order of a page is
// settled, since the in-memory queue dies with the process.
func runSync(ctx context.Context, j *job) (summary, error) {
	sf, err := newSalesforce(j)
	if err != nil {
		return summary{}, err
	}
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		return summary{}, err
	}
	queue := idempotency.NewMemoryQueue()
	defer queue.Close()
	settled := make(chan struct{}, 1)
	worker, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue:       queue,
		Store:       idempotency.NewMemoryStore(),
		Orders:      j.orders,
		Graphs:      sf,
		Mapper:      m,
		Concurrency: j.opts.workers,
		Logger:      j.libLogger,
		OnResult:    j.onResult(settled),
	})
	if err != nil {
		return summary{}, err
	}

	// The worker stops when the backfill is done or the run is interrupted;
	// on interrupt it gives unfinished tasks back to the queue, whose loss
	// the checkpoint covers.
	workCtx, stopWork := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var workErr error
	workerDone := make(chan struct{})
	wg.Go(func() {
		defer close(workerDone)
		workErr = worker.Run(workCtx)
	})
	defer func() { stopWork(); wg.Wait() }()

	if err := checkSalesforce(ctx, sf); err != nil {
		return summary{}, err
	}
	if err := j.startCount(ctx); err != nil {
		return summary{}, err
	}
	drained := func(ctx context.Context) error { return waitDrained(ctx, queue, settled, workerDone) }
	checkpoint := &settledCheckpoint{next: j.checkpoint, queue: queue, drained: drained, logger: j.logger}
	var sum summary
	if j.useBulk() {
		sum, err = runBulk(ctx, j, sf, m, queue, checkpoint)
	} else {
		cfg := j.backfillConfig()
		cfg.Queue = queue
		cfg.Checkpoint = checkpoint
		var p pipeline.Progress
		p, err = pipeline.Backfill(ctx, cfg)
		sum.enqueued, sum.duplicates = p.Enqueued, p.Duplicates
	}
	if err == nil {
		err = drained(ctx)
	}
	stopWork()
	wg.Wait()
	if err == nil && workErr != nil {
		err = fmt.Errorf("worker: %w", workErr)
	}

	st := worker.Stats()
	sum.synced, sum.skipped, sum.failed = sum.synced+st.Synced, sum.skipped+st.Skipped, sum.failed+st.DeadLettered
	if sum.deadElsewhere {
		return sum, err
	}
	if err != nil || sum.failed == 0 {
		return sum, err
	}
	dead, err := queue.DeadLetters(ctx, maxDeadListed)
	for _, d := range dead {
		sum.dead = append(sum.dead, deadOrder{key: d.Key, reason: d.Reason})
	}
	return sum, err
}

// newSalesforce builds the Salesforce client from the environment.
func newSalesforce(j *job) (*salesforce.Client, error) {
	opts := []salesforce.Option{
		salesforce.WithClientCredentials(j.cfg.sfClientID, j.cfg.sfSecret),
		salesforce.WithInstanceURL(j.cfg.sfInstance),
		salesforce.WithAPIVersion(j.cfg.sfVersion),
		salesforce.WithLogger(j.libLogger),
	}
	if j.cfg.sfTokenURL != "" {
		opts = append(opts, salesforce.WithTokenURL(j.cfg.sfTokenURL))
	}
	return salesforce.NewClient(opts...)
}

// onResult counts settled orders for the progress line and wakes whoever
// waits for the queue to drain. The worker logs each outcome itself, with
// the order id and the message key.
func (j *job) onResult(settled chan<- struct{}) func(pipeline.Result) {
	return func(r pipeline.Result) {
		if r.Outcome == pipeline.OutcomeRetried {
			return // not settled yet: it comes back
		}
		j.meter.addDone()
		select {
		case settled <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// waitDrained returns once the queue holds no live message (ready, delayed
// or in flight): every order enqueued so far is synced, skipped or
// dead-lettered.
func waitDrained(ctx context.Context, q idempotency.Inspector, settled, workerDone <-chan struct{}) error {
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	for {
		st, err := q.Stats(ctx)
		if err != nil {
			return err
		}
		if st.Depth() == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-workerDone:
			return errors.New("the worker stopped before the queue was empty")
		case <-settled:
		case <-t.C:
		}
	}
}

// settledCheckpoint delays each Save until the worker has settled every
// order enqueued before it, then passes it on. Backfill saves after each
// page, so this also keeps at most one page in memory.
//
// Once an order has failed (been dead-lettered), the checkpoint stays where
// it was: everything before a checkpoint is synced or skipped, and the next
// run tries the failed order again.
type settledCheckpoint struct {
	next    idempotency.Checkpoint
	queue   idempotency.Inspector
	drained func(context.Context) error
	logger  *slog.Logger
	held    bool
}

var _ idempotency.Checkpoint = (*settledCheckpoint)(nil)

func (c *settledCheckpoint) Load(ctx context.Context) (time.Time, error) { return c.next.Load(ctx) }

func (c *settledCheckpoint) Save(ctx context.Context, t time.Time) error {
	if err := c.drained(ctx); err != nil {
		return err
	}
	if c.held {
		return nil
	}
	st, err := c.queue.Stats(ctx)
	if err != nil {
		return err
	}
	if st.Dead > 0 {
		c.held = true
		c.logger.Warn("an order failed; the checkpoint stays before it so that the next run tries it again", "failed", st.Dead)
		return nil
	}
	return c.next.Save(ctx, t)
}

// checkSalesforce fetches a token and the org's limits once, so wrong
// credentials stop the run at once instead of failing every order after
// the worker's retries.
func checkSalesforce(ctx context.Context, sf *salesforce.Client) error {
	if _, err := sf.Limits(ctx); err != nil {
		return fmt.Errorf("salesforce: %w", err)
	}
	return nil
}

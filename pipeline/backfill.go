package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
)

// BackfillConfig configures Backfill. Orders and Queue are required.
type BackfillConfig struct {
	// Orders lists orders (a *bigcommerce.Client's Orders).
	Orders OrderLister
	// Queue receives the Tasks, at PriorityLow.
	Queue idempotency.Queue
	// From and To bound the orders' creation date, inclusive; the zero
	// time leaves that side open.
	From, To time.Time
	// Checkpoint, when set, holds the creation date of the last order
	// enqueued: Backfill starts from it instead of From and saves it after
	// every page, so an interrupted backfill resumes where it stopped.
	Checkpoint idempotency.Checkpoint
	// PageSize is the number of orders per list call, 1 to 250; default 250.
	PageSize int
	// Progress, when set, is called after every page.
	Progress func(Progress)
	// Logger receives one line per page; default discard.
	Logger *slog.Logger
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// Progress reports how far a backfill got.
type Progress struct {
	// Listed counts the orders listed, Enqueued those newly enqueued and
	// Duplicates those the queue already held.
	Listed, Enqueued, Duplicates int
	// Total is the number of orders to backfill when known, else 0.
	Total int
	// Last is the creation date of the last order enqueued.
	Last time.Time
	// Elapsed is the time since Backfill started; Rate is Listed per second.
	Elapsed time.Duration
	Rate    float64
}

// Backfill enqueues, at PriorityLow, every order created between cfg.From
// and cfg.To (inclusive; a zero bound is open), oldest first, keyed like the
// Reconciler's tasks ("order:<id>:<date_modified>") so that an order both
// enqueue is one message. It reports through cfg.Progress after every page
// (250 orders by default) and, with cfg.Checkpoint, saves the creation date
// of the page's last order: a later call with the same Checkpoint resumes
// there (orders of that very second are listed again and dropped as
// duplicates). It returns the final Progress, and on failure the Progress so
// far with an error. Progress.Total stays 0: the listing API gives no count.
func Backfill(ctx context.Context, cfg BackfillConfig) (Progress, error) {
	switch {
	case isNil(cfg.Orders) || isNil(cfg.Queue):
		return Progress{}, fmt.Errorf("%w: Orders and Queue are required", ErrInvalidConfig)
	case cfg.PageSize < 0 || cfg.PageSize > DefaultPageSize:
		return Progress{}, fmt.Errorf("%w: PageSize %d is outside 1-%d", ErrInvalidConfig, cfg.PageSize, DefaultPageSize)
	case !cfg.To.IsZero() && cfg.To.Before(cfg.From):
		return Progress{}, fmt.Errorf("%w: To is before From", ErrInvalidConfig)
	}
	setDefault(&cfg.PageSize, DefaultPageSize)
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	from := cfg.From
	if cfg.Checkpoint != nil {
		cp, err := cfg.Checkpoint.Load(ctx)
		if err != nil {
			return Progress{}, fmt.Errorf("pipeline: load checkpoint: %w", err)
		}
		if cp.After(from) {
			from = cp
		}
	}
	start := cfg.Now()
	var p Progress
	err := walk(ctx, cfg.Orders, bigcommerce.ListOrdersOptions{MaxDateCreated: cfg.To}, byCreated, from, cfg.PageSize,
		func(orders []bigcommerce.Order) error {
			for i := range orders {
				added, err := enqueueOrder(ctx, cfg.Queue, &orders[i], SourceBackfill, cfg.Now())
				if err != nil {
					return err
				}
				p.Listed++
				if added {
					p.Enqueued++
				} else {
					p.Duplicates++
				}
			}
			p.Last = orders[len(orders)-1].DateCreated
			if cfg.Checkpoint != nil {
				if err := cfg.Checkpoint.Save(ctx, p.Last); err != nil {
					return fmt.Errorf("pipeline: save checkpoint: %w", err)
				}
			}
			p.Elapsed = cfg.Now().Sub(start)
			if p.Elapsed > 0 {
				p.Rate = float64(p.Listed) / p.Elapsed.Seconds()
			}
			cfg.Logger.Info("backfill page enqueued", "listed", p.Listed, "enqueued", p.Enqueued, "last", p.Last)
			if cfg.Progress != nil {
				cfg.Progress(p)
			}
			return nil
		})
	if err != nil {
		return p, fmt.Errorf("pipeline: backfill: %w", err)
	}
	return p, nil
}

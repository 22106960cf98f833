package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
)

// Defaults of ReconcilerConfig.
const (
	// DefaultInterval is the pause between two runs of Run: 5 minutes.
	DefaultInterval = 5 * time.Minute
	// DefaultOverlap is subtracted from a saved checkpoint: 1 minute.
	DefaultOverlap = time.Minute
	// DefaultInitialLookback is how far back a run with an empty
	// checkpoint looks: 24 hours.
	DefaultInitialLookback = 24 * time.Hour
)

// ReconcilerConfig configures a Reconciler. Orders, Queue and Checkpoint are
// required.
type ReconcilerConfig struct {
	// Orders lists orders (a *bigcommerce.Client's Orders).
	Orders OrderLister
	// Queue receives the Tasks, at PriorityLow.
	Queue idempotency.Queue
	// Checkpoint keeps the date_modified to list from between runs
	// (idempotency.MemoryCheckpoint, idemredis.Checkpoint).
	Checkpoint idempotency.Checkpoint
	// Customers, when set, lists the customers modified since
	// CustomerCheckpoint (a *bigcommerce.Client's Customers), so that a
	// customer edit whose webhook was missed still reaches Salesforce:
	// each becomes a KindCustomer task, keyed
	// "customer:<id>:<date_modified as Unix seconds>". CustomerCheckpoint
	// is then required: a checkpoint of its own, apart from the orders'.
	Customers          CustomerSource
	CustomerCheckpoint idempotency.Checkpoint
	// Interval is the pause between runs of Run; default 5 minutes.
	Interval time.Duration
	// Overlap is subtracted from the saved checkpoint so that an order
	// whose date_modified lags behind (clock skew, a slow commit) is still
	// listed next time; default 1 minute. Orders listed twice map to the
	// same queue key and are not enqueued again.
	Overlap time.Duration
	// InitialLookback is how far back the first run looks when the
	// checkpoint is empty; default 24 hours.
	InitialLookback time.Duration
	// PageSize is the number of orders per list call, 1 to 250; default 250.
	PageSize int
	// Logger receives one line per run; default discard.
	Logger *slog.Logger
	// Now tells the time; default time.Now.
	Now func() time.Time
}

// Reconciler enqueues the orders modified since a checkpoint, so that an
// order whose webhook was lost (a receiver outage longer than BigCommerce's
// 48 hours of redelivery, a disabled hook) is still synced. Build it with
// NewReconciler.
//
// Each order is enqueued at PriorityLow, keyed "order:<id>:<date_modified
// as Unix seconds>": an order listed again unchanged is a duplicate the queue
// drops, and a changed one is a new message. The checkpoint is saved after
// every page whose enqueues all succeeded, as the last order's date_modified
// minus Overlap (1 minute), and never moves back: the overlap lists again
// the orders of the last minute, so one whose date_modified was written late
// or by a clock running behind is not missed.
type Reconciler struct {
	cfg     ReconcilerConfig
	running atomic.Bool
}

// NewReconciler checks cfg, fills its defaults and returns a Reconciler.
// It fails with an error wrapping ErrInvalidConfig when Orders, Queue or
// Checkpoint is nil, Customers is set without CustomerCheckpoint, PageSize
// is outside 0-250 or a duration is negative.
func NewReconciler(cfg ReconcilerConfig) (*Reconciler, error) {
	switch {
	case isNil(cfg.Orders) || isNil(cfg.Queue) || isNil(cfg.Checkpoint):
		return nil, fmt.Errorf("%w: Orders, Queue and Checkpoint are required", ErrInvalidConfig)
	case !isNil(cfg.Customers) && isNil(cfg.CustomerCheckpoint):
		return nil, fmt.Errorf("%w: CustomerCheckpoint is required with Customers", ErrInvalidConfig)
	case cfg.PageSize < 0 || cfg.PageSize > DefaultPageSize:
		return nil, fmt.Errorf("%w: PageSize %d is outside 1-%d", ErrInvalidConfig, cfg.PageSize, DefaultPageSize)
	case cfg.Interval < 0 || cfg.Overlap < 0 || cfg.InitialLookback < 0:
		return nil, fmt.Errorf("%w: negative duration", ErrInvalidConfig)
	}
	setDefault(&cfg.Interval, DefaultInterval)
	setDefault(&cfg.Overlap, DefaultOverlap)
	setDefault(&cfg.InitialLookback, DefaultInitialLookback)
	setDefault(&cfg.PageSize, DefaultPageSize)
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Reconciler{cfg: cfg}, nil
}

// Run calls RunOnce at once and then every Interval (5 minutes) until ctx
// ends, when it returns nil. A failed run is logged and tried again at the
// next tick. It returns ErrRunning when the Reconciler is already running.
func (r *Reconciler) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer r.running.Store(false)
	for {
		n, err := r.RunOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			r.cfg.Logger.Error("reconcile failed", "err", err, "enqueued", n)
		default:
			r.cfg.Logger.Info("reconciled", "enqueued", n)
		}
		if sleep(ctx, r.cfg.Interval) != nil {
			return nil
		}
	}
}

// runOrders enqueues the orders modified at or after the orders'
// checkpoint, as RunOnce documents.
func (r *Reconciler) runOrders(ctx context.Context) (int, error) {
	cp, err := r.cfg.Checkpoint.Load(ctx)
	if err != nil {
		return 0, fmt.Errorf("pipeline: load checkpoint: %w", err)
	}
	if cp.IsZero() {
		cp = r.cfg.Now().Add(-r.cfg.InitialLookback)
	}
	saved, n := cp, 0
	err = walk(ctx, r.cfg.Orders, bigcommerce.ListOrdersOptions{}, byModified, cp, r.cfg.PageSize,
		func(orders []bigcommerce.Order) error {
			for i := range orders {
				added, err := enqueueOrder(ctx, r.cfg.Queue, &orders[i], SourceReconcile, r.cfg.Now())
				if err != nil {
					return err
				}
				if added {
					n++
					r.cfg.Logger.Debug("order enqueued", "order_id", orders[i].ID, "key", orderKey(&orders[i]))
				}
			}
			next := orders[len(orders)-1].DateModified.Add(-r.cfg.Overlap)
			if !next.After(saved) {
				return nil
			}
			if err := r.cfg.Checkpoint.Save(ctx, next); err != nil {
				return fmt.Errorf("pipeline: save checkpoint: %w", err)
			}
			saved = next
			return nil
		})
	if err != nil {
		return n, fmt.Errorf("pipeline: reconcile: %w", err)
	}
	return n, nil
}

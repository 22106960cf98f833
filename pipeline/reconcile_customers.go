package pipeline

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
)

// RunOnce enqueues the orders modified at or after the checkpoint (or,
// with none saved, within InitialLookback, 24 hours) and, when Customers is
// set, the customers modified at or after CustomerCheckpoint in the same
// way, and returns how many tasks were newly enqueued; duplicates of
// messages already queued are not counted. Orders and customers are walked
// one after the other, each with its own checkpoint, so a failure of one
// leaves the other's walk and checkpoint as they are; the errors are joined.
// On an error the count so far is returned, and each checkpoint stays at its
// last page that was fully enqueued.
func (r *Reconciler) RunOnce(ctx context.Context) (int, error) {
	n, err := r.runOrders(ctx)
	if isNil(r.cfg.Customers) {
		return n, err
	}
	m, cerr := r.runCustomers(ctx)
	return n + m, errors.Join(err, cerr)
}

// runCustomers enqueues the customers modified at or after the customers'
// checkpoint, keyset-walked by date_modified like the orders, and saves the
// checkpoint (minus Overlap) after each page.
func (r *Reconciler) runCustomers(ctx context.Context) (int, error) {
	cp, err := r.cfg.CustomerCheckpoint.Load(ctx)
	if err != nil {
		return 0, fmt.Errorf("pipeline: load customer checkpoint: %w", err)
	}
	if cp.IsZero() {
		cp = r.cfg.Now().Add(-r.cfg.InitialLookback)
	}
	list := func(cursor time.Time) iter.Seq2[bigcommerce.Customer, error] {
		return r.cfg.Customers.List(ctx, bigcommerce.ListCustomersOptions{
			MinDateModified: cursor, Sort: "date_modified:asc", PageSize: r.cfg.PageSize})
	}
	key := func(c *bigcommerce.Customer) (int64, time.Time) { return c.ID, c.DateModified }
	saved, n := cp, 0
	err = keysetWalk(list, key, cp, r.cfg.PageSize, func(customers []bigcommerce.Customer) error {
		for i := range customers {
			added, err := enqueueCustomer(ctx, r.cfg.Queue, &customers[i], r.cfg.Now())
			if err != nil {
				return err
			}
			if added {
				n++
			}
		}
		next := customers[len(customers)-1].DateModified.Add(-r.cfg.Overlap)
		if !next.After(saved) {
			return nil
		}
		if err := r.cfg.CustomerCheckpoint.Save(ctx, next); err != nil {
			return fmt.Errorf("pipeline: save customer checkpoint: %w", err)
		}
		saved = next
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("pipeline: reconcile customers: %w", err)
	}
	return n, nil
}

// enqueueCustomer puts a customer's sync on q at PriorityLow, keyed by its
// version, and reports whether it was new.
func enqueueCustomer(ctx context.Context, q idempotency.Queue, c *bigcommerce.Customer, now time.Time) (bool, error) {
	body, err := EncodeTask(Task{Kind: KindCustomer, CustomerID: c.ID, Source: SourceReconcile, ReceivedAt: now.UTC()})
	if err != nil {
		return false, err
	}
	key := entityVersionKey(KindCustomer, c.ID, c.DateModified)
	res, err := q.Enqueue(ctx, idempotency.Message{Key: key, Body: body, Priority: idempotency.PriorityLow})
	if err != nil {
		return false, fmt.Errorf("pipeline: enqueue customer %d: %w", c.ID, err)
	}
	return !res.Duplicate, nil
}

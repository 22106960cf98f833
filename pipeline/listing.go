package pipeline

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
)

// DefaultPageSize is the number of orders per list call of the Reconciler
// and Backfill: 250, the most the API returns per page.
const DefaultPageSize = 250

// orderDate selects the date a listing walks along.
type orderDate int

const (
	byModified orderDate = iota
	byCreated
)

func (f orderDate) of(o *bigcommerce.Order) time.Time {
	if f == byCreated {
		return o.DateCreated
	}
	return o.DateModified
}

// walk lists the orders whose date (modified or created) is at or after
// from, oldest first, and hands them to page a page at a time. It pages by
// keyset rather than by page number: each request starts again at the date
// of the last order seen, because a page-number walk skips an order whenever
// one listed earlier is modified meanwhile and moves to the end. Orders of
// that last second come again in the next request; walk drops those it has
// handed over already, so page sees each order once per walk. When a whole
// page shares one second, the walk reads on through the same request.
func walk(ctx context.Context, l OrderLister, base bigcommerce.ListOrdersOptions, by orderDate,
	from time.Time, pageSize int, page func([]bigcommerce.Order) error) error {
	cursor := from
	seen := map[int64]bool{} // orders handed over whose date is cursor
	for {
		opts := base
		opts.PageSize = pageSize
		if by == byCreated {
			opts.MinDateCreated, opts.Sort = cursor, "date_created:asc"
		} else {
			opts.MinDateModified, opts.Sort = cursor, "date_modified:asc"
		}
		var fresh []bigcommerce.Order
		n, moved := 0, false
		for o, err := range l.List(ctx, opts) {
			if err != nil {
				return err
			}
			n++
			if !seen[o.ID] || !by.of(&o).Equal(cursor) {
				fresh = append(fresh, o)
			}
			if n < pageSize {
				continue
			}
			if len(fresh) > 0 {
				if err := page(fresh); err != nil {
					return err
				}
			}
			last := by.of(&o)
			if last.After(cursor) {
				cursor, moved, seen = last, true, map[int64]bool{}
			}
			for i := range fresh {
				if by.of(&fresh[i]).Equal(cursor) {
					seen[fresh[i].ID] = true
				}
			}
			fresh, n = nil, 0
			if moved {
				break
			}
		}
		if !moved {
			if len(fresh) > 0 {
				return page(fresh)
			}
			return nil
		}
	}
}

// orderKey is the queue key of an order as of its last modification: the
// same order unchanged is one message, a changed one a new message.
func orderKey(o *bigcommerce.Order) string {
	return "order:" + strconv.FormatInt(o.ID, 10) + ":" + strconv.FormatInt(o.DateModified.Unix(), 10)
}

// enqueueOrder puts o on q at PriorityLow and reports whether it was new.
func enqueueOrder(ctx context.Context, q idempotency.Queue, o *bigcommerce.Order, src Source, now time.Time) (bool, error) {
	body, err := EncodeTask(Task{OrderID: o.ID, Source: src, ReceivedAt: now.UTC()})
	if err != nil {
		return false, err
	}
	res, err := q.Enqueue(ctx, idempotency.Message{Key: orderKey(o), Body: body, Priority: idempotency.PriorityLow})
	if err != nil {
		return false, fmt.Errorf("pipeline: enqueue order %d: %w", o.ID, err)
	}
	return !res.Duplicate, nil
}

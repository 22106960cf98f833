package pipeline

import (
	"context"
	"fmt"
	"iter"
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
// from, oldest first, and hands them to page a page at a time, by keyset
// (see keysetWalk).
func walk(ctx context.Context, l OrderLister, base bigcommerce.ListOrdersOptions, by orderDate,
	from time.Time, pageSize int, page func([]bigcommerce.Order) error) error {
	list := func(cursor time.Time) iter.Seq2[bigcommerce.Order, error] {
		opts := base
		opts.PageSize = pageSize
		if by == byCreated {
			opts.MinDateCreated, opts.Sort = cursor, "date_created:asc"
		} else {
			opts.MinDateModified, opts.Sort = cursor, "date_modified:asc"
		}
		return l.List(ctx, opts)
	}
	return keysetWalk(list, func(o *bigcommerce.Order) (int64, time.Time) { return o.ID, by.of(o) }, from, pageSize, page)
}

// keysetWalk lists the records whose date is at or after from, oldest
// first, and hands them to page a page at a time. list(cursor) must list
// the records dated at or after cursor, sorted by that date, pageSize to a
// request; key gives a record's id and date. It pages by keyset rather than
// by page number: each request starts again at the date of the last record
// seen, because a page-number walk skips a record whenever one listed
// earlier is modified meanwhile and moves to the end. Records of that last
// second come again in the next request; keysetWalk drops those it has
// handed over already, so page sees each record once per walk. When a whole
// page shares one second, the walk reads on through the same request.
func keysetWalk[T any](list func(cursor time.Time) iter.Seq2[T, error], key func(*T) (int64, time.Time),
	from time.Time, pageSize int, page func([]T) error) error {
	cursor := from
	seen := map[int64]bool{} // records handed over whose date is cursor
	for {
		var fresh []T
		n, moved := 0, false
		for r, err := range list(cursor) {
			if err != nil {
				return err
			}
			n++
			if id, date := key(&r); !seen[id] || !date.Equal(cursor) {
				fresh = append(fresh, r)
			}
			if n < pageSize {
				continue
			}
			if len(fresh) > 0 {
				if err := page(fresh); err != nil {
					return err
				}
			}
			if _, last := key(&r); last.After(cursor) {
				cursor, moved, seen = last, true, map[int64]bool{}
			}
			for i := range fresh {
				if id, date := key(&fresh[i]); date.Equal(cursor) {
					seen[id] = true
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

package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
)

// job is one delivery the Worker holds, with its Store claims.
type job struct {
	d     *idempotency.Delivery
	task  Task
	token string // Store claim token; empty when nothing was claimed
	log   *slog.Logger
	// syncToken holds the order's sync claim (Store.StartSync) from before
	// the fetch until the job is settled; empty when none is held.
	syncToken string
	// written is the version the Store records as written for the order;
	// version is the version of the order this job fetched.
	written string
	version orderVersion
	// waited is how many of the delivery's attempts this Worker spent
	// waiting for another task's claim; they do not count to MaxAttempts.
	waited int
}

// item is one mapped order waiting in a batch, with every delivery it
// settles.
type item struct {
	order  *bigcommerce.Order
	result mapper.Result
	jobs   []*job
	since  time.Time // when it joined the batcher's waiting list
}

// prepare takes one delivery through decode, claim, the order's sync claim,
// fetch, map and the freshness check. It settles the delivery itself and
// returns nil, unless the order is to be written, in which case it returns
// the item for the batcher; the job then holds the order's sync claim until
// it is settled.
func (w *Worker) prepare(ctx context.Context, d *idempotency.Delivery) *item {
	j := &job{d: d, log: w.log.With("key", d.Key, "attempt", d.Attempt), waited: w.waits.count(d.ID)}
	task, err := DecodeTask(d.Body)
	if err != nil {
		w.dead(j, Result{}, fmt.Sprintf("message %s: %v", d.ID, err))
		return nil
	}
	j.task = task
	j.log = j.log.With(task.syncKind()+"_id", task.ID())

	claim, err := w.cfg.Store.Begin(ctx, d.Key, w.cfg.Lease)
	if err != nil {
		w.fail(ctx, j, Result{}, fmt.Errorf("claim: %w", err))
		return nil
	}
	switch claim.Status {
	case idempotency.Done:
		w.ack(j, Result{Outcome: OutcomeSkipped, SkipCode: SkipAlreadyDone, Reason: SkipAlreadyDone + ": key is done in the store"})
		return nil
	case idempotency.InFlight:
		w.retryHeld(j, "key is claimed by another worker")
		return nil
	}
	j.token = claim.Token
	if task.EntityKind() != KindOrder {
		w.routeEntity(ctx, j)
		return nil
	}
	if !w.startSync(ctx, j) {
		return nil
	}

	w.stats.bigcommerceCalls.Add(1)
	order, err := w.cfg.Orders.Get(ctx, task.OrderID)
	if err != nil {
		w.fail(ctx, j, Result{}, fmt.Errorf("fetch order %d: %w", task.OrderID, err))
		return nil
	}
	res, err := w.cfg.Mapper.Map(order)
	if err != nil {
		w.fail(ctx, j, Result{}, fmt.Errorf("map order %d: %w", task.OrderID, err))
		return nil
	}
	if res.Skipped() {
		w.markVersion(order, []*job{j})
		w.complete(j, Result{
			Outcome:  OutcomeSkipped,
			SkipCode: string(res.Skip.Code),
			Reason:   string(res.Skip.Code) + ": " + res.Skip.Message,
			Warnings: res.Warnings,
		})
		return nil
	}
	j.version = versionOf(order, &res)
	if code := freshness(j.written, j.version, task.Force); code != "" {
		w.markVersion(order, []*job{j})
		w.complete(j, Result{
			Outcome: OutcomeSkipped, SkipCode: code, Warnings: res.Warnings,
			Reason: fmt.Sprintf("%s: order %d modified at %s; Salesforce holds the version %s",
				code, task.OrderID, order.DateModified.UTC().Format(time.RFC3339), j.written),
		})
		return nil
	}
	return &item{order: order, result: res, jobs: []*job{j}}
}

// SkipAlreadyDone is the Result.SkipCode of a task whose key the Store holds
// as done: a redelivery of work already finished.
const SkipAlreadyDone = "already_done"

// graphID names the graph of an order; ids are unique within a batch.
func graphID(orderID int64) string { return "order_" + strconv.FormatInt(orderID, 10) }

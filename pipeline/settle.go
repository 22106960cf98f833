package pipeline

import (
	"context"
	"errors"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
)

// maxReasonBytes bounds a dead-letter or retry reason.
const maxReasonBytes = 2000

// settleCtx is the context of one settling call: its own, so that a task is
// given back even when Run's context and the drain have ended.
func settleCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), settleTimeout)
}

// complete finishes the job's sync of its order (finishSync), marks the
// job's key done and acknowledges it. A failed Complete is logged, not
// retried: the write is done, and a redelivery would repeat an idempotent
// upsert at worst.
func (w *Worker) complete(j *job, r Result) {
	ctx, cancel := settleCtx()
	defer cancel()
	w.finishSync(ctx, j, r)
	if err := w.cfg.Store.Complete(ctx, j.d.Key, j.token, 0); err != nil {
		j.log.Warn("store complete failed; acknowledging anyway", "err", err)
	}
	w.ackCtx(ctx, j, r)
}

// markVersion records in the Store that order, as of its last modification,
// is in Salesforce, under the key the Reconciler and Backfill enqueue it with
// (orderKey). Their message for an order a webhook already brought in is then
// skipped as already done, without a BigCommerce call or a Salesforce write.
// It is best effort: when it fails, the reconcile message syncs the order
// again, which is idempotent.
//
// A reconcile or backfill task of that very version completes the key itself,
// so the two Store calls are skipped for it.
func (w *Worker) markVersion(order *bigcommerce.Order, jobs []*job) {
	w.markDone(orderKey(order), jobs)
}

// markDone completes key in the Store on behalf of jobs, as markVersion
// does for an order's version key, unless one of the jobs is that key's own
// message.
func (w *Worker) markDone(key string, jobs []*job) {
	for _, j := range jobs {
		if j.d.Key == key {
			return
		}
	}
	log := jobs[0].log
	ctx, cancel := settleCtx()
	defer cancel()
	claim, err := w.cfg.Store.Begin(ctx, key, w.cfg.Lease)
	if err != nil {
		log.Warn("store: could not mark the order version done", "version_key", key, "err", err)
		return
	}
	if claim.Status != idempotency.Claimed {
		// Done already, or a reconcile message for this very version is in
		// flight and will complete the key itself.
		return
	}
	if err := w.cfg.Store.Complete(ctx, key, claim.Token, 0); err != nil {
		log.Warn("store: could not mark the order version done", "version_key", key, "err", err)
	}
}

// ack acknowledges the job without touching the Store.
func (w *Worker) ack(j *job, r Result) {
	ctx, cancel := settleCtx()
	defer cancel()
	w.ackCtx(ctx, j, r)
}

func (w *Worker) ackCtx(ctx context.Context, j *job, r Result) {
	w.waits.forget(j.d.ID)
	if err := w.cfg.Queue.Ack(ctx, j.d); err != nil {
		// ErrLeaseLost: the message was delivered again; the Store tells
		// that delivery the work is done.
		j.log.Warn("ack failed", "err", err)
	}
	switch r.Outcome {
	case OutcomeSynced:
		w.stats.synced.Add(1)
		j.log.Info(j.task.syncKind()+" synced", "records", len(r.Records), "warnings", len(r.Warnings))
	case OutcomeSkipped:
		w.stats.skip(r.SkipCode)
		j.log.Info(j.task.syncKind()+" skipped", "reason", r.Reason)
	}
	w.emit(j, r)
}

// retry releases the claim and puts the job back after delay.
func (w *Worker) retry(j *job, r Result, delay time.Duration, reason string) {
	ctx, cancel := settleCtx()
	defer cancel()
	w.release(ctx, j)
	if err := w.cfg.Queue.Retry(ctx, j.d, delay); err != nil {
		j.log.Error("retry failed; the message returns when its lease ends", "err", err)
	}
	w.stats.retried.Add(1)
	r.Outcome, r.RetryIn, r.Reason = OutcomeRetried, delay, cut(reason, maxReasonBytes)
	j.log.Warn(j.task.syncKind()+" retried", "delay", delay, "reason", r.Reason)
	w.emit(j, r)
}

// dead releases the claim and dead-letters the job.
func (w *Worker) dead(j *job, r Result, reason string) {
	w.waits.forget(j.d.ID)
	ctx, cancel := settleCtx()
	defer cancel()
	w.release(ctx, j)
	reason = cut(reason, maxReasonBytes)
	if err := w.cfg.Queue.DeadLetter(ctx, j.d, reason); err != nil {
		j.log.Error("dead letter failed; the message returns when its lease ends", "err", err)
	}
	w.stats.dead.Add(1)
	r.Outcome, r.Reason = OutcomeDead, reason
	j.log.Error(j.task.syncKind()+" dead-lettered", "reason", reason)
	w.emit(j, r)
}

// giveBack returns an unfinished job at shutdown: Release and Retry at once.
func (w *Worker) giveBack(j *job) {
	w.retry(j, Result{Cause: CauseShutdown}, 0, "worker shutting down")
}

func (w *Worker) release(ctx context.Context, j *job) {
	w.abortSync(ctx, j)
	if j.token == "" {
		return
	}
	if err := w.cfg.Store.Release(ctx, j.d.Key, j.token); err != nil && !errors.Is(err, idempotency.ErrLeaseLost) {
		j.log.Warn("store release failed; the claim ends with its lease", "err", err)
	}
	j.token = ""
}

// emit fills the job's fields into r and hands it to OnResult and to the
// end of Hooks.Task.
func (w *Worker) emit(j *job, r Result) {
	if w.cfg.OnResult == nil && j.end == nil {
		return
	}
	r.OrderID, r.Key, r.Source, r.Attempt = j.task.OrderID, j.d.Key, j.task.Source, j.d.Attempt
	r.Kind, r.CustomerID, r.ProductID = j.task.EntityKind(), j.task.CustomerID, j.task.ProductID
	if w.cfg.OnResult != nil {
		w.cfg.OnResult(r)
	}
	if end := j.end; end != nil {
		j.end = nil
		end(r)
	}
}

package pipeline

import (
	"context"

	"github.com/bc2sf/bc2sf/idempotency"
)

// Stage names the part of a Worker's work that a Hooks.Call covers.
type Stage string

// The stages of Hooks.Call.
const (
	// StageFetch is a BigCommerce read of the tasks' orders, customers or
	// products.
	StageFetch Stage = "fetch"
	// StageWrite is the Salesforce calls of a batch: the Order target's
	// queries, then the Composite Graph calls.
	StageWrite Stage = "write"
)

// Hooks let a caller follow each delivery through a Worker, to trace it or
// time it, without the Worker knowing of any tracing library: the telemetry
// package fills them for OpenTelemetry. Every field is optional, and the
// zero Hooks does nothing. The hooks are called from the Worker's
// goroutines, so they must be safe for concurrent use, and quick.
type Hooks struct {
	// Task is called once per delivery whose body decodes into a Task,
	// before the Worker claims the task's key. The context it returns,
	// which must derive from ctx, is the task's own: the Worker passes it to
	// the Store claim and to Call. The function it returns, when not nil,
	// is called exactly once, with the delivery's Result (as OnResult gets
	// it), when the delivery is settled. d is the Worker's; Task must not
	// change it.
	Task func(ctx context.Context, t Task, d *idempotency.Delivery) (context.Context, func(Result))

	// Call is called before each call the Worker makes to BigCommerce or
	// Salesforce on behalf of tasks, with the contexts Task returned for
	// them (one for a single order, several for a page of orders or a
	// batch; the Worker's own context for a delivery Task did not see). The
	// context it returns, which must derive from ctx, is the one the call
	// runs with; the function it returns, when not nil, is called once when
	// the stage is over, with the error of the call (nil when the call
	// succeeded, even if Salesforce refused some of the batch's orders:
	// those are in each order's Result).
	Call func(ctx context.Context, stage Stage, tasks []context.Context) (context.Context, func(error))
}

// taskHook runs Hooks.Task for j, and keeps its context and its end.
func (w *Worker) taskHook(ctx context.Context, j *job) {
	j.ctx = ctx
	if w.cfg.Hooks.Task == nil {
		return
	}
	j.ctx, j.end = w.cfg.Hooks.Task(ctx, j.task, j.d)
	if j.ctx == nil {
		j.ctx = ctx
	}
}

// callHook runs Hooks.Call for the stage of jobs. The returned end is never
// nil.
func (w *Worker) callHook(ctx context.Context, stage Stage, jobs []*job) (context.Context, func(error)) {
	if w.cfg.Hooks.Call == nil {
		return ctx, func(error) {}
	}
	tasks := make([]context.Context, len(jobs))
	for i, j := range jobs {
		tasks[i] = j.ctx
		if tasks[i] == nil {
			tasks[i] = ctx
		}
	}
	cctx, end := w.cfg.Hooks.Call(ctx, stage, tasks)
	if cctx == nil {
		cctx = ctx
	}
	if end == nil {
		end = func(error) {}
	}
	return cctx, end
}

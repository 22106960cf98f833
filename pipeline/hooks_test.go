package pipeline_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

type (
	taskKey struct{} // the order id of the task, set by Hooks.Task
	callKey struct{} // the stage, set by Hooks.Call
)

// hookLog records what the hooks and the clients saw.
type hookLog struct {
	mu       sync.Mutex
	tasks    []pipeline.Task
	ends     map[int64][]pipeline.Result
	calls    []hookCall
	gets     []seen // contexts of Orders.Get
	graphs   []seen // contexts of CompositeGraph
	callErrs []error
}

type hookCall struct {
	stage  pipeline.Stage
	orders []int64
}

type seen struct {
	order any
	stage any
}

func seenOf(ctx context.Context) seen {
	return seen{order: ctx.Value(taskKey{}), stage: ctx.Value(callKey{})}
}

func (h *hookLog) hooks() pipeline.Hooks {
	return pipeline.Hooks{
		Task: func(ctx context.Context, t pipeline.Task, d *idempotency.Delivery) (context.Context, func(pipeline.Result)) {
			h.mu.Lock()
			h.tasks = append(h.tasks, t)
			h.mu.Unlock()
			return context.WithValue(ctx, taskKey{}, t.OrderID), func(r pipeline.Result) {
				h.mu.Lock()
				h.ends[t.OrderID] = append(h.ends[t.OrderID], r)
				h.mu.Unlock()
			}
		},
		Call: func(ctx context.Context, stage pipeline.Stage, tasks []context.Context) (context.Context, func(error)) {
			c := hookCall{stage: stage}
			for _, tc := range tasks {
				id, _ := tc.Value(taskKey{}).(int64)
				c.orders = append(c.orders, id)
			}
			slices.Sort(c.orders)
			h.mu.Lock()
			h.calls = append(h.calls, c)
			h.mu.Unlock()
			return context.WithValue(ctx, callKey{}, stage), func(err error) {
				h.mu.Lock()
				h.callErrs = append(h.callErrs, err)
				h.mu.Unlock()
			}
		},
	}
}

type spyOrders struct {
	pipeline.OrderSource
	log *hookLog
}

func (s spyOrders) Get(ctx context.Context, id int64) (*bigcommerce.Order, error) {
	s.log.mu.Lock()
	s.log.gets = append(s.log.gets, seenOf(ctx))
	s.log.mu.Unlock()
	return s.OrderSource.Get(ctx, id)
}

type spyGraphs struct {
	pipeline.GraphWriter
	log *hookLog
}

func (s spyGraphs) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	s.log.mu.Lock()
	s.log.graphs = append(s.log.graphs, seenOf(ctx))
	s.log.mu.Unlock()
	return s.GraphWriter.CompositeGraph(ctx, req)
}

// Hooks.Task sees every decodable delivery and its end gets the Result that
// OnResult gets; Hooks.Call wraps every fetch and write with the contexts
// of the tasks it serves, and the clients run with the context it returns.
func TestWorkerHooks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addOrders(t, 3)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	var ids []int64
	for _, o := range orders {
		ids = append(ids, o.ID)
		body, err := pipeline.EncodeTask(pipeline.Task{OrderID: o.ID, Source: pipeline.SourceWebhook, TraceParent: parent})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.q.Enqueue(context.Background(), idempotency.Message{Key: "evt:" + string(rune('a'+len(ids))), Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.q.Enqueue(context.Background(), idempotency.Message{Key: "junk", Body: []byte("{")}); err != nil {
		t.Fatal(err)
	}
	log := &hookLog{ends: map[int64][]pipeline.Result{}}
	var got results
	cfg := e.config()
	cfg.Orders = spyOrders{OrderSource: e.bcc.Orders, log: log}
	cfg.Graphs = spyGraphs{GraphWriter: e.sfc, log: log}
	cfg.BatchSize = 3
	cfg.OnResult = got.add
	cfg.Hooks = log.hooks()
	w := newWorker(t, cfg)
	pipeline.SendOnlyFullBatches(w)
	start(t, w)
	waitFor(t, "4 results", func() bool { return len(got.list()) == 4 })

	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.tasks) != 3 {
		t.Fatalf("Task saw %d deliveries, want the 3 that decode", len(log.tasks))
	}
	for _, task := range log.tasks {
		if task.TraceParent != parent {
			t.Errorf("Task got traceparent %q, want %q", task.TraceParent, parent)
		}
	}
	for _, r := range got.list() {
		if r.OrderID == 0 {
			if r.Outcome != pipeline.OutcomeDead || r.Cause != pipeline.CauseInvalidTask {
				t.Errorf("junk message: %+v; want dead with cause invalid_task", r)
			}
			continue
		}
		ends := log.ends[r.OrderID]
		if len(ends) != 1 || ends[0].Outcome != pipeline.OutcomeSynced || ends[0].Key != r.Key || len(ends[0].Records) != len(r.Records) {
			t.Errorf("order %d: ends %+v; want once the OnResult %+v", r.OrderID, ends, r)
		}
	}
	var fetches, writes []hookCall
	for _, c := range log.calls {
		switch c.stage {
		case pipeline.StageFetch:
			fetches = append(fetches, c)
		case pipeline.StageWrite:
			writes = append(writes, c)
		}
	}
	if len(fetches) != 3 {
		t.Errorf("fetch calls %+v; want one per order", fetches)
	}
	if len(writes) != 1 || !slices.Equal(writes[0].orders, ids) {
		t.Errorf("write calls %+v; want one with orders %v", writes, ids)
	}
	for _, s := range log.gets {
		if s.stage != pipeline.StageFetch {
			t.Errorf("Orders.Get ran with %+v; want the fetch stage's context", s)
		}
	}
	if len(log.graphs) != 1 || log.graphs[0].stage != pipeline.StageWrite {
		t.Errorf("CompositeGraph ran with %+v; want the write stage's context", log.graphs)
	}
	for _, err := range log.callErrs {
		if err != nil {
			t.Errorf("a stage ended with %v, want nil", err)
		}
	}
}

// A write whose call fails ends its stage with the call's error, and the
// Result says why in a word.
func TestWorkerHooksReportACallError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	o := e.addOrders(t, 1)[0]
	enqueue(t, e.q, o.ID)
	// A whole call Salesforce refuses for its content: a 503 would be
	// written again from memory, not settled.
	callErr := &salesforce.APIError{StatusCode: 400, Errors: []salesforce.ErrorEntry{{Code: "INVALID_INPUT"}}}
	log := &hookLog{ends: map[int64][]pipeline.Result{}}
	cfg := e.config()
	cfg.MaxAttempts = 1
	cfg.Graphs = failingGraphs{callErr}
	cfg.Hooks = log.hooks()
	w := newWorker(t, cfg)
	start(t, w)
	waitFor(t, "dead letter", func() bool { return w.Stats().DeadLettered == 1 })

	log.mu.Lock()
	defer log.mu.Unlock()
	ends := log.ends[o.ID]
	if len(ends) != 1 || ends[0].Outcome != pipeline.OutcomeDead || ends[0].Cause != pipeline.CauseSalesforceRejected {
		t.Fatalf("ends %+v; want one dead letter with cause salesforce_rejected", ends)
	}
	var stageErrs int
	for _, err := range log.callErrs {
		if err != nil {
			stageErrs++
			if !errors.Is(err, callErr) {
				t.Errorf("stage error %v, want the call's", err)
			}
		}
	}
	if stageErrs != 1 {
		t.Errorf("%d stages ended with an error, want the write alone", stageErrs)
	}
}

package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

type (
	taskKey struct{} // the id of the task's order, customer or product, set by Hooks.Task
	callKey struct{} // the stage, set by Hooks.Call
	kindKey struct{} // the task's kind, set by Hooks.Task
)

// hookLog records what the hooks and the clients saw.
type hookLog struct {
	mu       sync.Mutex
	tasks    []pipeline.Task
	ends     map[int64][]pipeline.Result
	calls    []hookCall
	gets     []seen // contexts of Orders.Get
	lists    []seen // contexts of Customers.List and Products.List
	graphs   []seen // contexts of CompositeGraph
	callErrs []error
}

type hookCall struct {
	stage  pipeline.Stage
	orders []int64  // the ids of the tasks
	tasks  []string // "kind:id" of the tasks
}

type seen struct {
	order any
	stage any
	kind  any
}

func seenOf(ctx context.Context) seen {
	return seen{order: ctx.Value(taskKey{}), stage: ctx.Value(callKey{}), kind: ctx.Value(kindKey{})}
}

func (h *hookLog) hooks() pipeline.Hooks {
	return pipeline.Hooks{
		Task: func(ctx context.Context, t pipeline.Task, d *idempotency.Delivery) (context.Context, func(pipeline.Result)) {
			h.mu.Lock()
			h.tasks = append(h.tasks, t)
			h.mu.Unlock()
			ctx = context.WithValue(ctx, kindKey{}, t.EntityKind())
			return context.WithValue(ctx, taskKey{}, t.ID()), func(r pipeline.Result) {
				h.mu.Lock()
				h.ends[t.ID()] = append(h.ends[t.ID()], r)
				h.mu.Unlock()
			}
		},
		Call: func(ctx context.Context, stage pipeline.Stage, tasks []context.Context) (context.Context, func(error)) {
			c := hookCall{stage: stage}
			for _, tc := range tasks {
				id, _ := tc.Value(taskKey{}).(int64)
				c.orders = append(c.orders, id)
				c.tasks = append(c.tasks, fmt.Sprintf("%v:%d", tc.Value(kindKey{}), id))
			}
			slices.Sort(c.orders)
			slices.Sort(c.tasks)
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

type spyCustomers struct {
	pipeline.CustomerSource
	log *hookLog
}

func (s spyCustomers) List(ctx context.Context, opts bigcommerce.ListCustomersOptions) iter.Seq2[bigcommerce.Customer, error] {
	s.log.mu.Lock()
	s.log.lists = append(s.log.lists, seenOf(ctx))
	s.log.mu.Unlock()
	return s.CustomerSource.List(ctx, opts)
}

type spyProducts struct {
	pipeline.ProductSource
	log *hookLog
}

func (s spyProducts) List(ctx context.Context, opts bigcommerce.ListProductsOptions) iter.Seq2[bigcommerce.Product, error] {
	s.log.mu.Lock()
	s.log.lists = append(s.log.lists, seenOf(ctx))
	s.log.mu.Unlock()
	return s.ProductSource.List(ctx, opts)
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

// A customer's or product's BigCommerce read goes through Hooks.Call with
// the fetch stage, as an order's does: the read runs with the stage's
// context, derived from the task's, and the stage ends with the read's
// error.
func TestWorkerHooksEntityFetch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	c, err := e.bc.AddCustomer(bctest.Customer{Email: "grace@example.org", LastName: "Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.bc.AddProduct(bctest.Product{Name: "Pen", SKU: "PEN", Price: "1.99"})
	if err != nil {
		t.Fatal(err)
	}
	log := &hookLog{ends: map[int64][]pipeline.Result{}}
	var res results
	cfg := e.entityConfig()
	cfg.Customers = spyCustomers{CustomerSource: e.bcc.Customers, log: log}
	cfg.Products = spyProducts{ProductSource: e.bcc.Products, log: log}
	cfg.OnResult = res.add
	cfg.Hooks = log.hooks()
	start(t, newWorker(t, cfg))
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: c.ID, Source: pipeline.SourceWebhook})
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: p.ID, Source: pipeline.SourceWebhook})
	for _, r := range settledCount(t, &res, 2) {
		if r.Outcome != pipeline.OutcomeSynced {
			t.Fatalf("result %+v; want both synced", r)
		}
	}

	log.mu.Lock()
	defer log.mu.Unlock()
	want := map[string]bool{fmt.Sprintf("customer:%d", c.ID): false, fmt.Sprintf("product:%d", p.ID): false}
	for _, call := range log.calls {
		if call.stage != pipeline.StageFetch {
			continue
		}
		if len(call.tasks) != 1 {
			t.Errorf("fetch for %v; want one per entity", call.tasks)
			continue
		}
		if _, ok := want[call.tasks[0]]; !ok {
			t.Errorf("fetch for %v; want one of %v", call.tasks, want)
		}
		want[call.tasks[0]] = true
	}
	for task, fetched := range want {
		if !fetched {
			t.Errorf("no fetch stage for %s in %+v", task, log.calls)
		}
	}
	if len(log.lists) != 2 {
		t.Errorf("%d customer and product reads, want 2", len(log.lists))
	}
	for _, s := range log.lists {
		if s.stage != pipeline.StageFetch {
			t.Errorf("a read ran with %+v; want the fetch stage's context", s)
		}
	}
	for _, err := range log.callErrs {
		if err != nil {
			t.Errorf("a stage ended with %v, want nil", err)
		}
	}
}

// A customer read that fails ends its fetch stage with the read's error.
func TestWorkerHooksEntityFetchError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	c, err := e.bc.AddCustomer(bctest.Customer{Email: "grace@example.org", LastName: "Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.bc.FailNext(1, bctest.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	log := &hookLog{ends: map[int64][]pipeline.Result{}}
	var res results
	cfg := e.entityConfig()
	cfg.MaxAttempts = 1
	cfg.OnResult = res.add
	cfg.Hooks = log.hooks()
	start(t, newWorker(t, cfg))
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: c.ID, Source: pipeline.SourceWebhook})
	if r := settledCount(t, &res, 1)[0]; r.Outcome != pipeline.OutcomeDead {
		t.Fatalf("result %+v; want a dead letter", r)
	}

	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.calls) != 1 || log.calls[0].stage != pipeline.StageFetch || len(log.callErrs) != 1 {
		t.Fatalf("stages %+v ended with %v; want the fetch alone", log.calls, log.callErrs)
	}
	var apiErr *bigcommerce.APIError
	if fetchErr := log.callErrs[0]; !errors.As(fetchErr, &apiErr) || apiErr.Status != http.StatusServiceUnavailable {
		t.Errorf("the fetch stage ended with %v; want the read's 503", log.callErrs[0])
	}
}

package pipeline_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// heldGraphs answers Composite Graph calls like okGraphs, but each call
// waits until the test releases it, so that a test decides when calls
// return. It records the orders of every call.
type heldGraphs struct {
	okGraphs
	mu      sync.Mutex
	calls   [][]string // graph ids per call, in call order
	release chan struct{}
}

func newHeldGraphs() *heldGraphs { return &heldGraphs{release: make(chan struct{})} }

func (h *heldGraphs) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	var ids []string
	for _, g := range req.Graphs {
		ids = append(ids, g.GraphID)
	}
	h.mu.Lock()
	h.calls = append(h.calls, ids)
	h.mu.Unlock()
	select {
	case <-h.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return h.okGraphs.CompositeGraph(ctx, req)
}

// sizes returns the number of orders of each call so far.
func (h *heldGraphs) sizes() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []int
	for _, c := range h.calls {
		out = append(out, len(c))
	}
	return out
}

// distinctBuyers gives every order a buyer of its own, so that no two
// orders share a record and the batcher never holds one back for another.
func distinctBuyers(orders map[int64]*bigcommerce.Order) map[int64]*bigcommerce.Order {
	for id, o := range orders {
		o.BillingAddress.Email = fmt.Sprintf("buyer-%d@example.com", id)
	}
	return orders
}

// batchRig is a Worker on in-memory fakes, for a synctest bubble.
type batchRig struct {
	q      *idempotency.MemoryQueue
	graphs *heldGraphs
	w      *pipeline.Worker
	next   int64
}

func newBatchRig(t *testing.T, change func(*pipeline.WorkerConfig)) *batchRig {
	t.Helper()
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := &batchRig{q: idempotency.NewMemoryQueue(), graphs: newHeldGraphs()}
	cfg := pipeline.WorkerConfig{
		Queue: r.q, Store: idempotency.NewMemoryStore(), Mapper: m,
		Orders: &memOrders{orders: distinctBuyers(benchOrders(2000))}, Graphs: r.graphs,
	}
	if change != nil {
		change(&cfg)
	}
	r.w = newWorker(t, cfg)
	return r
}

// enqueue queues n tasks of the next orders.
func (r *batchRig) enqueue(t *testing.T, n int) {
	t.Helper()
	for range n {
		r.next++
		body, _ := pipeline.EncodeTask(pipeline.Task{OrderID: r.next, Source: pipeline.SourceWebhook})
		if _, err := r.q.Enqueue(context.Background(), idempotency.Message{Key: fmt.Sprintf("evt:%d", r.next), Body: body}); err != nil {
			t.Fatal(err)
		}
	}
}

// run starts the Worker; the returned stop releases every call, stops it
// and waits for Run.
func (r *batchRig) run(t *testing.T) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.w.Run(ctx) }()
	return func() {
		close(r.graphs.release)
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
		r.q.Close()
	}
}

// TestWorkerSendsAQuietOrderAtOnce: with nothing in flight and nothing else
// being fetched, an order goes to Salesforce without waiting on any timer:
// in the bubble, no time passes between the dequeue and the call.
func TestWorkerSendsAQuietOrderAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newBatchRig(t, nil)
		stop := r.run(t)
		start := time.Now()
		r.enqueue(t, 1)
		synctest.Wait()
		if got := r.graphs.sizes(); !slices.Equal(got, []int{1}) {
			t.Fatalf("calls %v, want one call with the order", got)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("the call started %v after the enqueue, want at once", d)
		}
		stop()
	})
}

// TestWorkerAccumulatesWhileACallIsInFlight: orders that arrive while a
// call is in flight wait for it, and all go in the next call when it
// returns, however long it took.
func TestWorkerAccumulatesWhileACallIsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newBatchRig(t, nil)
		stop := r.run(t)
		r.enqueue(t, 1)
		synctest.Wait()
		r.enqueue(t, 10)
		synctest.Wait()
		if got := r.graphs.sizes(); !slices.Equal(got, []int{1}) {
			t.Fatalf("calls %v while the first is in flight, want [1]", got)
		}
		r.graphs.release <- struct{}{} // the first call returns
		synctest.Wait()
		if got := r.graphs.sizes(); !slices.Equal(got, []int{1, 10}) {
			t.Fatalf("calls %v after the first returned, want [1 10]", got)
		}
		stop()
		if st := r.w.Stats(); st.Synced != 11 || st.GraphCalls != 2 {
			t.Errorf("stats %+v, want 11 synced in 2 calls", st)
		}
	})
}

// TestWorkerSendsFullCallsInParallel: a full call does not wait for the one
// in flight, up to MaxInFlight calls at once.
func TestWorkerSendsFullCallsInParallel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newBatchRig(t, func(c *pipeline.WorkerConfig) { c.MaxInFlight = 3 })
		stop := r.run(t)
		r.enqueue(t, 1)
		synctest.Wait()
		r.enqueue(t, 75*3)
		synctest.Wait()
		// Calls 2 and 3 are full; the rest waits for a free slot.
		if got := r.graphs.sizes(); !slices.Equal(got, []int{1, 75, 75}) {
			t.Fatalf("calls %v, want [1 75 75] in flight at once", got)
		}
		r.graphs.release <- struct{}{}
		synctest.Wait()
		if got := r.graphs.sizes(); !slices.Equal(got, []int{1, 75, 75, 75}) {
			t.Fatalf("calls %v after one returned, want a fourth call of 75", got)
		}
		stop()
		if st := r.w.Stats(); st.Synced != 226 {
			t.Errorf("synced %d, want 226", st.Synced)
		}
	})
}

// downGraphs answers its first down calls with 503, as an org in a bad
// quarter of an hour, then like okGraphs.
type downGraphs struct {
	okGraphs
	down  int64
	tried atomic.Int64
}

func (d *downGraphs) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	if d.tried.Add(1) <= d.down {
		return nil, &salesforce.APIError{StatusCode: 503, Errors: []salesforce.ErrorEntry{{Code: "SERVER_UNAVAILABLE", Message: "Server too busy"}}}
	}
	return d.okGraphs.CompositeGraph(ctx, req)
}

// TestWorkerRidesOutAnOutage: while every call fails as a whole, the orders
// wait in memory, the Worker slows down, and an order whose lease runs low
// goes back to the queue; none of it counts as the order's failure, so even
// with MaxAttempts 1 nothing is dead-lettered, and everything is synced once
// the org answers again.
func TestWorkerRidesOutAnOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var got results
		graphs := &downGraphs{down: 12}
		r := newBatchRig(t, func(c *pipeline.WorkerConfig) {
			c.Graphs, c.OnResult = graphs, got.add
			c.MaxAttempts = 1
			c.Lease = 4 * time.Second
		})
		close(r.graphs.release)
		r.enqueue(t, 5)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.w.Run(ctx) }()
		for r.w.Stats().Synced < 5 {
			time.Sleep(100 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		r.q.Close()

		st := r.w.Stats()
		if st.DeadLettered != 0 || st.FailedGraphCalls != 12 || st.Synced != 5 {
			t.Errorf("stats %+v; want 12 failed calls, 5 synced, no dead letter", st)
		}
		givenBack := 0
		for _, res := range got.list() {
			switch res.Outcome {
			case pipeline.OutcomeRetried:
				givenBack++
				if !strings.Contains(res.Reason, "held while Salesforce failed") {
					t.Errorf("retry %+v, want one given back before its lease ends", res)
				}
			case pipeline.OutcomeSynced:
			default:
				t.Errorf("result %+v", res)
			}
		}
		if givenBack == 0 {
			t.Error("no order went back to the queue while its lease ran low")
		}
	})
}

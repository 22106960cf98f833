package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// haltingGraphs answers Composite Graph calls as a real org does once
// more than 14 graphs of a request have failed: the graphs after them are
// not processed, and each of their nodes answers PROCESSING_HALTED. In its
// second call, the first bad graphs fail on a node of their own with a data
// error; every other call succeeds. The first call waits until the test
// releases it.
type haltingGraphs struct {
	okGraphs
	bad     int
	release chan struct{}
	mu      sync.Mutex
	calls   int
	halted  int
}

func (h *haltingGraphs) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	h.mu.Lock()
	h.calls++
	call := h.calls
	h.mu.Unlock()
	if call == 1 {
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	resp, err := h.okGraphs.CompositeGraph(ctx, req)
	if err != nil || call != 2 {
		return resp, err
	}
	failed := 0
	for i := range resp.Graphs {
		g := &resp.Graphs[i]
		code := "REQUIRED_FIELD_MISSING"
		switch {
		case failed > 14:
			code = salesforce.CodeProcessingHalted
			h.mu.Lock()
			h.halted++
			h.mu.Unlock()
		case i < h.bad:
			failed++
		default:
			continue
		}
		g.IsSuccessful = false
		for j := range g.GraphResponse.Results {
			n := &g.GraphResponse.Results[j]
			c := code
			if j > 0 {
				c = salesforce.CodeProcessingHalted // rolled back with the failing node
			}
			n.HTTPStatusCode = http.StatusBadRequest
			n.Body, _ = json.Marshal([]map[string]string{{"errorCode": c, "message": "test: " + c}})
		}
	}
	return resp, nil
}

// TestWorkerResendsHaltedGraphs: when more than 14 graphs of a call fail,
// Salesforce halts the rest; those orders were never tried, so the Worker
// sends them again from memory at once, even with no node retries left to
// spend, rather than putting them back in the queue to be fetched again.
func TestWorkerResendsHaltedGraphs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const bad, good = 15, 15
		graphs := &haltingGraphs{bad: bad, release: make(chan struct{})}
		m, err := mapper.New(mapper.Config{})
		if err != nil {
			t.Fatal(err)
		}
		q := idempotency.NewMemoryQueue()
		orders := &memOrders{orders: distinctBuyers(benchOrders(1 + bad + good))}
		w := newWorker(t, pipeline.WorkerConfig{Queue: q, Store: idempotency.NewMemoryStore(), Mapper: m,
			Orders: orders, Graphs: graphs})
		pipeline.SetNodeRetries(w, 0, time.Millisecond)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		enqueue := func(from, to int) {
			for id := from; id <= to; id++ {
				body, _ := pipeline.EncodeTask(pipeline.Task{OrderID: int64(id), Source: pipeline.SourceWebhook})
				if _, err := q.Enqueue(context.Background(), idempotency.Message{Key: fmt.Sprint("evt:", id), Body: body}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Order 1 goes alone and is held; the 30 others wait for it and go
		// together: the org refuses the first 15 graphs of that call and
		// halts the 15 after them.
		enqueue(1, 1)
		synctest.Wait()
		enqueue(2, 1+bad+good)
		synctest.Wait()
		close(graphs.release)
		synctest.Wait()
		time.Sleep(time.Minute)
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run = %v", err)
		}
		q.Close()
		st := w.Stats()
		if graphs.halted != good {
			t.Fatalf("%d graphs halted, want %d: the test did not exercise the halt", graphs.halted, good)
		}
		if st.Synced != 1+good || st.DeadLettered != bad || st.Retried != 0 || st.OrdersRead != 1+bad+good {
			t.Errorf("stats %+v; want %d synced, %d dead-lettered, none retried through the queue or read again", st, 1+good, bad)
		}
	})
}

// TestCustomerSyncResendsHaltedGraphs: the same halt, for a batch of
// customers against the fake org: 15 customers that a blocking duplicate
// rule refuses come first in one call, so the org halts the good ones
// after them; the Worker sends those again within the sync, and none goes
// back to the queue.
func TestCustomerSyncResendsHaltedGraphs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	if err := e.sf.AddDuplicateRule(sftest.DuplicateRule{Object: "Contact", Fields: []string{"LastName"}, Block: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sf.Seed("Contact", sftest.Record{"LastName": "Taken"}); err != nil {
		t.Fatal(err)
	}
	const bad, good = 15, 5
	add := func(i int, last string) {
		c, err := e.bc.AddCustomer(bctest.Customer{Email: fmt.Sprintf("buyer%d@example.com", i), LastName: last})
		if err != nil {
			t.Fatal(err)
		}
		enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: c.ID, Source: pipeline.SourceReconcile})
	}
	// The first customer goes alone and its call is held, so that the
	// others share the next call, the refused ones first.
	add(0, "Opener")
	for i := 1; i <= bad; i++ {
		add(i, "Taken")
	}
	for i := bad + 1; i <= bad+good; i++ {
		add(i, fmt.Sprint("Buyer ", i))
	}
	if err := e.sf.FailNext(1, sftest.Fault{Delay: time.Second}); err != nil {
		t.Fatal(err)
	}
	var res results
	cfg := e.entityConfig()
	cfg.OnResult = res.add
	spy := &refusedFirst{GraphWriter: cfg.Graphs, refused: []byte(`"LastName":"Taken"`)}
	cfg.Graphs = spy
	w := newWorker(t, cfg)
	start(t, w)
	waitFor(t, "every customer settled", func() bool {
		st := w.Stats()
		return st.Synced+st.DeadLettered+st.Retried >= 1+bad+good
	})
	if h := spy.haltedGraphs(); h < 1 {
		t.Fatalf("no graph was halted: the test did not exercise the halt")
	}
	if st := w.Stats(); st.Synced != 1+good || st.DeadLettered != bad || st.Retried != 0 {
		t.Errorf("stats %+v; want %d synced, %d dead-lettered, none retried through the queue", st, 1+good, bad)
	}
}

// refusedFirst puts the graphs whose JSON holds refused first in each call,
// whatever order the fetchers handed their customers over in, so that the
// org meets more than 14 failures before the others, and counts the graphs
// that came back halted.
type refusedFirst struct {
	pipeline.GraphWriter
	refused []byte
	mu      sync.Mutex
	halted  int
}

func (r *refusedFirst) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	isRefused := func(g salesforce.Graph) bool {
		b, _ := json.Marshal(g)
		return bytes.Contains(b, r.refused)
	}
	slices.SortStableFunc(req.Graphs, func(a, b salesforce.Graph) int {
		switch ra, rb := isRefused(a), isRefused(b); {
		case ra && !rb:
			return -1
		case rb && !ra:
			return 1
		}
		return 0
	})
	resp, err := r.GraphWriter.CompositeGraph(ctx, req)
	if err == nil {
		for _, g := range resp.Graphs {
			for _, n := range g.GraphResponse.Results {
				if bytes.Contains(n.Body, []byte(salesforce.CodeProcessingHalted)) && !g.IsSuccessful {
					r.mu.Lock()
					r.halted++
					r.mu.Unlock()
					break
				}
			}
		}
	}
	return resp, err
}

func (r *refusedFirst) haltedGraphs() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.halted
}

package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
)

// haltingGraphs answers Composite Graph calls as a real org does once
// more than 14 graphs of a request have failed: the graphs after them are
// not processed, and each of their nodes answers PROCESSING_HALTED. The
// graphs of the orders in bad fail on a node of their own with a data
// error. The first call waits until the test releases it.
type haltingGraphs struct {
	okGraphs
	bad     map[string]bool
	release chan struct{}
	mu      sync.Mutex
	calls   int
	halted  int
}

func (h *haltingGraphs) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	h.mu.Lock()
	h.calls++
	first := h.calls == 1
	h.mu.Unlock()
	if first {
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	resp, err := h.okGraphs.CompositeGraph(ctx, req)
	if err != nil {
		return nil, err
	}
	failed := 0
	for i := range resp.Graphs {
		g := &resp.Graphs[i]
		code, status := "", 0
		switch {
		case failed > 14:
			code, status = salesforce.CodeProcessingHalted, http.StatusBadRequest
			h.mu.Lock()
			h.halted++
			h.mu.Unlock()
		case h.bad[g.GraphID]:
			code, status = "REQUIRED_FIELD_MISSING", http.StatusBadRequest
			failed++
		default:
			continue
		}
		g.IsSuccessful = false
		for j := range g.GraphResponse.Results {
			n := &g.GraphResponse.Results[j]
			c := code
			if code != salesforce.CodeProcessingHalted && j > 0 {
				c = salesforce.CodeProcessingHalted // rolled back with the failing node
			}
			n.HTTPStatusCode = status
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
		graphs := &haltingGraphs{bad: map[string]bool{}, release: make(chan struct{})}
		for id := 2; id < 2+bad; id++ {
			graphs.bad[fmt.Sprint("order_", id)] = true
		}
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
		// together: 15 bad ones first, then 15 good ones that the org halts.
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

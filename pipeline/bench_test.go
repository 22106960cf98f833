package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/shopspring/decimal"
)

// memOrders is an OrderSource and OrderLister over a map, counting calls.
type memOrders struct {
	orders map[int64]*bigcommerce.Order
	calls  atomic.Int64 // Get calls
	lists  atomic.Int64 // pages listed
	// edits is added, in seconds, to every order's date_modified: a
	// benchmark bumps it to make each round's orders a newer version, which
	// the Worker writes rather than skips as unchanged.
	edits atomic.Int64
}

// edited returns a copy of o as of the current edits.
func (m *memOrders) edited(o *bigcommerce.Order) bigcommerce.Order {
	c := *o
	if n := m.edits.Load(); n != 0 {
		c.DateModified = c.DateModified.Add(time.Duration(n) * time.Second)
	}
	return c
}

func (m *memOrders) Get(_ context.Context, id int64) (*bigcommerce.Order, error) {
	m.calls.Add(1)
	o, ok := m.orders[id]
	if !ok {
		return nil, &bigcommerce.APIError{Status: 404}
	}
	c := m.edited(o)
	return &c, nil
}

// List implements pipeline.OrderLister over the map: it serves MinID and
// MaxID in id order, PageSize orders per page (50 by default), and ignores
// the other options.
func (m *memOrders) List(_ context.Context, opts bigcommerce.ListOrdersOptions) iter.Seq2[bigcommerce.Order, error] {
	return func(yield func(bigcommerce.Order, error) bool) {
		ids := slices.Sorted(maps.Keys(m.orders))
		limit := opts.PageSize
		if limit <= 0 {
			limit = 50
		}
		m.lists.Add(1)
		n := 0
		for _, id := range ids {
			if opts.MinID != 0 && id < opts.MinID || opts.MaxID != 0 && id > opts.MaxID {
				continue
			}
			if n == limit {
				m.lists.Add(1) // the next page
				n = 0
			}
			n++
			if !yield(m.edited(m.orders[id]), nil) {
				return
			}
		}
	}
}

// okGraphs accepts every graph, counting calls.
type okGraphs struct{ calls atomic.Int64 }

func (g *okGraphs) CompositeGraph(_ context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	g.calls.Add(1)
	resp := &salesforce.GraphResponse{}
	for _, gr := range req.Graphs {
		res := salesforce.GraphResult{GraphID: gr.GraphID, IsSuccessful: true}
		for i, n := range gr.CompositeRequest {
			body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("001%015d", i), "created": true})
			res.GraphResponse.Results = append(res.GraphResponse.Results,
				salesforce.SubResult{ReferenceID: n.ReferenceID, HTTPStatusCode: 201, Body: body})
		}
		resp.Graphs = append(resp.Graphs, res)
	}
	return resp, nil
}

func benchOrders(n int) map[int64]*bigcommerce.Order {
	out := make(map[int64]*bigcommerce.Order, n)
	for i := range n {
		id := int64(i + 1)
		out[id] = &bigcommerce.Order{
			ID: id, StatusID: 11, DateCreated: t0, DateModified: t0,
			TotalIncTax: decimal.RequireFromString(fmt.Sprintf("%d.25", i)),
			BillingAddress: bigcommerce.Address{FirstName: "Ada", LastName: "Lovelace",
				Email: fmt.Sprintf("buyer%d@example.com", i%50)},
		}
	}
	return out
}

const benchBurst = 1000

// BenchmarkWorkerBurst syncs bursts of 1,000 queued orders through the
// Worker, with its defaults, on in-memory fakes and reports the calls each
// order costs.
func BenchmarkWorkerBurst(b *testing.B) {
	src := &memOrders{orders: benchOrders(benchBurst)}
	graphs := &okGraphs{}
	m, _ := mapper.New(mapper.Config{})
	q := idempotency.NewMemoryQueue(idempotency.WithCapacity(2 * benchBurst))
	defer q.Close()
	var wg sync.WaitGroup
	w, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue: q, Store: idempotency.NewMemoryStore(), Orders: src, Graphs: graphs, Mapper: m,
		OnResult: func(pipeline.Result) { wg.Done() },
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	b.ResetTimer()
	for i := range b.N {
		src.edits.Store(int64(i)) // each round writes a newer version of the orders
		wg.Add(benchBurst)
		for id := int64(1); id <= benchBurst; id++ {
			body, _ := pipeline.EncodeTask(pipeline.Task{OrderID: id, Source: pipeline.SourceBackfill})
			if _, err := q.Enqueue(ctx, idempotency.Message{Key: fmt.Sprintf("order:%d:%d", id, i), Body: body}); err != nil {
				b.Fatal(err)
			}
		}
		wg.Wait()
	}
	b.StopTimer()
	cancel()
	<-done
	st := w.Stats()
	orders := float64(b.N * benchBurst)
	if st.Synced != int64(orders) {
		b.Fatalf("synced %d of %v", st.Synced, orders)
	}
	b.ReportMetric(float64(graphs.calls.Load())/orders, "sf-calls/order")
	// The ideal: every call of a burst full but its last.
	b.ReportMetric(float64((benchBurst+74)/75)/benchBurst, "ideal-sf-calls/order")
	b.ReportMetric(float64(src.calls.Load()+src.lists.Load())/orders, "bc-calls/order")
	b.ReportMetric(st.OrdersPerGraphCall(), "orders/sf-call")
}

// BenchmarkMapOnlyBurst is the baseline: mapping the same 1,000 orders and
// building their graphs, with no queue, store or batching.
func BenchmarkMapOnlyBurst(b *testing.B) {
	orders := benchOrders(benchBurst)
	m, _ := mapper.New(mapper.Config{})
	b.ResetTimer()
	for range b.N {
		for id := int64(1); id <= benchBurst; id++ {
			res, err := m.Map(orders[id])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := graphOf(id, res); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// graphOf builds the graph of one mapped order as the Worker does for the
// Opportunity target.
func graphOf(id int64, res mapper.Result) (salesforce.Graph, error) {
	recs := make([]salesforce.UpsertRecord, len(res.Records))
	for i, r := range res.Records {
		recs[i] = salesforce.UpsertRecord{Ref: r.Ref, SObject: r.SObject, ExternalIDField: r.ExternalIDField,
			ExternalID: r.ExternalID, Fields: r.Fields, CreateOnly: r.CreateOnly}
	}
	return salesforce.NewUpsertGraph(fmt.Sprintf("order_%d", id), recs, nil)
}

package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/webhook"
)

// BenchmarkEntityCalls counts the API calls one customer event and one
// product event cost, as BenchmarkAPICalls does for orders, with a Worker
// that syncs customers and products on the default settings.
//
//   - customers/spaced=20: 20 customer edits, each delivered as a signed
//     store/customer/updated only after the one before it was synced.
//     Ideal: 1 Salesforce call (the graph) and 1 BigCommerce call (the
//     read) per customer.
//   - customers/burst=2000: that many customer tasks queued at once. Ideal:
//     one graph call and one read per 75 customers (27 of each).
//   - products/spaced=20: the quiet steady state of products of two
//     variants: each was synced once before the count starts, then is
//     repriced and its store/product/updated delivered, one at a time. The
//     Worker recorded the entries it wrote, so the ideal is 1 Salesforce
//     call (the graph) per product.
//   - products/first=20: the same products' first syncs, one at a time:
//     Salesforce holds nothing the Worker wrote, so one PricebookEntry query
//     precedes the graph. Ideal: 2 Salesforce calls per product.
//   - products/burst=750: first syncs queued at once. Ideal: one query and
//     one graph call per 75 products (20 calls for 750).
//
// It runs once whatever b.N is; run it with -benchtime=1x.
func BenchmarkEntityCalls(b *testing.B) {
	b.Run("customers/spaced=20", func(b *testing.B) { runEntities(b, pipeline.KindCustomer, 20, true, false) })
	b.Run("customers/burst=2000", func(b *testing.B) { runEntities(b, pipeline.KindCustomer, 2000, false, false) })
	b.Run("products/spaced=20", func(b *testing.B) { runEntities(b, pipeline.KindProduct, 20, true, true) })
	b.Run("products/first=20", func(b *testing.B) { runEntities(b, pipeline.KindProduct, 20, true, false) })
	b.Run("products/burst=750", func(b *testing.B) { runEntities(b, pipeline.KindProduct, 750, false, false) })
}

// runEntities syncs n entities of kind, one at a time (spaced, over signed
// deliveries) or queued at once, and reports the calls per entity. With
// resync each entity was synced once before the count starts, and is
// changed before its counted event.
func runEntities(b *testing.B, kind pipeline.Kind, n int, spaced, resync bool) {
	f := newFakes(b)
	ids := make([]int64, 0, n)
	for i := range n {
		var id int64
		if kind == pipeline.KindCustomer {
			c, err := f.store.AddCustomer(bctest.Customer{Email: fmt.Sprintf("buyer%d@example.com", i), LastName: fmt.Sprint("Buyer ", i)})
			if err != nil {
				b.Fatal(err)
			}
			id = c.ID
		} else {
			p, err := f.store.AddProduct(bctest.Product{Name: fmt.Sprint("Product ", i), Price: "10.00", Variants: []bctest.Variant{
				{SKU: fmt.Sprintf("P%d-S", i), OptionValues: []bctest.OptionValue{{ID: 1, Label: "S", OptionID: 1, OptionDisplayName: "Size"}}},
				{SKU: fmt.Sprintf("P%d-L", i), Price: "12.00", OptionValues: []bctest.OptionValue{{ID: 2, Label: "L", OptionID: 1, OptionDisplayName: "Size"}}},
			}})
			if err != nil {
				b.Fatal(err)
			}
			id = p.ID
		}
		ids = append(ids, id)
	}
	q, s := newBackend(b, false, 2*n)
	var synced, other atomic.Int64
	cfg := f.workerConfig(q, s)
	cfg.Customers, cfg.Products, cfg.Pricebook = f.bc.Customers, f.bc.Products, f.sf
	cfg.StandardPricebookID = f.org.StandardPricebookID()
	cfg.OnResult = func(r pipeline.Result) {
		switch r.Outcome {
		case pipeline.OutcomeSynced:
			synced.Add(1)
		case pipeline.OutcomeRetried:
		default:
			other.Add(1)
		}
	}
	ctx := context.Background()
	var recvURL string
	if spaced {
		h, err := webhook.NewHandler(pipeline.NewSink(q, s), webhook.WithScopeFilter(pipeline.IsSyncedScope))
		if err != nil {
			b.Fatal(err)
		}
		recvURL = serve(b, h).URL
	} else {
		for i, id := range ids {
			t := pipeline.Task{Kind: kind, Source: pipeline.SourceWebhook}
			if kind == pipeline.KindCustomer {
				t.CustomerID = id
			} else {
				t.ProductID = id
			}
			body, err := pipeline.EncodeTask(t)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := q.Enqueue(ctx, idempotency.Message{Key: fmt.Sprintf("burst-%d", i), Body: body}); err != nil {
				b.Fatal(err)
			}
		}
	}
	w := newWorker(b, cfg)
	stop := runWorker(b, w)
	deliverSpaced := func() {
		for i, id := range ids {
			ev := bctest.CustomerEvent(bctest.ScopeCustomerUpdated, id)
			if kind == pipeline.KindProduct {
				ev = bctest.ProductEvent(bctest.ScopeProductUpdated, id)
			}
			res, err := f.store.Deliver(ctx, recvURL, ev)
			if err != nil || res.StatusCode != http.StatusOK {
				b.Fatalf("deliver %s %d: %v %v", kind, id, res, err)
			}
			if !waitUntil(30*time.Second, func() bool { return synced.Load() >= int64(i+1) }) {
				b.Fatalf("%s %d was not synced within 30 s", kind, id)
			}
		}
	}
	if resync {
		deliverSpaced()
		for _, id := range ids {
			if err := changeEntity(f.store, kind, id); err != nil {
				b.Fatal(err)
			}
		}
		synced.Store(0)
		f.org.ResetCalls()
		f.store.ResetCalls()
	}
	b.ResetTimer()
	if spaced {
		deliverSpaced()
	} else if !waitUntil(5*time.Minute, func() bool { return synced.Load()+other.Load() >= int64(n) }) {
		b.Errorf("%d of %d settled within 5 minutes", synced.Load()+other.Load(), n)
	}
	b.StopTimer()
	stop()
	if synced.Load() != int64(n) {
		b.Errorf("synced %d of %d (others %d)", synced.Load(), n, other.Load())
	}
	perCall := 1.0 // one graph call
	if kind == pipeline.KindProduct && !resync {
		perCall = 2 // the entries query and the graph call
	}
	batches := float64(n)
	if !spaced {
		batches = float64((n + salesforce.MaxGraphs - 1) / salesforce.MaxGraphs)
	}
	sf := float64(f.org.TotalCalls()) / float64(n)
	ideal := perCall * batches / float64(n)
	b.ReportMetric(sf, "sf-calls/entity")
	b.ReportMetric(ideal, "ideal-sf-calls/entity")
	b.ReportMetric(sf/ideal, "x-ideal")
	bc := float64(f.store.TotalCalls()) / float64(n)
	b.ReportMetric(bc, "bc-calls/entity")
	b.ReportMetric(batches/float64(n), "ideal-bc-calls/entity")
	b.ReportMetric(float64(n), "entities")
}

// changeEntity changes what a customer or product maps to: the customer's
// phone, the product's price.
func changeEntity(s *bctest.Server, kind pipeline.Kind, id int64) error {
	if kind == pipeline.KindCustomer {
		_, err := s.UpdateCustomer(id, func(c *bctest.Customer) { c.Phone = "020 7946 0001" })
		return err
	}
	_, err := s.UpdateProduct(id, func(p *bctest.Product) { p.Price = "11.00" })
	return err
}

package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/mapper"
)

// An order of 120 lines, which BigCommerce does not inline whole (50 per
// consignment), syncs completely in the Order target: every line becomes an
// OrderItem.
func TestWorkerOrderTargetSyncsAllOf120Lines(t *testing.T) {
	t.Parallel()
	e, cfg := orderTargetEnv(t, mapper.LinkByReference, "SKU-0", "SKU-1", "SKU-2")
	o := order(0)
	o.LineItems = nil
	for i := range 120 {
		o.LineItems = append(o.LineItems, bctest.LineItem{ProductID: 7, Name: fmt.Sprint("Widget ", i), SKU: fmt.Sprintf("SKU-%d", i%3),
			Quantity: 1, PriceIncTax: "10.0000", PriceExTax: "10.0000", TotalIncTax: "10.0000", TotalExTax: "10.0000"})
	}
	o.TotalIncTax = "1200.0000"
	added, err := e.bc.AddOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, e.q, added.ID)
	w := newWorker(t, cfg)
	start(t, w)
	waitFor(t, "settled", func() bool { st := w.Stats(); return st.Synced+st.DeadLettered == 1 })
	if st := w.Stats(); st.Synced != 1 {
		t.Fatalf("stats %+v, want the order synced", st)
	}
	if n := len(e.sf.Records("OrderItem")); n != 120 {
		t.Errorf("%d OrderItems, want 120", n)
	}
	if n := e.bc.Calls(bctest.RouteListOrderProducts); n != 1 {
		t.Errorf("%d /products calls, want 1", n)
	}
}

// An order past the client's line bound is dead-lettered at once, with a
// reason that names the bound.
func TestWorkerDeadLettersAnOrderPastTheLineBound(t *testing.T) {
	t.Parallel()
	e, cfg := orderTargetEnv(t, mapper.LinkByReference, "SKU-0", "SKU-1", "SKU-2")
	bcc, err := bigcommerce.NewClient(e.bc.StoreHash(), e.bc.Token(), bigcommerce.WithBaseURL(e.bc.URL()),
		bigcommerce.WithRetry(bigcommerce.RetryPolicy{MaxAttempts: 1}), bigcommerce.WithMaxLineItems(60))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Orders = bcc.Orders
	o := order(0)
	for i := range 70 {
		o.LineItems = append(o.LineItems, bctest.LineItem{ProductID: 7, Name: fmt.Sprint("Widget ", i), SKU: "SKU-0",
			Quantity: 1, PriceIncTax: "1.0000", TotalIncTax: "1.0000"})
	}
	added, err := e.bc.AddOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, e.q, added.ID)
	w := newWorker(t, cfg)
	start(t, w)
	waitFor(t, "settled", func() bool { st := w.Stats(); return st.Synced+st.DeadLettered == 1 })
	dl, err := e.q.DeadLetters(context.Background(), 0)
	if err != nil || len(dl) != 1 || dl[0].Attempt != 1 || !strings.Contains(dl[0].Reason, "more than 60") ||
		!strings.Contains(dl[0].Reason, "WithMaxLineItems") {
		t.Fatalf("dead letters %+v (%v), want one at the first attempt naming the bound", dl, err)
	}
}

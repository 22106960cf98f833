package pipeline_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
	"github.com/bc2sf/bc2sf/webhook"
)

// Example runs the whole sync offline: a fake store sends order webhooks to
// a receiver, whose Sink queues them, and a Worker writes the orders to a
// fake Salesforce org.
func Example() {
	store, _ := bctest.NewServer()
	defer store.Close()
	org, _ := sftest.NewServer()
	defer org.Close()
	bc, _ := bigcommerce.NewClient(store.StoreHash(), store.Token(), bigcommerce.WithBaseURL(store.URL()))
	sf, _ := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()))

	// The receiver: webhook handler -> Sink -> queue. The Sink and the
	// Worker share the Store, which keeps each order's sync record.
	queue, done := idempotency.NewMemoryQueue(), idempotency.NewMemoryStore()
	defer queue.Close()
	handler, _ := webhook.NewHandler(pipeline.NewSink(queue, done))
	receiver := httptest.NewServer(handler)
	defer receiver.Close()

	for i, status := range []int{11, 11, 0, 2} { // 0 is Incomplete: an abandoned checkout
		o, _ := store.AddOrder(bctest.Order{
			StatusID:       status,
			TotalIncTax:    fmt.Sprintf("%d.50", 20+i),
			BillingAddress: bctest.Address{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
		})
		_, _ = store.Deliver(context.Background(), receiver.URL, bctest.EventSpec{OrderID: o.ID})
	}

	m, _ := mapper.New(mapper.Config{})
	var mu sync.Mutex
	var report []pipeline.Result
	ctx, stop := context.WithCancel(context.Background())
	w, err := pipeline.NewWorker(pipeline.WorkerConfig{
		Queue: queue, Store: done,
		Orders: bc.Orders, Graphs: sf, Mapper: m,
		OnResult: func(r pipeline.Result) {
			mu.Lock()
			defer mu.Unlock()
			if report = append(report, r); len(report) == 4 {
				stop()
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = w.Run(ctx)

	slices.SortFunc(report, func(a, b pipeline.Result) int { return int(a.OrderID - b.OrderID) })
	for _, r := range report {
		switch r.Outcome {
		case pipeline.OutcomeSynced:
			opp, _ := org.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", fmt.Sprint(r.OrderID))
			fmt.Printf("order %d: synced, Amount %v\n", r.OrderID, opp["Amount"])
		default:
			fmt.Printf("order %d: %s (%s)\n", r.OrderID, r.Outcome, r.SkipCode)
		}
	}
	st := w.Stats()
	fmt.Printf("orders written: %d; accounts: %d\n", st.GraphOrders, len(org.Records("Account")))
	// Output:
	// order 100: synced, Amount 20.5
	// order 101: synced, Amount 21.5
	// order 102: skipped (status_not_synced)
	// order 103: synced, Amount 23.5
	// orders written: 3; accounts: 1
}

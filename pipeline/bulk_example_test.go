package pipeline_test

import (
	"context"
	"fmt"
	"log"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// BulkBackfill writes a range with Bulk API 2.0 jobs: here 30 orders of 10
// customers, in one chunk of three jobs (Accounts, Contacts,
// Opportunities). A real backfill keeps the defaults: 2,000 orders at
// least, 50,000 per chunk.
func ExampleBulkBackfill() {
	store, _ := bctest.NewServer()
	defer store.Close()
	org, _ := sftest.NewServer()
	defer org.Close()
	bc, _ := bigcommerce.NewClient(store.StoreHash(), store.Token(), bigcommerce.WithBaseURL(store.URL()))
	sf, _ := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()))
	for i := range 30 {
		_, _ = store.AddOrder(bctest.Order{StatusID: 11, TotalIncTax: "25.00",
			BillingAddress: bctest.Address{LastName: "Buyer", Email: fmt.Sprintf("buyer%d@example.com", i%10)}})
	}
	m, _ := mapper.New(mapper.Config{})
	queue := idempotency.NewMemoryQueue() // where refused orders would wait
	defer queue.Close()

	p, err := pipeline.BulkBackfill(context.Background(), pipeline.BulkBackfillConfig{
		Orders: bc.Orders, Salesforce: sf, Mapper: m, Queue: queue,
		MinOrders: 10, ChunkOrders: 1000,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d orders written, %d failed, in %d jobs\n", p.Written, p.Failed, p.Jobs)
	fmt.Printf("%d accounts, %d opportunities\n", len(org.Records("Account")), len(org.Records("Opportunity")))
	// Output:
	// 30 orders written, 0 failed, in 3 jobs
	// 10 accounts, 30 opportunities
}

package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

var fastPoll = salesforce.PollPolicy{InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond}

// addCustomerOrders stores n orders whose buyers repeat every customers
// orders: order i is bought by customer i % customers.
func (e *env) addCustomerOrders(t testing.TB, n, customers int) []bctest.Order {
	t.Helper()
	out := make([]bctest.Order, 0, n)
	for i := range n {
		o := order(i)
		o.BillingAddress.Email = fmt.Sprintf("buyer%d@example.com", i%customers)
		o.BillingAddress.LastName = fmt.Sprintf("Buyer%d", i%customers)
		stored, err := e.bc.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, stored)
	}
	return out
}

func (e *env) bulkConfig(cp idempotency.Checkpoint) pipeline.BulkBackfillConfig {
	return pipeline.BulkBackfillConfig{
		Orders: e.bcc.Orders, Salesforce: e.sfc, Mapper: e.m, Queue: e.q,
		Checkpoint: cp, MinOrders: 100, ChunkOrders: 500, Poll: fastPoll,
	}
}

// deadReasons returns the queue's dead letters by order id.
func deadReasons(t testing.TB, q *idempotency.MemoryQueue) map[int64]string {
	t.Helper()
	dead, err := q.DeadLetters(context.Background(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, d := range dead {
		task, err := pipeline.DecodeTask(d.Body)
		if err != nil {
			t.Fatal(err)
		}
		out[task.OrderID] = d.Reason
	}
	return out
}

// 1,200 orders of 300 customers go through Bulk API jobs in three chunks:
// one row per customer, Contacts and Opportunities linked by external ID,
// the rows Salesforce refuses dead-lettered with their reason, and the
// dead letters replayable through the Worker.
func TestBulkBackfillOpportunities(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addCustomerOrders(t, 1200, 300)
	// An org whose keys are not unique refuses to upsert on them: customer
	// 7's Account matches two records, and so does order 1000's Opportunity.
	for range 2 {
		if _, err := e.sf.Seed("Account", sftest.Record{"Name": "Twin", "BigCommerce_Customer_Key__c": mapper.CustomerKey("buyer7@example.com", 0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sf.Seed("Opportunity", sftest.Record{"Name": "Twin", "StageName": "x", "CloseDate": "2026-01-01",
			"BigCommerce_Order_Id__c": fmt.Sprint(orders[1000].ID)}); err != nil {
			t.Fatal(err)
		}
	}
	cp := &idempotency.MemoryCheckpoint{}
	var phases []string
	cfg := e.bulkConfig(cp)
	cfg.Progress = func(p pipeline.BulkProgress) {
		if len(phases) == 0 || phases[len(phases)-1] != p.Phase {
			phases = append(phases, p.Phase)
		}
	}
	p, err := pipeline.BulkBackfill(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Listed != 1200 || p.Done != 1200 || p.Written != 1195 || p.Failed != 5 || p.Skipped != 0 || p.Jobs != 9 {
		t.Errorf("progress %+v", p)
	}
	if got := strings.Join(phases[:5], ","); got != "listing,Account,Contact,Opportunity,listing" {
		t.Errorf("phases %v", phases)
	}
	if last, _ := cp.Load(context.Background()); !last.Equal(orders[1199].DateCreated) {
		t.Errorf("checkpoint %v, want %v", last, orders[1199].DateCreated)
	}
	if n := len(e.sf.Records("Account")); n != 299+2 {
		t.Errorf("%d accounts, want 299 and the 2 twins", n)
	}
	if n := len(e.sf.Records("Contact")); n != 299 {
		t.Errorf("%d contacts, want 299", n)
	}
	if n := len(e.sf.Records("Opportunity")); n != 1200-5+2 {
		t.Errorf("%d opportunities, want 1,195 and the 2 twins", n)
	}
	key8 := mapper.CustomerKey("buyer8@example.com", 0, 0)
	acct, _ := e.sf.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", key8)
	opp, _ := e.sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", fmt.Sprint(orders[8].ID))
	contact, _ := e.sf.RecordByExternalID("Contact", "BigCommerce_Customer_Key__c", key8)
	if opp["AccountId"] != acct["Id"] || contact["AccountId"] != acct["Id"] || opp["Amount"] != orders[8].TotalIncTax {
		t.Errorf("opportunity %v, contact %v, account %v", opp, contact, acct["Id"])
	}
	// The newest order of a customer names its Contact.
	if contact["LastName"] != "Buyer8" {
		t.Errorf("contact %v", contact)
	}

	dead := deadReasons(t, e.q)
	if len(dead) != 5 {
		t.Fatalf("dead letters %v", dead)
	}
	for i := 7; i < 1200; i += 300 {
		if r := dead[orders[i].ID]; !strings.Contains(r, "bulk upsert Account: DUPLICATE_EXTERNAL_ID") {
			t.Errorf("order %d of the twin customer: %q", orders[i].ID, r)
		}
	}
	if r := dead[orders[1000].ID]; !strings.Contains(r, "bulk upsert Opportunity: DUPLICATE_EXTERNAL_ID") {
		t.Errorf("order with twin opportunities: %q", r)
	}
	calls := e.sf.TotalCalls()
	// 3 chunks of 3 jobs, 4 calls each, and the failed rows of 3 jobs: the
	// twin customer's Accounts in the first two chunks (orders 7, 307, 607
	// and 907), the twin Opportunity in the third.
	if calls != 3*3*4+3 {
		t.Errorf("%d Salesforce calls, want 39", calls)
	}
	if n := e.bc.Calls(bctest.RouteListOrders); n > 1200/250+3 {
		t.Errorf("%d BigCommerce list calls for 1,200 orders", n)
	}

	// Fix the twin opportunity and replay its dead letter through the
	// Worker: the order lands.
	for _, r := range e.sf.Records("Opportunity") {
		if r["Name"] == "Twin" {
			if err := e.sfc.Delete(context.Background(), "Opportunity", r["Id"].(string)); err != nil {
				t.Fatal(err)
			}
		}
	}
	letters, _ := e.q.DeadLetters(context.Background(), 100)
	for _, d := range letters {
		if task, _ := pipeline.DecodeTask(d.Body); task.OrderID == orders[1000].ID {
			if err := e.q.Replay(context.Background(), d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	var res results
	wcfg := e.config()
	wcfg.OnResult = res.add
	r := start(t, newWorker(t, wcfg))
	waitFor(t, "the replayed order", func() bool { return len(res.list()) == 1 })
	r.stop(t)
	if r := res.list()[0]; r.Outcome != pipeline.OutcomeSynced {
		t.Fatalf("replayed order: %+v", r)
	}
	if _, ok := e.sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", fmt.Sprint(orders[1000].ID)); !ok {
		t.Error("the replayed order has no opportunity")
	}
}

// A range smaller than MinOrders is enqueued for the Worker: no job runs.
func TestBulkBackfillSmallRangeGoesToTheWorker(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	e.addOrders(t, 60)
	cfg := e.bulkConfig(nil)
	p, err := pipeline.BulkBackfill(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := e.q.Stats(context.Background())
	if p.Enqueued != 60 || p.Done != 60 || p.Jobs != 0 || st.Ready != 60 || e.sf.TotalCalls() != 0 || e.sf.BulkJobs() != 0 {
		t.Errorf("progress %+v, queue %+v, %d Salesforce calls", p, st, e.sf.TotalCalls())
	}
}

// The Order target: Orders and their OrderItems, priced from the price
// book's entries (read with a query job); an order whose product has no
// entry is dead-lettered whole. A second run over the same range finds the
// records there and updates them without their create-only fields: no
// duplicate, no new failure.
func TestBulkBackfillOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	e.m = mustMapper(t, mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: e.sf.StandardPricebookID()})
	orders := e.addCustomerOrders(t, 300, 100) // SKU-0, SKU-1, SKU-2 in turn
	entries := map[string]string{}
	for _, sku := range []string{"SKU-0", "SKU-1"} {
		prod, err := e.sf.Seed("Product2", sftest.Record{"Name": sku, "BigCommerce_Product_Key__c": sku})
		if err != nil {
			t.Fatal(err)
		}
		if entries[sku], err = e.sf.Seed("PricebookEntry", sftest.Record{"Pricebook2Id": e.sf.StandardPricebookID(),
			"Product2Id": prod, "UnitPrice": "10.00", "IsActive": true}); err != nil {
			t.Fatal(err)
		}
	}
	for run := range 2 {
		p, err := pipeline.BulkBackfill(context.Background(), e.bulkConfig(nil))
		if err != nil {
			t.Fatal(err)
		}
		if p.Written != 200 || p.Failed != 100 {
			t.Errorf("run %d: %+v", run, p)
		}
		if n := len(e.sf.Records("Order")); n != 200 {
			t.Errorf("run %d: %d orders", run, n)
		}
		if n := len(e.sf.Records("OrderItem")); n != 200 {
			t.Errorf("run %d: %d order items", run, n)
		}
	}
	item, ok := e.sf.RecordByExternalID("OrderItem", "BigCommerce_Line_Item_Id__c", fmt.Sprint(orders[4].LineItems[0].ID))
	ord, _ := e.sf.RecordByExternalID("Order", "BigCommerce_Order_Id__c", fmt.Sprint(orders[4].ID))
	if !ok || item["OrderId"] != ord["Id"] || item["PricebookEntryId"] != entries["SKU-1"] || ord["Status"] != "Draft" {
		t.Errorf("item %v of order %v", item, ord)
	}
	dead := deadReasons(t, e.q)
	if len(dead) != 100 || !strings.Contains(dead[orders[2].ID], `no active pricebook entry for product key "SKU-2"`) {
		t.Errorf("%d dead letters, order %d: %q", len(dead), orders[2].ID, dead[orders[2].ID])
	}
}

func mustMapper(t testing.TB, cfg mapper.Config) *mapper.Mapper {
	t.Helper()
	m, err := mapper.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A job that Salesforce fails stops the run with its reason, before the
// checkpoint moves; the next run writes the chunk again and completes,
// with every record once.
func TestBulkBackfillFailedJobStopsTheRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	e.addCustomerOrders(t, 1000, 250)
	cp := &idempotency.MemoryCheckpoint{}
	e.sf.FailNextBulkJob(100, "InvalidBatch : Failed to process query: lock retries exceeded")
	p, err := pipeline.BulkBackfill(context.Background(), e.bulkConfig(cp))
	if !errors.Is(err, salesforce.ErrJobFailed) || !strings.Contains(err.Error(), "lock retries exceeded") ||
		!strings.Contains(err.Error(), "150 of 250 rows unprocessed") {
		t.Fatalf("error %v", err)
	}
	if last, _ := cp.Load(context.Background()); !last.IsZero() || p.Done != 0 {
		t.Errorf("checkpoint %v after a failed first chunk, progress %+v", last, p)
	}
	if n := deadReasons(t, e.q); len(n) != 0 {
		t.Errorf("dead letters after a failed job: %v", n)
	}
	p, err = pipeline.BulkBackfill(context.Background(), e.bulkConfig(cp))
	if err != nil || p.Written != 1000 {
		t.Fatalf("second run: %+v, %v", p, err)
	}
	if a, o := len(e.sf.Records("Account")), len(e.sf.Records("Opportunity")); a != 250 || o != 1000 {
		t.Errorf("%d accounts and %d opportunities", a, o)
	}
}

// Stopped in the middle of a chunk, the run resumes from the checkpoint of
// the chunk before: the chunk is written again, with every record once.
func TestBulkBackfillResumesAfterAnInterruption(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addCustomerOrders(t, 1000, 1000)
	cp := &idempotency.MemoryCheckpoint{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := e.bulkConfig(cp)
	jobs := 0
	cfg.Progress = func(p pipeline.BulkProgress) {
		if p.Phase == "Opportunity" && p.Jobs > 3 && jobs == 0 {
			jobs = p.Jobs
			cancel() // the second chunk's Opportunity job does not run
		}
	}
	if _, err := pipeline.BulkBackfill(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if last, _ := cp.Load(context.Background()); !last.Equal(orders[499].DateCreated) {
		t.Fatalf("checkpoint %v, want the first chunk's last order %v", last, orders[499].DateCreated)
	}
	if n := len(e.sf.Records("Opportunity")); n != 500 {
		t.Fatalf("%d opportunities after the interruption", n)
	}
	p, err := pipeline.BulkBackfill(context.Background(), e.bulkConfig(cp))
	if err != nil {
		t.Fatal(err)
	}
	if p.Listed != 501 || p.Written != 501 {
		t.Errorf("resumed run: %+v (the checkpoint's own order is listed again)", p)
	}
	for obj, want := range map[string]int{"Account": 1000, "Contact": 1000, "Opportunity": 1000} {
		if n := len(e.sf.Records(obj)); n != want {
			t.Errorf("%d %s records, want %d", n, obj, want)
		}
	}
}

func TestBulkBackfillRefusesBadConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	for name, mod := range map[string]func(*pipeline.BulkBackfillConfig){
		"no orders":     func(c *pipeline.BulkBackfillConfig) { c.Orders = nil },
		"no salesforce": func(c *pipeline.BulkBackfillConfig) { c.Salesforce = nil },
		"no mapper":     func(c *pipeline.BulkBackfillConfig) { c.Mapper = nil },
		"no queue":      func(c *pipeline.BulkBackfillConfig) { c.Queue = nil },
		"page size":     func(c *pipeline.BulkBackfillConfig) { c.PageSize = 251 },
		"min > chunk":   func(c *pipeline.BulkBackfillConfig) { c.MinOrders, c.ChunkOrders = 600, 500 },
		"negative":      func(c *pipeline.BulkBackfillConfig) { c.MinOrders = -1 },
		"to < from":     func(c *pipeline.BulkBackfillConfig) { c.From, c.To = time.Now(), time.Now().Add(-time.Hour) },
		"key field":     func(c *pipeline.BulkBackfillConfig) { c.PricebookKeyField = "Product2.Key__c) OR (Id" },
	} {
		cfg := e.bulkConfig(nil)
		mod(&cfg)
		if _, err := pipeline.BulkBackfill(context.Background(), cfg); !errors.Is(err, pipeline.ErrInvalidConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A job whose upload fails is aborted rather than left open in the org, and
// the run stops with the error.
func TestBulkBackfillAbortsAJobItCannotUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	e.addCustomerOrders(t, 200, 50)
	if err := e.sf.FailNext(1, sftest.Fault{Route: sftest.RouteBulkIngestUpload, Status: 400, Code: "INVALIDJOBSTATE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.BulkBackfill(context.Background(), e.bulkConfig(nil)); err == nil || !strings.Contains(err.Error(), "INVALIDJOBSTATE") {
		t.Fatalf("run with a failed upload: %v", err)
	}
	if n := e.sf.Calls(sftest.RouteBulkIngestPatch); n != 1 {
		t.Errorf("%d job state changes, want the one abort", n)
	}
	if n := len(e.sf.Records("Account")); n != 0 {
		t.Errorf("%d accounts written by an aborted job", n)
	}
}

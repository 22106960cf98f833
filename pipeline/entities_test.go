package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
	"github.com/bc2sf/bc2sf/webhook"
)

// entityConfig is the env's WorkerConfig with customer and product syncs.
func (e *env) entityConfig() pipeline.WorkerConfig {
	cfg := e.config()
	cfg.Customers = e.bcc.Customers
	cfg.Products = e.bcc.Products
	cfg.Pricebook = e.sfc
	cfg.StandardPricebookID = e.sf.StandardPricebookID()
	cfg.InFlightDelay = 10 * time.Millisecond
	return cfg
}

// receive serves a webhook handler that enqueues every synced scope on the
// env's queue, and subscribes it in the fake store to the scopes given.
func (e *env) receive(t *testing.T, scopes ...string) {
	t.Helper()
	h, err := webhook.NewHandler(pipeline.NewSink(e.q, e.st), webhook.WithScopeFilter(pipeline.IsSyncedScope))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, s := range scopes {
		if _, err := e.bc.AddHook(bctest.Hook{Scope: s, Destination: srv.URL, IsActive: true}); err != nil {
			t.Fatal(err)
		}
	}
}

// delivered fails the test unless every delivery was accepted.
func delivered(t *testing.T, res []*bctest.DeliveryResult, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(res) == 0 {
		t.Fatal("no hook received the event")
	}
	for _, r := range res {
		if !r.Delivered() {
			t.Fatalf("delivery answered %d: %s", r.StatusCode, r.Body)
		}
	}
}

// settledCount waits until n results of kind were settled (synced or
// skipped) and returns them.
func settledCount(t *testing.T, res *results, n int) []pipeline.Result {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d results", n), func() bool { return len(res.list()) >= n })
	return res.list()
}

// TestCustomerEventsReachSalesforce: a registration, an edit and a new
// address, delivered over HTTP as BigCommerce delivers them, each reach
// the customer's Account and Contact, which the customer's orders then
// share; each costs one BigCommerce read and one Salesforce call.
func TestCustomerEventsReachSalesforce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	e.receive(t, "store/customer/*", "store/order/*")
	var res results
	cfg := e.entityConfig()
	cfg.OnResult = res.add
	start(t, newWorker(t, cfg))
	ctx := context.Background()
	const key = "ada@studio%2Einc"

	before := e.sf.TotalCalls()
	c, dl, err := e.bc.CreateCustomer(ctx, bctest.Customer{Email: "Ada@Studio.inc", FirstName: "Ada", LastName: "Byron", Company: "Engines Ltd"})
	delivered(t, dl, err)
	r := settledCount(t, &res, 1)[0]
	if r.Outcome != pipeline.OutcomeSynced || r.Kind != pipeline.KindCustomer || r.CustomerID != c.ID || len(r.Records) != 2 {
		t.Fatalf("result %+v", r)
	}
	acct, ok := e.sf.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", key)
	if !ok || acct["Name"] != "Engines Ltd" {
		t.Fatalf("account %v", acct)
	}
	if got := e.sf.TotalCalls() - before; got != 1 {
		t.Errorf("a customer's first sync cost %d Salesforce calls, want 1", got)
	}

	_, dl, err = e.bc.EditCustomer(ctx, c.ID, func(c *bctest.Customer) { c.LastName = "Lovelace"; c.Phone = "020 7946 0000" })
	delivered(t, dl, err)
	settledCount(t, &res, 2)
	contact, _ := e.sf.RecordByExternalID("Contact", "BigCommerce_Customer_Key__c", key)
	if contact["LastName"] != "Lovelace" || contact["Phone"] != "020 7946 0000" || contact["Email"] != "ada@studio.inc" {
		t.Errorf("contact after the edit %v", contact)
	}

	_, dl, err = e.bc.AddAddress(ctx, c.ID, bctest.CustomerAddress{Address1: "12 St James's Square", City: "London", Country: "United Kingdom"})
	delivered(t, dl, err)
	settledCount(t, &res, 3)
	contact, _ = e.sf.RecordByExternalID("Contact", "BigCommerce_Customer_Key__c", key)
	if contact["MailingCity"] != "London" || contact["MailingStreet"] != "12 St James's Square" {
		t.Errorf("contact after the new address %v", contact)
	}
	if n := e.bc.Calls(bctest.RouteListCustomers); n != 3 {
		t.Errorf("%d BigCommerce reads for three events, want 3", n)
	}

	// The customer's order lands on the same Account and Contact.
	o := order(1)
	o.CustomerID = c.ID
	o.BillingAddress.Email = "ada@studio.inc"
	added, err := e.bc.AddOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	dl, err = e.bc.DeliverToHooks(ctx, bctest.EventSpec{Scope: bctest.ScopeOrderCreated, OrderID: added.ID})
	delivered(t, dl, err)
	settledCount(t, &res, 4)
	if n := len(e.sf.Records("Account")); n != 1 {
		t.Errorf("%d Accounts, want the customer's one", n)
	}
	if n := len(e.sf.Records("Contact")); n != 1 {
		t.Errorf("%d Contacts, want the customer's one", n)
	}
	for _, r := range res.list() {
		if r.Outcome != pipeline.OutcomeSynced {
			t.Errorf("%s %d%d: %s %s", r.Kind, r.CustomerID, r.OrderID, r.Outcome, r.Reason)
		}
	}
}

// TestCustomerAddressEditReachesAccount: an address edit delivered as
// store/customer/address/updated reaches the Account's billing address
// and the Contact's mailing address, although the customer's date_modified
// does not move (the fake store's pessimistic reading of BigCommerce): the
// Worker compares the records it would write, not date_modified alone. A
// second delivery of the same state is then skipped as unchanged.
func TestCustomerAddressEditReachesAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	e.receive(t, "store/customer/*")
	var res results
	cfg := e.entityConfig()
	cfg.OnResult = res.add
	start(t, newWorker(t, cfg))
	ctx := context.Background()
	c, dl, err := e.bc.CreateCustomer(ctx, bctest.Customer{Email: "mary@example.org", FirstName: "Mary", LastName: "Somerville",
		Addresses: []bctest.CustomerAddress{{Address1: "1 Main St", City: "Leeds", PostalCode: "LS1 1AA", Country: "United Kingdom"}}})
	delivered(t, dl, err)
	settledCount(t, &res, 1)
	acct, _ := e.sf.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "mary@example%2Eorg")
	if acct["BillingCity"] != "Leeds" {
		t.Fatalf("account before the edit %v", acct)
	}

	a, dl, err := e.bc.EditAddress(ctx, c.ID, c.Addresses[0].ID, func(a *bctest.CustomerAddress) {
		a.Address1, a.City, a.PostalCode = "2 Park Row", "York", "YO1 7HH"
	})
	delivered(t, dl, err)
	if now, _ := e.bc.Customer(c.ID); !now.DateModified.Equal(c.DateModified) || now.Addresses[0].City != a.City {
		t.Fatalf("the fake moved date_modified on an address edit: %v -> %v", c.DateModified, now.DateModified)
	}
	r := settledCount(t, &res, 2)[1]
	if r.Outcome != pipeline.OutcomeSynced {
		t.Fatalf("address edit: %s %s %s", r.Outcome, r.SkipCode, r.Reason)
	}
	acct, _ = e.sf.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "mary@example%2Eorg")
	if acct["BillingStreet"] != "2 Park Row" || acct["BillingCity"] != "York" || acct["BillingPostalCode"] != "YO1 7HH" {
		t.Errorf("account after the address edit %v", acct)
	}
	contact, _ := e.sf.RecordByExternalID("Contact", "BigCommerce_Customer_Key__c", "mary@example%2Eorg")
	if contact["MailingCity"] != "York" {
		t.Errorf("contact after the address edit %v", contact)
	}

	calls := e.sf.TotalCalls()
	dl, err = e.bc.DeliverToHooks(ctx, bctest.CustomerAddressEvent(bctest.ScopeCustomerAddressUpdated, a.ID, c.ID))
	delivered(t, dl, err)
	r = settledCount(t, &res, 3)[2]
	if r.Outcome != pipeline.OutcomeSkipped || r.SkipCode != pipeline.SkipUnchanged || e.sf.TotalCalls() != calls {
		t.Errorf("same state again: %s %s, %d more Salesforce calls", r.Outcome, r.SkipCode, e.sf.TotalCalls()-calls)
	}
}

// TestCustomerSyncBatches: a burst of 120 customer tasks costs about one
// BigCommerce read and one Composite Graph call per 75 customers.
func TestCustomerSyncBatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	const n = 120
	for i := range n {
		c, err := e.bc.AddCustomer(bctest.Customer{Email: fmt.Sprintf("buyer%d@example.com", i), LastName: fmt.Sprint("Buyer ", i)})
		if err != nil {
			t.Fatal(err)
		}
		enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: c.ID, Source: pipeline.SourceReconcile})
	}
	// The first customer goes alone, at once; its Salesforce call takes a
	// while, as a real one does, so the other customers are all waiting
	// when it returns, whatever the scheduling of this machine.
	if err := e.sf.FailNext(1, sftest.Fault{Delay: time.Second}); err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, e.entityConfig())
	start(t, w)
	waitFor(t, "all synced", func() bool { return w.Stats().Synced == n })
	st := w.Stats()
	if st.GraphCalls > 3 || st.BigCommerceCalls > 3 || st.GraphEntities != n {
		t.Errorf("stats %+v; want at most 3 graph calls and 3 reads for %d customers", st, n)
	}
	if got := len(e.sf.Records("Contact")); got != n {
		t.Errorf("%d contacts, want %d", got, n)
	}
}

func enqueueEntity(t *testing.T, q idempotency.Queue, task pipeline.Task) {
	t.Helper()
	body, err := pipeline.EncodeTask(task)
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("test:%s:%d:%d", task.EntityKind(), task.ID(), time.Now().UnixNano())
	if _, err := q.Enqueue(context.Background(), idempotency.Message{Key: key, Body: body}); err != nil {
		t.Fatal(err)
	}
}

// TestCustomerSkips: a customer that does not exist (deleted) is skipped
// without a write, and a customer synced again unchanged costs no
// Salesforce call.
func TestCustomerSkips(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	c, err := e.bc.AddCustomer(bctest.Customer{Email: "grace@example.org", LastName: "Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	var res results
	cfg := e.entityConfig()
	cfg.OnResult = res.add
	start(t, newWorker(t, cfg))
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: 999, Source: pipeline.SourceWebhook})
	r := settledCount(t, &res, 1)[0]
	if r.Outcome != pipeline.OutcomeSkipped || r.SkipCode != pipeline.SkipNotFound || e.sf.TotalCalls() != 0 {
		t.Fatalf("missing customer: %+v, %d Salesforce calls", r, e.sf.TotalCalls())
	}
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: c.ID, Source: pipeline.SourceWebhook})
	settledCount(t, &res, 2)
	calls := e.sf.TotalCalls()
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: c.ID, Source: pipeline.SourceWebhook})
	r = settledCount(t, &res, 3)[2]
	if r.Outcome != pipeline.OutcomeSkipped || r.SkipCode != pipeline.SkipUnchanged || e.sf.TotalCalls() != calls {
		t.Errorf("unchanged customer: %+v, %d more calls", r, e.sf.TotalCalls()-calls)
	}
}

// TestUnconfiguredKindsDeadLetter: a Worker without Customers or Products
// dead-letters their tasks with a reason that names the setting.
func TestUnconfiguredKindsDeadLetter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	w := newWorker(t, e.config())
	start(t, w)
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: 1, Source: pipeline.SourceWebhook})
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: 1, Source: pipeline.SourceWebhook})
	waitFor(t, "dead letters", func() bool { return w.Stats().DeadLettered == 2 })
	dls, _ := e.q.DeadLetters(context.Background(), 0)
	reasons := dls[0].Reason + dls[1].Reason
	if !strings.Contains(reasons, "WorkerConfig.Customers is nil") || !strings.Contains(reasons, "WorkerConfig.Products is nil") {
		t.Errorf("reasons %q", reasons)
	}
}

func journal() bctest.Product {
	return bctest.Product{
		Name: "Smith Journal", SKU: "SM-13", Price: "25.00",
		Variants: []bctest.Variant{
			{SKU: "SM-13"},
			{SKU: "SM-13-RED", Price: "27.50", OptionValues: []bctest.OptionValue{{ID: 10, Label: "Red", OptionID: 1, OptionDisplayName: "Color"}}},
			{SKU: "", OptionValues: []bctest.OptionValue{{ID: 11, Label: "Blue", OptionID: 1, OptionDisplayName: "Color"}}},
		},
	}
}

// entries returns the standard price book's entries by product key and
// currency.
func entries(t *testing.T, e *env) map[string]sftest.Record {
	t.Helper()
	out := map[string]sftest.Record{}
	for _, pbe := range e.sf.Records("PricebookEntry") {
		if pbe["Pricebook2Id"] != e.sf.StandardPricebookID() {
			continue
		}
		prod, ok := e.sf.Record(pbe["Product2Id"].(string))
		if !ok {
			t.Fatalf("entry %v without its product", pbe)
		}
		k := fmt.Sprint(prod["BigCommerce_Product_Key__c"])
		if c, ok := pbe["CurrencyIsoCode"]; ok {
			k += "/" + fmt.Sprint(c)
		}
		if _, dup := out[k]; dup {
			t.Fatalf("two entries for %s", k)
		}
		out[k] = pbe
	}
	return out
}

// TestProductEventsReachSalesforce: a product created and then repriced in
// BigCommerce gets one Product2 per product key and one active entry per
// key in the standard price book, updated in place; an entry someone
// deactivated is active again after the next sync. The first sync costs
// two Salesforce calls (the entries query and the graph); the reprice one,
// as the Worker recorded the entries it wrote.
func TestProductEventsReachSalesforce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	e.receive(t, "store/product/created", "store/product/updated")
	var res results
	cfg := e.entityConfig()
	cfg.OnResult = res.add
	start(t, newWorker(t, cfg))
	ctx := context.Background()

	before := e.sf.TotalCalls()
	p, dl, err := e.bc.CreateProduct(ctx, journal())
	delivered(t, dl, err)
	r := settledCount(t, &res, 1)[0]
	if r.Outcome != pipeline.OutcomeSynced || r.Kind != pipeline.KindProduct || r.ProductID != p.ID {
		t.Fatalf("result %+v", r)
	}
	if got := e.sf.TotalCalls() - before; got != 2 {
		t.Errorf("a product sync cost %d Salesforce calls, want 2 (the entries query and the graph)", got)
	}
	bcProduct := fmt.Sprintf("bc-product-%d", p.ID)
	want := map[string]string{"SM-13": "25", "SM-13-RED": "27.5", bcProduct: "25"}
	got := entries(t, e)
	if len(got) != len(want) {
		t.Fatalf("entries %v", got)
	}
	for k, price := range want {
		if pbe := got[k]; pbe["UnitPrice"] != json.Number(price) || pbe["IsActive"] != true {
			t.Errorf("entry %s: %v, want %s active", k, pbe, price)
		}
	}
	red, _ := e.sf.RecordByExternalID("Product2", "BigCommerce_Product_Key__c", "SM-13-RED")
	if red["Name"] != "Smith Journal (Red)" || red["ProductCode"] != "SM-13-RED" || red["IsActive"] != true {
		t.Errorf("product %v", red)
	}

	// Someone deactivates an entry; the shop reprices the product.
	if err := e.sfc.Update(ctx, "PricebookEntry", got["SM-13"]["Id"].(string), map[string]any{"IsActive": false}); err != nil {
		t.Fatal(err)
	}
	before = e.sf.TotalCalls()
	_, dl, err = e.bc.EditProduct(ctx, p.ID, func(p *bctest.Product) { p.Price = "30.00" })
	delivered(t, dl, err)
	settledCount(t, &res, 2)
	if got := e.sf.TotalCalls() - before; got != 1 {
		t.Errorf("the reprice cost %d Salesforce calls, want 1 (the graph)", got)
	}
	got = entries(t, e)
	if len(got) != 3 || got["SM-13"]["UnitPrice"] != json.Number("30") || got["SM-13"]["IsActive"] != true ||
		got["SM-13-RED"]["UnitPrice"] != json.Number("27.5") || got[bcProduct]["UnitPrice"] != json.Number("30") {
		t.Errorf("entries after the new price %v", got)
	}
	if n := len(e.sf.Records("Product2")); n != 3 {
		t.Errorf("%d products, want 3", n)
	}
	for _, r := range res.list() {
		if r.Outcome != pipeline.OutcomeSynced {
			t.Errorf("%+v", r)
		}
	}
}

// TestProductQuietSyncCalls: a product sync costs one Salesforce call once
// the Worker has written the product, two when something it has not
// written is needed (a new variant's key), and three when an entry it
// recorded was deleted in Salesforce since: the graph fails, and the
// Worker queries the entries and writes again, rather than dead-lettering.
func TestProductQuietSyncCalls(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	var res results
	cfg := e.entityConfig()
	cfg.OnResult = res.add
	start(t, newWorker(t, cfg))
	ctx := context.Background()
	p, err := e.bc.AddProduct(bctest.Product{Name: "Pen", SKU: "PEN", Price: "1.99"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		change func(*bctest.Product)
		before func()
		calls  int
	}{
		{"first sync", nil, nil, 2},
		{"reprice", func(p *bctest.Product) { p.Price = "2.49" }, nil, 1},
		{"rename", func(p *bctest.Product) { p.Name = "Fine Pen" }, nil, 1},
		{"new variant", func(p *bctest.Product) {
			p.Variants = append(p.Variants, bctest.Variant{SKU: "PEN-RED", Price: "2.99",
				OptionValues: []bctest.OptionValue{{ID: 1, Label: "Red", OptionID: 1, OptionDisplayName: "Color"}}})
		}, nil, 2},
		{"after that", func(p *bctest.Product) { p.Price = "2.59" }, nil, 1},
		{"entry deleted in Salesforce", func(p *bctest.Product) { p.Price = "2.69" }, func() {
			if err := e.sfc.Delete(ctx, "PricebookEntry", entries(t, e)["PEN-RED"]["Id"].(string)); err != nil {
				t.Fatal(err)
			}
		}, 3},
		{"and then", func(p *bctest.Product) { p.Price = "2.79" }, nil, 1},
	}
	for i, step := range steps {
		if step.change != nil {
			if _, err := e.bc.UpdateProduct(p.ID, step.change); err != nil {
				t.Fatal(err)
			}
		}
		if step.before != nil {
			step.before()
		}
		calls := e.sf.TotalCalls()
		enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: p.ID, Source: pipeline.SourceWebhook})
		r := settledCount(t, &res, i+1)[i]
		if r.Outcome != pipeline.OutcomeSynced {
			t.Fatalf("%s: %s %s", step.name, r.Outcome, r.Reason)
		}
		if got := e.sf.TotalCalls() - calls; got != step.calls {
			t.Errorf("%s cost %d Salesforce calls, want %d", step.name, got, step.calls)
		}
	}
	stored, _ := e.bc.Product(p.ID)
	got := entries(t, e)
	if len(got) != 2 || got["PEN"]["UnitPrice"] != json.Number("2.79") || got["PEN-RED"]["UnitPrice"] != json.Number("2.99") || got["PEN-RED"]["IsActive"] != true {
		t.Errorf("entries %v for %+v", got, stored)
	}
}

// TestProductRecordedEntryGoneQueryFails: when a recorded entry was
// deleted in Salesforce and the query that follows fails (a 503), the
// product's task is retried, not dead-lettered for the deleted entry, and
// its retry writes it.
func TestProductRecordedEntryGoneQueryFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	var res results
	cfg := e.entityConfig()
	cfg.OnResult = res.add
	w := newWorker(t, cfg)
	start(t, w)
	ctx := context.Background()
	p, err := e.bc.AddProduct(bctest.Product{Name: "Pen", SKU: "PEN", Price: "1.99"})
	if err != nil {
		t.Fatal(err)
	}
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: p.ID, Source: pipeline.SourceWebhook})
	waitFor(t, "first sync", func() bool { return w.Stats().Synced == 1 })
	if err := e.sfc.Delete(ctx, "PricebookEntry", entries(t, e)["PEN"]["Id"].(string)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.bc.UpdateProduct(p.ID, func(p *bctest.Product) { p.Price = "2.49" }); err != nil {
		t.Fatal(err)
	}
	if err := e.sf.FailNext(1, sftest.Fault{Route: sftest.RouteQuery, Status: 503}); err != nil {
		t.Fatal(err)
	}
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: p.ID, Source: pipeline.SourceWebhook})
	waitFor(t, "second sync", func() bool { return w.Stats().Synced == 2 || w.Stats().DeadLettered > 0 })
	if st := w.Stats(); st.DeadLettered != 0 || st.Retried == 0 {
		t.Fatalf("stats %+v; want the task retried after the failed query, and no dead letter", st)
	}
	if got := entries(t, e); got["PEN"]["UnitPrice"] != json.Number("2.49") {
		t.Errorf("entries %v", got)
	}
}

// TestProductSyncCustomPricebook: with the Order target priced from a
// custom price book, a product sync keeps each key's entry in the standard
// price book and creates it in the custom one (Salesforce refuses a custom
// entry for a product without a standard price: STANDARD_PRICE_NOT_DEFINED),
// where a repricing leaves it alone, and an
// order then syncs; an order whose product was never synced makes the
// Worker write it to both price books first, and syncs too.
func TestProductSyncCustomPricebook(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	custom, err := e.sf.Seed("Pricebook2", sftest.Record{"Name": "Wholesale", "IsActive": true})
	if err != nil {
		t.Fatal(err)
	}
	m, err := mapper.New(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: custom})
	if err != nil {
		t.Fatal(err)
	}
	var res results
	cfg := e.entityConfig()
	cfg.Mapper = m
	cfg.OnResult = res.add
	start(t, newWorker(t, cfg))
	inBook := func(book string) map[string]sftest.Record {
		out := map[string]sftest.Record{}
		for _, pbe := range e.sf.Records("PricebookEntry") {
			if pbe["Pricebook2Id"] == book {
				prod, _ := e.sf.Record(pbe["Product2Id"].(string))
				out[fmt.Sprint(prod["BigCommerce_Product_Key__c"])] = pbe
			}
		}
		return out
	}

	p, err := e.bc.AddProduct(bctest.Product{Name: "Pen", SKU: "PEN", Price: "1.99"})
	if err != nil {
		t.Fatal(err)
	}
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: p.ID, Source: pipeline.SourceWebhook})
	if r := settledCount(t, &res, 1)[0]; r.Outcome != pipeline.OutcomeSynced {
		t.Fatalf("product: %s %s", r.Outcome, r.Reason)
	}
	std, cus := inBook(e.sf.StandardPricebookID()), inBook(custom)
	if std["PEN"]["UnitPrice"] != json.Number("1.99") || cus["PEN"]["UnitPrice"] != json.Number("1.99") || cus["PEN"]["IsActive"] != true {
		t.Fatalf("standard entries %v, custom entries %v", std, cus)
	}
	calls := e.sf.TotalCalls()
	if _, err := e.bc.UpdateProduct(p.ID, func(p *bctest.Product) { p.Price = "2.49" }); err != nil {
		t.Fatal(err)
	}
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: p.ID, Source: pipeline.SourceWebhook})
	settledCount(t, &res, 2)
	// The standard price follows the catalog; the custom price book's
	// entry, once it exists, keeps the price the org gave it.
	if got := e.sf.TotalCalls() - calls; got != 1 || inBook(e.sf.StandardPricebookID())["PEN"]["UnitPrice"] != json.Number("2.49") ||
		inBook(custom)["PEN"]["UnitPrice"] != json.Number("1.99") {
		t.Errorf("reprice: %d calls, standard entries %v, custom entries %v", got, inBook(e.sf.StandardPricebookID()), inBook(custom))
	}

	// An order of the synced product, and one of a product never synced.
	q, err := e.bc.AddProduct(bctest.Product{Name: "Ink", SKU: "INK", Price: "4.00"})
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range []bctest.LineItem{
		{ProductID: p.ID, Name: "Pen", SKU: "PEN", Quantity: 2, PriceIncTax: "2.4900", PriceExTax: "2.4900", TotalIncTax: "4.9800", TotalExTax: "4.9800"},
		{ProductID: q.ID, Name: "Ink", SKU: "INK", Quantity: 1, PriceIncTax: "4.0000", PriceExTax: "4.0000", TotalIncTax: "4.0000", TotalExTax: "4.0000"},
	} {
		o := order(i + 1)
		o.LineItems = []bctest.LineItem{line}
		added, err := e.bc.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		enqueue(t, e.q, added.ID)
		if r := settledCount(t, &res, 3+i)[2+i]; r.Outcome != pipeline.OutcomeSynced {
			t.Fatalf("order of %s: %s %s", line.SKU, r.Outcome, r.Reason)
		}
	}
	items := e.sf.Records("OrderItem")
	if len(items) != 2 {
		t.Fatalf("order items %v", items)
	}
	cus = inBook(custom)
	for _, it := range items {
		if it["PricebookEntryId"] != cus["PEN"]["Id"] && it["PricebookEntryId"] != cus["INK"]["Id"] {
			t.Errorf("order item %v is not priced from the custom price book %v", it, cus)
		}
	}
	if std := inBook(e.sf.StandardPricebookID()); std["INK"]["IsActive"] != true {
		t.Errorf("the missing product has no standard price: %v", std)
	}
}

// TestProductSyncMultiCurrency: in a multi-currency org every product key
// gets an entry in each active currency, priced with the org's conversion
// rate from the store's currency.
func TestProductSyncMultiCurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{MultiCurrency: true})
	for _, c := range [][2]string{{"USD", "1"}, {"EUR", "0.9"}, {"JPY", "150"}} {
		if _, err := e.sf.AddCurrency(c[0], c[1], c[0] == "USD"); err != nil {
			t.Fatal(err)
		}
	}
	p, err := e.bc.AddProduct(bctest.Product{Name: "Pen", SKU: "PEN", Price: "1.99"})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, e.entityConfig())
	start(t, w)
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: p.ID, Source: pipeline.SourceWebhook})
	waitFor(t, "synced", func() bool { return w.Stats().Synced == 1 })
	got := entries(t, e)
	for k, price := range map[string]string{"PEN/USD": "1.99", "PEN/EUR": "1.79", "PEN/JPY": "298.5"} {
		if got[k]["UnitPrice"] != json.Number(price) {
			t.Errorf("entry %s: %v, want %s", k, got[k], price)
		}
	}
	if len(got) != 3 {
		t.Errorf("entries %v", got)
	}
	// A store priced in euros converts the other way.
	e2 := newEnv(t, mapper.Config{MultiCurrency: true})
	for _, c := range [][2]string{{"USD", "1"}, {"EUR", "0.8"}} {
		if _, err := e2.sf.AddCurrency(c[0], c[1], c[0] == "USD"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e2.bc.AddProduct(bctest.Product{ID: p.ID, Name: "Pen", SKU: "PEN", Price: "2.00"}); err != nil {
		t.Fatal(err)
	}
	cfg := e2.entityConfig()
	cfg.StoreCurrency = "EUR"
	w2 := newWorker(t, cfg)
	start(t, w2)
	enqueueEntity(t, e2.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: p.ID, Source: pipeline.SourceWebhook})
	waitFor(t, "synced", func() bool { return w2.Stats().Synced == 1 })
	if got := entries(t, e2); got["PEN/USD"]["UnitPrice"] != json.Number("2.5") || got["PEN/EUR"]["UnitPrice"] != json.Number("2") {
		t.Errorf("euro store: %v", got)
	}
}

// TestOrderTargetWritesMissingProducts: in an org where no one set up
// products, an order line whose product has no PricebookEntry yet makes
// the Worker read that product and write it (Product2 and entry) before
// the order, which then syncs instead of waiting for a product event.
func TestOrderTargetWritesMissingProducts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	pb := e.sf.StandardPricebookID()
	m, err := mapper.New(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: pb})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.bc.AddProduct(journal())
	if err != nil {
		t.Fatal(err)
	}
	o := order(1)
	o.LineItems = []bctest.LineItem{
		{ProductID: p.ID, VariantID: p.Variants[1].ID, Name: "Journal (Red)", SKU: "SM-13-RED", Quantity: 2, PriceIncTax: "27.5000", PriceExTax: "27.5000", TotalIncTax: "55.0000", TotalExTax: "55.0000"},
		{ProductID: p.ID, VariantID: p.Variants[2].ID, Name: "Journal (Blue)", SKU: "", Quantity: 1, PriceIncTax: "25.0000", PriceExTax: "25.0000", TotalIncTax: "25.0000", TotalExTax: "25.0000"},
	}
	added, err := e.bc.AddOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, e.q, added.ID)
	var res results
	cfg := e.entityConfig()
	cfg.Mapper = m
	cfg.OnResult = res.add
	w := newWorker(t, cfg)
	start(t, w)
	r := settledCount(t, &res, 1)[0]
	if r.Outcome != pipeline.OutcomeSynced {
		t.Fatalf("order %s: %s", r.Outcome, r.Reason)
	}
	if n := len(e.sf.Records("OrderItem")); n != 2 {
		t.Errorf("%d order items, want 2", n)
	}
	if n := e.bc.Calls(bctest.RouteListProducts); n != 1 {
		t.Errorf("%d product reads, want 1 for the batch", n)
	}
	if got := entries(t, e); len(got) != 3 {
		t.Errorf("entries %v", got)
	}
}

// TestProductWithManyVariants: a product whose keys and entries pass one
// graph's 500 nodes is written in several graphs, all of which must land.
func TestProductWithManyVariants(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{MultiCurrency: true})
	for _, c := range [][2]string{{"USD", "1"}, {"EUR", "0.9"}} {
		if _, err := e.sf.AddCurrency(c[0], c[1], c[0] == "USD"); err != nil {
			t.Fatal(err)
		}
	}
	p := bctest.Product{Name: "Tee", SKU: "TEE", Price: "10"}
	for i := range 300 {
		p.Variants = append(p.Variants, bctest.Variant{SKU: fmt.Sprintf("TEE-%03d", i),
			OptionValues: []bctest.OptionValue{{ID: int64(i + 1), Label: fmt.Sprint(i), OptionID: 1, OptionDisplayName: "Size"}}})
	}
	added, err := e.bc.AddProduct(p)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, e.entityConfig())
	start(t, w)
	enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindProduct, ProductID: added.ID, Source: pipeline.SourceWebhook})
	waitFor(t, "synced", func() bool { return w.Stats().Synced == 1 })
	if got := entries(t, e); len(got) != 600 {
		t.Errorf("%d entries, want 300 keys × 2 currencies", len(got))
	}
	if st := w.Stats(); st.GraphEntities != 2 || st.GraphCalls != 2 {
		t.Errorf("stats %+v; want 2 graphs in 2 calls (500 nodes a call)", st)
	}
}

// TestEntityTasksSurviveShutdown: customer tasks a Worker held when it
// stopped are written or given back, and the next Worker finishes them.
func TestEntityTasksSurviveShutdown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	const n = 40
	for i := range n {
		c, err := e.bc.AddCustomer(bctest.Customer{Email: fmt.Sprintf("s%d@example.com", i), LastName: "S"})
		if err != nil {
			t.Fatal(err)
		}
		enqueueEntity(t, e.q, pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: c.ID, Source: pipeline.SourceWebhook})
	}
	first := start(t, newWorker(t, e.entityConfig()))
	if err := first.stop(t); err != nil {
		t.Fatal(err)
	}
	w := newWorker(t, e.entityConfig())
	start(t, w)
	waitFor(t, "every customer in Salesforce", func() bool { return len(e.sf.Records("Contact")) == n })
	waitFor(t, "queue drained", drained(e.q))
	if dls, _ := e.q.DeadLetters(context.Background(), 0); len(dls) != 0 {
		t.Errorf("dead letters %v", dls)
	}
}

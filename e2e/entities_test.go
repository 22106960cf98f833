package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// TestCustomersAndProducts is the Order target in an org where no one set
// up products, fed by every kind of event over signed HTTP deliveries: a
// product created in the store, a customer who registers with an e-mail at
// a file-extension-like domain (.inc, which Salesforce misreads in a URL
// path), her order of that product and of one no event ever announced, and
// an edit of her details. Everything lands once: one Account and one
// Contact under her key, the Order with both lines priced from the
// standard price book, a Product2 and an active entry per product, and no
// dead letter.
func TestCustomersAndProducts(t *testing.T) {
	t.Parallel()
	for _, useRedis := range []bool{false, true} {
		t.Run(fmt.Sprintf("redis=%v", useRedis), func(t *testing.T) {
			t.Parallel()
			testCustomersAndProducts(t, useRedis)
		})
	}
}

func testCustomersAndProducts(t *testing.T, useRedis bool) {
	r := newRig(t, rigConfig{redis: useRedis})
	std := r.org.StandardPricebookID()
	m, err := mapper.New(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: std})
	if err != nil {
		t.Fatal(err)
	}
	r.wcfg.Mapper = m
	r.wcfg.Customers, r.wcfg.Products, r.wcfg.Pricebook, r.wcfg.StandardPricebookID = r.bc.Customers, r.bc.Products, r.sf, std
	for _, scope := range []string{"store/customer/*", "store/product/created", "store/product/updated"} {
		if _, err := r.store.AddHook(bctest.Hook{Scope: scope, Destination: r.url, IsActive: true,
			Headers: map[string]string{webhookHeader: webhookSecret}}); err != nil {
			t.Fatal(err)
		}
	}
	stop := r.startWorkers()
	defer stop()
	ctx := context.Background()
	fired := func(res []*bctest.DeliveryResult, err error) {
		t.Helper()
		if err != nil || len(res) != 1 || !res[0].Delivered() {
			t.Fatalf("deliveries %v, %v", res, err)
		}
	}

	mug, res, err := r.store.CreateProduct(ctx, bctest.Product{Name: "Mug", SKU: "MUG", Price: "12.50"})
	fired(res, err)
	waitUntil(t, "the mug's entry", func() bool { return entryOf(r.org, "MUG", std) != nil })
	pen, err := r.store.AddProduct(bctest.Product{Name: "Pen", SKU: "PEN", Price: "2.00"}) // no event
	if err != nil {
		t.Fatal(err)
	}

	ada, res, err := r.store.CreateCustomer(ctx, bctest.Customer{Email: "Ada@Studio.inc", FirstName: "Ada", LastName: "Byron"})
	fired(res, err)
	key := mapper.CustomerKey(ada.Email, ada.ID, 0)
	waitUntil(t, "her Contact", func() bool { _, ok := r.org.RecordByExternalID("Contact", customerKeyField, key); return ok })

	o := mustAddOrder(t, r.store, bctest.Order{CustomerID: ada.ID, StatusID: 11, TotalIncTax: "27.0000",
		BillingAddress: bctest.Address{FirstName: "Ada", LastName: "Byron", Email: "ada@studio.inc"},
		LineItems: []bctest.LineItem{
			{ProductID: mug.ID, Name: "Mug", SKU: "MUG", Quantity: 2, PriceIncTax: "12.5000", PriceExTax: "12.5000", TotalIncTax: "25.0000", TotalExTax: "25.0000"},
			{ProductID: pen.ID, Name: "Pen", SKU: "PEN", Quantity: 1, PriceIncTax: "2.0000", PriceExTax: "2.0000", TotalIncTax: "2.0000", TotalExTax: "2.0000"},
		}})
	r.deliver(ctx, o.ID)
	r.waitSettled([]int64{o.ID}, time.Minute)
	if res, _ := r.rec.result(o.ID); res.Outcome != pipeline.OutcomeSynced {
		t.Fatalf("order: %s %s", res.Outcome, res.Reason)
	}

	_, res, err = r.store.EditCustomer(ctx, ada.ID, func(c *bctest.Customer) { c.LastName = "Lovelace"; c.Phone = "020 7946 0018" })
	fired(res, err)
	waitUntil(t, "the edit", func() bool {
		c, _ := r.org.RecordByExternalID("Contact", customerKeyField, key)
		return c["LastName"] == "Lovelace"
	})

	if n := len(r.org.Records("Account")); n != 1 {
		t.Errorf("%d Accounts, want hers alone", n)
	}
	if c, _ := r.org.RecordByExternalID("Contact", customerKeyField, key); c["Email"] != "ada@studio.inc" || c["Phone"] != "020 7946 0018" {
		t.Errorf("contact %v", c)
	}
	if n := len(r.org.Records("OrderItem")); n != 2 {
		t.Errorf("%d order items, want 2", n)
	}
	for _, sku := range []string{"MUG", "PEN"} {
		if e := entryOf(r.org, sku, std); e == nil || e["IsActive"] != true {
			t.Errorf("entry of %s: %v", sku, e)
		}
	}
	if dls := r.deadLetters(); len(dls) != 0 {
		t.Errorf("dead letters: %s", describeDead(dls))
	}
}

// entryOf returns the PricebookEntry of a product key in a price book.
func entryOf(org *sftest.Server, key, pricebook string) sftest.Record {
	p, ok := org.RecordByExternalID("Product2", "BigCommerce_Product_Key__c", key)
	if !ok {
		return nil
	}
	for _, e := range org.Records("PricebookEntry") {
		if e["Product2Id"] == p["Id"] && e["Pricebook2Id"] == pricebook {
			return e
		}
	}
	return nil
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

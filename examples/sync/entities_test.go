package main

import (
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// The program subscribes to customer and product events as register does:
// a customer edit reaches the Contact, and a new product its Product2 and
// its entry in the standard price book, with no other setting.
func TestRunSyncsCustomersAndProducts(t *testing.T) {
	t.Parallel()
	bc, sf, env := fakes(t)
	p := start(t, env)
	for _, scope := range []string{"store/customer/*", "store/product/created", "store/product/updated"} {
		if _, err := bc.AddHook(bctest.Hook{Scope: scope, Destination: p.url + webhookPath, IsActive: true,
			Headers: map[string]string{"X-Webhook-Secret": webhookSecret}}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := bc.AddCustomer(bctest.Customer{Email: "ada@studio.inc", FirstName: "Ada", LastName: "Byron"})
	if err != nil {
		t.Fatal(err)
	}
	if _, res, err := bc.EditCustomer(t.Context(), c.ID, func(c *bctest.Customer) { c.LastName = "Lovelace" }); err != nil || len(res) != 1 || !res[0].Delivered() {
		t.Fatalf("edit: %v %v", res, err)
	}
	key := mapper.CustomerKey(c.Email, c.ID, 0)
	var contact sftest.Record
	waitFor(t, "the customer's Contact", p.logs, func() bool {
		var ok bool
		contact, ok = sf.RecordByExternalID("Contact", "BigCommerce_Customer_Key__c", key)
		return ok
	})
	if contact["LastName"] != "Lovelace" || contact["Email"] != "ada@studio.inc" {
		t.Errorf("contact %v", contact)
	}

	if _, res, err := bc.CreateProduct(t.Context(), bctest.Product{Name: "Mug", SKU: "MUG-1", Price: "9.50"}); err != nil || len(res) != 1 || !res[0].Delivered() {
		t.Fatalf("create product: %v %v", res, err)
	}
	waitFor(t, "the product's entry", p.logs, func() bool {
		for _, pbe := range sf.Records("PricebookEntry") {
			if pbe["Pricebook2Id"] == sf.StandardPricebookID() && pbe["IsActive"] == true {
				return true
			}
		}
		return false
	})
	if _, ok := sf.RecordByExternalID("Product2", "BigCommerce_Product_Key__c", "MUG-1"); !ok {
		t.Errorf("no Product2 MUG-1: %v", sf.Records("Product2"))
	}
	if code := p.stop(t); code != exitOK {
		t.Errorf("exit code %d; logs:\n%s", code, p.logs)
	}
}

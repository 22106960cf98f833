package sftest

import (
	"encoding/json"
	"strings"
	"testing"
)

// An OrderItem needs an active PricebookEntry and, in a multi-currency org,
// one in its Order's currency, as in Salesforce.
func TestOrderItemEntryRules(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	pb := srv.StandardPricebookID()
	prod := c.mustStatus(c.do("POST", "sobjects/Product2", map[string]any{"Name": "Widget"}), 201).object(t)["id"]
	entry := func(currency string, active bool) string {
		body := map[string]any{"Pricebook2Id": pb, "Product2Id": prod, "UnitPrice": json.Number("9.99"), "IsActive": active}
		if currency != "" {
			body["CurrencyIsoCode"] = currency
		}
		return c.mustStatus(c.do("POST", "sobjects/PricebookEntry", body), 201).object(t)["id"].(string)
	}
	acct := c.mustStatus(c.do("POST", "sobjects/Account", map[string]any{"Name": "A"}), 201).object(t)["id"].(string)
	order := func(currency string) string {
		body := map[string]any{"AccountId": acct, "EffectiveDate": "2026-01-15", "Status": "Draft", "Pricebook2Id": pb}
		if currency != "" {
			body["CurrencyIsoCode"] = currency
		}
		return c.mustStatus(c.do("POST", "sobjects/Order", body), 201).object(t)["id"].(string)
	}
	inactive, usd, eur := entry("", false), entry("USD", true), entry("EUR", true)
	eurOrder := order("EUR")
	tests := []struct {
		name, order, entry string
		wantErr            string // "" for 201
	}{
		{"inactive entry", order(""), inactive, "pricebook entry is inactive"},
		{"entry in another currency", eurOrder, usd, "currency code does not match"},
		{"entry in the order's currency", eurOrder, eur, ""},
	}
	for _, tt := range tests {
		r := c.do("POST", "sobjects/OrderItem", map[string]any{"OrderId": tt.order, "PricebookEntryId": tt.entry, "Quantity": 1, "UnitPrice": 1})
		if tt.wantErr == "" {
			if r.status != 201 {
				t.Errorf("%s: %d %s", tt.name, r.status, r.raw)
			}
			continue
		}
		if r.status != 400 || !strings.Contains(string(r.raw), "FIELD_INTEGRITY_EXCEPTION") || !strings.Contains(string(r.raw), tt.wantErr) {
			t.Errorf("%s: %d %s; want 400 FIELD_INTEGRITY_EXCEPTION %q", tt.name, r.status, r.raw, tt.wantErr)
		}
	}
	if n := len(srv.Records("OrderItem")); n != 1 {
		t.Errorf("%d order items, want only the valid one", n)
	}
}

// An entry in a custom price book needs an active entry of its product in
// the standard price book first: without one, a POST, an upsert and a graph
// node all fail with STANDARD_PRICE_NOT_DEFINED, as in Salesforce. A graph
// that writes the standard entry before the custom one succeeds.
func TestCustomPricebookNeedsStandardPrice(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	std := srv.StandardPricebookID()
	custom := c.mustStatus(c.do("POST", "sobjects/Pricebook2", map[string]any{"Name": "Wholesale", "IsActive": true}), 201).object(t)["id"].(string)
	prod := c.mustStatus(c.do("POST", "sobjects/Product2", map[string]any{"Name": "Widget"}), 201).object(t)["id"].(string)
	entry := func(book string) map[string]any {
		return map[string]any{"Pricebook2Id": book, "Product2Id": prod, "UnitPrice": json.Number("9.99"), "IsActive": true}
	}
	refused := func(what string, r result) {
		t.Helper()
		if r.status != 400 || r.errorCode(t) != "STANDARD_PRICE_NOT_DEFINED" || !strings.Contains(string(r.raw), "No standard price defined for this product") {
			t.Errorf("%s: %d %s; want 400 STANDARD_PRICE_NOT_DEFINED", what, r.status, r.raw)
		}
	}
	refused("POST without a standard price", c.do("POST", "sobjects/PricebookEntry", entry(custom)))
	refused("upsert without a standard price", c.do("PATCH", "sobjects/PricebookEntry/BigCommerce_Product_Key__c/W-1", entry(custom)))

	// An inactive standard price does not count.
	inactive := entry(std)
	inactive["IsActive"] = false
	stdID := c.mustStatus(c.do("POST", "sobjects/PricebookEntry", inactive), 201).object(t)["id"].(string)
	refused("POST with an inactive standard price", c.do("POST", "sobjects/PricebookEntry", entry(custom)))

	// In a graph, the node fails and rolls its graph back.
	prod2 := c.mustStatus(c.do("POST", "sobjects/Product2", map[string]any{"Name": "Gadget"}), 201).object(t)["id"].(string)
	node := func(ref, book string) map[string]any {
		return map[string]any{"method": "POST", "url": "/services/data/" + testVersion + "/sobjects/PricebookEntry", "referenceId": ref,
			"body": map[string]any{"Pricebook2Id": book, "Product2Id": prod2, "UnitPrice": 5, "IsActive": true}}
	}
	graphs := []any{
		map[string]any{"graphId": "custom_first", "compositeRequest": []any{node("c", custom), node("s", std)}},
	}
	var body graphResp
	r := c.mustStatus(c.do("POST", "composite/graph", map[string]any{"graphs": graphs}), 200)
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	if g := body.Graphs[0]; g.IsSuccessful || g.GraphResponse.CompositeResponse[0].code(t) != "STANDARD_PRICE_NOT_DEFINED" {
		t.Errorf("custom entry before the standard one: %s", r.raw)
	}
	if n := len(srv.Records("PricebookEntry")); n != 1 {
		t.Errorf("%d entries after the failed graph, want the one inactive standard entry", n)
	}
	graphs = []any{
		map[string]any{"graphId": "standard_first", "compositeRequest": []any{node("s", std), node("c", custom)}},
	}
	r = c.mustStatus(c.do("POST", "composite/graph", map[string]any{"graphs": graphs}), 200)
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	if !body.Graphs[0].IsSuccessful {
		t.Errorf("standard entry before the custom one: %s", r.raw)
	}

	// Once the standard price is active, the custom entry is accepted.
	c.mustStatus(c.do("PATCH", "sobjects/PricebookEntry/"+stdID, map[string]any{"IsActive": true}), 204)
	c.mustStatus(c.do("POST", "sobjects/PricebookEntry", entry(custom)), 201)
}

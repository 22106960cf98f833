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

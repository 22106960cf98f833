package sftest

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
)

func TestCurrencies(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	// Before any CurrencyType the org takes any code, as a single-currency
	// fake always did.
	c.mustStatus(c.do("POST", "sobjects/Account", map[string]any{"Name": "A", "CurrencyIsoCode": "XYZ"}), 201)
	for _, cur := range []struct {
		code, rate string
		corporate  bool
	}{{"USD", "1", true}, {"EUR", "0.92", false}} {
		if _, err := srv.AddCurrency(cur.code, cur.rate, cur.corporate); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range [][2]string{{"usd", "1"}, {"EURO", "1"}, {"GBP", "-1"}, {"GBP", "abc"}, {"USD", "2"}} {
		if _, err := srv.AddCurrency(bad[0], bad[1], false); !errors.Is(err, ErrInvalidName) {
			t.Errorf("AddCurrency(%q, %q): %v", bad[0], bad[1], err)
		}
	}
	r := c.mustStatus(c.do("GET", "query?q="+url.QueryEscape("SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true ORDER BY IsoCode"), nil), 200)
	var page struct {
		Records []struct {
			IsoCode        string
			ConversionRate json.Number
			IsCorporate    bool
		} `json:"records"`
	}
	if err := json.Unmarshal(r.raw, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 2 || page.Records[0].IsoCode != "EUR" || page.Records[0].ConversionRate != "0.92" || !page.Records[1].IsCorporate {
		t.Fatalf("currencies %s", r.raw)
	}
	if r := c.do("POST", "sobjects/Account", map[string]any{"Name": "B", "CurrencyIsoCode": "GBP"}); r.status != 400 || r.errorCode(t) != "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" {
		t.Errorf("unknown currency: %d %s", r.status, r.raw)
	}
	c.mustStatus(c.do("POST", "sobjects/Account", map[string]any{"Name": "C", "CurrencyIsoCode": "EUR"}), 201)
}

// TestPricebookEntryRules: one entry per product, price book and currency;
// its price book, product and currency cannot change, its price can.
func TestPricebookEntryRules(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	pb := srv.StandardPricebookID()
	prod := c.mustStatus(c.do("POST", "sobjects/Product2", map[string]any{"Name": "Widget"}), 201).object(t)["id"]
	other := c.mustStatus(c.do("POST", "sobjects/Product2", map[string]any{"Name": "Gadget"}), 201).object(t)["id"]
	entry := func(product any, currency string) result {
		body := map[string]any{"Pricebook2Id": pb, "Product2Id": product, "UnitPrice": 5, "IsActive": true}
		if currency != "" {
			body["CurrencyIsoCode"] = currency
		}
		return c.do("POST", "sobjects/PricebookEntry", body)
	}
	first := c.mustStatus(entry(prod, "USD"), 201).object(t)["id"].(string)
	c.mustStatus(entry(prod, "EUR"), 201)
	c.mustStatus(entry(other, "USD"), 201)
	if r := entry(prod, "USD"); r.status != 400 || r.errorCode(t) != "DUPLICATE_VALUE" {
		t.Errorf("second USD entry: %d %s", r.status, r.raw)
	}
	c.mustStatus(c.do("PATCH", "sobjects/PricebookEntry/"+first, map[string]any{"UnitPrice": 6, "IsActive": false}), 204)
	for _, f := range []string{"Product2Id", "Pricebook2Id", "CurrencyIsoCode"} {
		val := map[string]any{"Product2Id": other, "Pricebook2Id": pb, "CurrencyIsoCode": "EUR"}[f]
		if r := c.do("PATCH", "sobjects/PricebookEntry/"+first, map[string]any{f: val}); r.status != 400 || r.errorCode(t) != "INVALID_FIELD_FOR_INSERT_UPDATE" {
			t.Errorf("update of %s: %d %s", f, r.status, r.raw)
		}
	}
	if rec, _ := srv.Record(first); rec["UnitPrice"] != json.Number("6") || rec["IsActive"] != false {
		t.Errorf("entry %v", rec)
	}
}

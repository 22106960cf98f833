package mapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// wireOrder is an order as the v2 API sends it (dates in RFC 1123 with a
// numeric zone, money as strings), with its line items inlined.
const wireOrder = `{
 "id": 218, "customer_id": 11,
 "date_created": "Tue, 05 Mar 2019 21:40:11 +0000", "date_modified": "Mon, 11 Mar 2019 15:17:25 +0000", "date_shipped": "",
 "status_id": 7, "status": "Awaiting Payment",
 "subtotal_ex_tax": "62.6793", "subtotal_inc_tax": "67.8400", "total_ex_tax": "64.5300", "total_inc_tax": "1234.5678",
 "total_tax": "5.3100", "payment_method": "Credit Card", "payment_provider_id": 42, "payment_status": "authorized",
 "currency_code": "USD", "default_currency_code": "EUR",
 "billing_address": {"first_name": "Jane", "last_name": "Doe", "company": "", "street_1": "555 East Street",
  "city": "Austin", "state": "Texas", "zip": "78108", "country": "United States", "country_iso2": "US",
  "phone": "1234567890", "email": "JaneDoe@Example.com"},
 "consignments": {"shipping": [{"id": 1, "line_items": [
  {"id": 101, "order_id": 218, "product_id": 77, "variant_id": 501, "parent_order_product_id": 0, "name": "Widget",
   "sku": "WID-1", "price_ex_tax": "0.1000", "price_inc_tax": "0.1000", "quantity": 2},
  {"id": 102, "order_id": 218, "product_id": 78, "parent_order_product_id": 101, "name": "Part", "sku": "",
   "price_ex_tax": "0.0000", "price_inc_tax": "0.0000", "quantity": 1}]}]}
}`

// decodeOrder decodes an order the way the bigcommerce package does.
func decodeOrder(data []byte) (bigcommerce.Order, error) {
	var o bigcommerce.Order
	err := json.Unmarshal(data, &o)
	return o, err
}

// FuzzMap decodes arbitrary JSON into an order and maps it with both
// targets: Map must not panic, must return only documented errors, must be
// deterministic, and its records must be well formed.
func FuzzMap(f *testing.F) {
	f.Add([]byte(wireOrder))
	for _, o := range []bigcommerce.Order{registeredOrder(), guestNoEmailOrder(), emptySKUOrder(), bundleOrder(), longNameOrder()} {
		data, err := json.Marshal(o)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"id": 1, "status_id": 1, "date_created": "0001-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"id": 5, "status_id": 2, "total_inc_tax": "1e999", "date_created": "2020-01-01T00:00:00Z"}`))
	opp, err := New(Config{MultiCurrency: true, Extra: []ExtraField{{Object: "Opportunity", Field: "Pay__c", From: "payment_method"}}})
	if err != nil {
		f.Fatal(err)
	}
	ord, err := New(Config{Target: TargetOrder, Pricebook2ID: "01s000000000001", Link: LinkByExternalID})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := decodeOrder(data)
		if err != nil {
			t.Skip()
		}
		for _, m := range []*Mapper{opp, ord} {
			res, err := m.Map(&o)
			if err != nil {
				if !errors.Is(err, ErrInvalidOrder) && !errors.Is(err, ErrNoProductKey) {
					t.Fatalf("undocumented error: %v", err)
				}
				continue
			}
			again, _ := m.Map(&o)
			a, _ := json.Marshal(res)
			b, _ := json.Marshal(again)
			if !bytes.Equal(a, b) {
				t.Fatalf("not deterministic:\n%s\n%s", a, b)
			}
			if !res.Skipped() {
				checkResult(t, res)
				checkCreateOnly(t, res)
			}
		}
	})
}

// checkCreateOnly checks that every create-only field a record lists is a
// field of its body or its PricebookEntry field, so that leaving them out
// of an existing record's body leaves out exactly those, and that no
// external ID is a value a URL path cannot carry.
func checkCreateOnly(t *testing.T, res Result) {
	t.Helper()
	for _, rec := range res.Records {
		switch rec.ExternalID {
		case "", ".", "..":
			t.Fatalf("%s external ID %q cannot be in an upsert path", rec.Ref, rec.ExternalID)
		}
		for _, f := range rec.CreateOnly {
			if _, ok := rec.Fields[f]; !ok && f != rec.PricebookEntryField {
				t.Fatalf("%s create-only %s is not in its body %v", rec.Ref, f, rec.Fields)
			}
		}
	}
}

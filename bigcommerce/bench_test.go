package bigcommerce

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// tenLineOrder is the registered-customer fixture with ten line items.
func tenLineOrder(tb testing.TB) []byte {
	tb.Helper()
	var items []string
	for i := range 10 {
		items = append(items, fmt.Sprintf(`{"id":%d,"order_id":218,"product_id":%d,"variant_id":%d,"order_address_id":18,
			"name":"Product %d","name_customer":"Product %d","name_merchant":"Product %d","sku":"SKU-%d","upc":"","type":"physical",
			"base_price":"25.0000","price_ex_tax":"23.1300","price_inc_tax":"25.0000","price_tax":"1.8700",
			"base_total":"50.0000","total_ex_tax":"46.2600","total_inc_tax":"50.0000","total_tax":"3.7400",
			"quantity":2,"quantity_shipped":0,"quantity_refunded":0,"is_refunded":false,"refund_amount":"0.0000",
			"parent_order_product_id":null,"is_bundled_product":false,"discounted_total_inc_tax":"50.0000",
			"applied_discounts":[],"product_options":[],"configurable_fields":[]}`, 100+i, 77+i, i, i, i, i, i))
	}
	base := string(fixture(tb, "order_registered.json"))
	start := strings.Index(base, `"line_items": [`)
	end := strings.Index(base, `"pickups"`)
	if start < 0 || end < 0 {
		tb.Fatal("fixture layout changed")
	}
	doc := base[:start] + `"line_items": [` + strings.Join(items, ",") + `]}],` + base[end:]
	if !json.Valid([]byte(doc)) {
		tb.Fatal("built an invalid document")
	}
	return []byte(doc)
}

func TestTenLineOrderFixture(t *testing.T) {
	t.Parallel()
	var o Order
	if err := json.Unmarshal(tenLineOrder(t), &o); err != nil {
		t.Fatal(err)
	}
	eq(t, "items", len(o.LineItems()), 10)
}

// BenchmarkDecodeOrder compares decoding a 10-line order into Order with
// decoding the same bytes into map[string]any (the baseline) in one run.
func BenchmarkDecodeOrder(b *testing.B) {
	doc := tenLineOrder(b)
	b.Run("Order", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			var o Order
			if err := json.Unmarshal(doc, &o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(doc, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

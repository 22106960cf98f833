package mapper

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// tenLineWire returns the v2 wire JSON of a ten-line order.
func tenLineWire() []byte {
	var lines []string
	for i := 1; i <= 10; i++ {
		lines = append(lines, fmt.Sprintf(`{"id": %d, "order_id": 231, "product_id": %d, "variant_id": %d,
 "parent_order_product_id": 0, "name": "Product SKU-%d", "name_customer": "Product", "name_merchant": "Product",
 "sku": "SKU-%d", "upc": "", "type": "physical", "base_price": "12.3456", "price_ex_tax": "12.3456",
 "price_inc_tax": "12.3456", "price_tax": "0.0000", "base_total": "12.3456", "total_ex_tax": "12.3456",
 "total_inc_tax": "12.3456", "total_tax": "0.0000", "quantity": %d, "quantity_shipped": 0,
 "quantity_refunded": 0, "is_refunded": false, "refund_amount": "0.0000", "is_bundled_product": false}`,
			400+i, 77+i, 500+i, i, i, i))
	}
	return []byte(strings.Replace(wireOrder[:strings.Index(wireOrder, `"consignments"`)], `"id": 218`, `"id": 231`, 1) +
		`"consignments": {"shipping": [{"id": 1, "line_items": [` + strings.Join(lines, ",") + `]}]}}`)
}

// benchOrderJSON returns the ten-line order as wire JSON when the
// bigcommerce package decodes the wire format, else as encoding/json writes
// it, and says which.
func benchOrderJSON(b *testing.B) ([]byte, string) {
	wire := tenLineWire()
	if o, err := decodeOrder(wire); err == nil && len(o.LineItems()) == 10 {
		return wire, "v2 wire format"
	}
	data, err := json.Marshal(tenLineOrder())
	if err != nil {
		b.Fatal(err)
	}
	return data, "encoding/json round trip (wire dates not decodable yet)"
}

// BenchmarkMapVsDecode measures Map on a ten-line order against decoding
// that order's JSON into a bigcommerce.Order, in the same run: the ratio
// map/decode is the figure to watch, and mapping should cost less.
func BenchmarkMapVsDecode(b *testing.B) {
	data, format := benchOrderJSON(b)
	order, err := decodeOrder(data)
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(orderConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("order JSON: %d bytes, %s", len(data), format)
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := decodeOrder(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("map-order-target", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Map(&order); err != nil {
				b.Fatal(err)
			}
		}
	})
	opp, _ := New(Config{})
	b.Run("map-opportunity-target", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := opp.Map(&order); err != nil {
				b.Fatal(err)
			}
		}
	})
}

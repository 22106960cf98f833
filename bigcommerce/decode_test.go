package bigcommerce

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func toDecimal(d lenientDecimal) decimal.Decimal { return decimal.Decimal(d) }

func TestLenientDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{`"62.6793"`, "62.6793", false},
		{`"924.47"`, "924.47", false},
		{`"8"`, "8", false},
		{`12.5`, "12.5", false},
		{`0`, "0", false},
		{`""`, "0", false},
		{`"  "`, "0", false},
		{`null`, "0", false},
		{`" 1.50 "`, "1.5", false},
		{`"-3.0001"`, "-3.0001", false},
		{`"abc"`, "", true},
		{`true`, "", true},
		{`{}`, "", true},
		{`[1]`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var d lenientDecimal
			err := json.Unmarshal([]byte(tt.in), &d)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil {
				if got := toDecimal(d).String(); got != tt.want {
					t.Errorf("got %s, want %s", got, tt.want)
				}
			}
		})
	}
}

func TestLenientString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{`"braintree"`, "braintree", false},
		{`4011223344`, "4011223344", false},
		{`12.50`, "12.50", false},
		{`null`, "", false},
		{`""`, "", false},
		{`"caf\u00e9 \"x\""`, `café "x"`, false},
		{`true`, "true", false},
		{`{"a":1}`, "", true},
		{`["a"]`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var s lenientString
			err := json.Unmarshal([]byte(tt.in), &s)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if string(s) != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}

func TestLenientInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{`218`, 218, false},
		{`"218"`, 218, false},
		{`null`, 0, false},
		{`""`, 0, false},
		{`12.0`, 12, false},
		{`12.5`, 0, true},
		{`"x"`, 0, true},
		{`99999999999999999999`, 0, true},
		{`[]`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var n lenientInt
			err := json.Unmarshal([]byte(tt.in), &n)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && int64(n) != tt.want {
				t.Errorf("got %d, want %d", n, tt.want)
			}
		})
	}
}

func TestDates(t *testing.T) {
	t.Parallel()
	want := time.Date(2019, 3, 5, 21, 40, 11, 0, time.UTC)
	tests := []struct {
		name    string
		decode  func([]byte) (time.Time, error)
		in      string
		want    time.Time
		wantErr bool
	}{
		{"v2 RFC1123Z", decodeV2, `"Tue, 05 Mar 2019 21:40:11 +0000"`, want, false},
		{"v2 other zone", decodeV2, `"Tue, 05 Mar 2019 16:40:11 -0500"`, want, false},
		{"v2 GMT name", decodeV2, `"Tue, 05 Mar 2019 21:40:11 GMT"`, want, false},
		{"v2 empty", decodeV2, `""`, time.Time{}, false},
		{"v2 null", decodeV2, `null`, time.Time{}, false},
		{"v2 RFC3339 fallback", decodeV2, `"2019-03-05T21:40:11Z"`, want, false},
		{"v2 garbage", decodeV2, `"yesterday"`, time.Time{}, true},
		{"v2 object", decodeV2, `{}`, time.Time{}, true},
		{"v3 RFC3339", decodeV3, `"2019-03-05T21:40:11Z"`, want, false},
		{"v3 offset", decodeV3, `"2019-03-05T23:40:11+02:00"`, want, false},
		{"v3 empty", decodeV3, `""`, time.Time{}, false},
		{"unix number", decodeUnix, `1551822011`, want, false},
		{"unix string", decodeUnix, `"1551822011"`, want, false},
		{"unix zero", decodeUnix, `0`, time.Time{}, false},
		{"unix huge", decodeUnix, `999999999999999`, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.decode([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func decodeV2(b []byte) (time.Time, error) {
	var v v2Time
	err := json.Unmarshal(b, &v)
	return time.Time(v), err
}

func decodeV3(b []byte) (time.Time, error) {
	var v v3Time
	err := json.Unmarshal(b, &v)
	return time.Time(v), err
}

func decodeUnix(b []byte) (time.Time, error) {
	var v unixTime
	err := json.Unmarshal(b, &v)
	return time.Time(v), err
}

func TestDecodeErrorsAreShort(t *testing.T) {
	t.Parallel()
	long := `{"total_inc_tax": "` + strings.Repeat("9x", 5000) + `"}`
	var o Order
	err := json.Unmarshal([]byte(long), &o)
	if err == nil {
		t.Fatal("want an error for invalid money")
	}
	if len(err.Error()) > 200 {
		t.Errorf("error is %d bytes long; want it cut", len(err.Error()))
	}
}

func FuzzDecodeOrder(f *testing.F) {
	for _, name := range []string{"order_registered.json", "order_guest.json", "order_money4.json",
		"order_empty_sku.json", "order_bundle.json", "order_provider_number.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"consignments":{"email":{"gift_certificates":[{"line_items":[{"price_inc_tax":null}]}]}}}`))
	f.Add([]byte(`{"total_inc_tax":"1e99999","date_created":"-1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var o Order
		if err := json.Unmarshal(data, &o); err != nil {
			return
		}
		items := o.LineItems()
		for _, it := range items {
			_ = it.IsBundleChild()
		}
		// What decoded must encode and decode again to the same money.
		out, err := json.Marshal(o)
		if err != nil {
			return
		}
		var back Order
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !back.TotalIncTax.Equal(o.TotalIncTax) || !back.DateCreated.Equal(o.DateCreated) || len(back.LineItems()) != len(items) {
			t.Fatalf("round trip changed the order: %s", out)
		}
	})
}

func TestOrderDecodeShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr bool
		check   func(t *testing.T, o *Order)
	}{
		{"all null", `{"id":null,"customer_id":null,"date_created":null,"total_inc_tax":null,"status":null,
			"billing_address":null,"consignments":null,"payment_provider_id":null,"external_id":null}`, false,
			func(t *testing.T, o *Order) { eq(t, "consignments", o.Consignments == nil, true) }},
		{"unknown fields", `{"id":1,"brand_new_field":{"deep":[1,2,{"x":null}]},"fees":[{"amount":"1.00"}]}`, false,
			func(t *testing.T, o *Order) { eq(t, "id", o.ID, int64(1)) }},
		{"ids as strings", `{"id":"7","customer_id":"0","channel_id":"1"}`, false,
			func(t *testing.T, o *Order) { eq(t, "id", o.ID, int64(7)); eq(t, "channel", o.ChannelID, int64(1)) }},
		{"legacy consignments array", `{"id":2,"consignments":[{"url":"x","resource":"/x"}],"total_inc_tax":"3.50"}`, false,
			func(t *testing.T, o *Order) {
				eq(t, "consignments", o.Consignments == nil, true)
				eq(t, "total", o.TotalIncTax.String(), "3.5")
			}},
		{"consignment links only", `{"id":3,"consignments":{"url":"x","resource":"/x"}}`, false,
			func(t *testing.T, o *Order) {
				eq(t, "consignments", o.Consignments != nil, true)
				eq(t, "items", len(o.LineItems()), 0)
			}},
		{"gift certificates", `{"consignments":{"email":{"gift_certificates":[{"id":"9","line_items":[{"id":1,"type":"giftcertificate","price_inc_tax":"25"}]}]}}}`, false,
			func(t *testing.T, o *Order) {
				items := o.LineItems()
				eq(t, "items", len(items), 1)
				eq(t, "price", items[0].PriceIncTax.String(), "25")
				eq(t, "consignment id", o.Consignments.Email.GiftCertificates[0].ID, int64(9))
			}},
		{"legacy array and bad money", `{"consignments":[],"total_inc_tax":"x"}`, true, nil},
		{"bad item money", `{"consignments":{"shipping":[{"line_items":[{"price_inc_tax":"1,00"}]}]}}`, true, nil},
		{"bad date", `{"date_created":"05/03/2019"}`, true, nil},
		{"status as a string of digits", `{"status_id":"7"}`, false,
			func(t *testing.T, o *Order) { eq(t, "status", o.StatusID, StatusAwaitingPayment) }},
		{"status as a word", `{"status_id":"seven"}`, true, nil},
		{"optional fields of any type", `{"id":5,"status":{"x":1},"items_total":"many","is_deleted":"1","currency_code":7,
			"date_shipped":"soon","channel_id":[1],"consignments":"none","billing_address":[]}`, false,
			func(t *testing.T, o *Order) {
				eq(t, "id", o.ID, int64(5))
				eq(t, "status", o.Status, "")
				eq(t, "items", o.ItemsTotal, 0)
				eq(t, "deleted", o.IsDeleted, true)
				eq(t, "currency", o.CurrencyCode, "7")
				eq(t, "shipped", o.DateShipped.IsZero(), true)
				eq(t, "consignments", o.Consignments == nil, true)
			}},
		{"not an object", `[1]`, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var o Order
			err := json.Unmarshal([]byte(tt.in), &o)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, &o)
			}
		})
	}
}

func TestOrderProductDecodeStandalone(t *testing.T) {
	t.Parallel()
	var p OrderProduct
	in := `{"id":"71","sku":null,"upc":123,"price_inc_tax":"","total_inc_tax":2.5,"parent_order_product_id":"70","quantity":3,"name":"Mug"}`
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	eq(t, "id", p.ID, int64(71))
	eq(t, "upc", p.UPC, "123")
	eq(t, "price", p.PriceIncTax.IsZero(), true)
	eq(t, "total", p.TotalIncTax.String(), "2.5")
	eq(t, "child", p.IsBundleChild(), true)
	eq(t, "qty", p.Quantity, 3)
	eq(t, "name", p.Name, "Mug")
}

// The billing address and a shipping address share one Address decoder, so
// a type drift decodes the same in both: a numeric zip or phone keeps its
// text, and null, booleans, objects or arrays where text belongs never make
// the order undecodable.
func TestAddressDriftDecodesAlikeInBillingAndShipping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		addr  string
		check func(t *testing.T, a Address)
	}{
		{"numeric zip and phone", `{"first_name":"Jane","zip":78108,"phone":1234567890,"email":"j@example.com"}`,
			func(t *testing.T, a Address) {
				eq(t, "zip", a.Zip, "78108")
				eq(t, "phone", a.Phone, "1234567890")
				eq(t, "email", a.Email, "j@example.com")
			}},
		{"nulls and booleans", `{"first_name":null,"zip":null,"phone":false,"company":true,"email":"j@example.com"}`,
			func(t *testing.T, a Address) {
				eq(t, "first", a.FirstName, "")
				eq(t, "phone", a.Phone, "false")
				eq(t, "email", a.Email, "j@example.com")
			}},
		{"objects and arrays", `{"zip":{"code":"1"},"phone":["1","2"],"form_fields":{"x":1},"email":"j@example.com"}`,
			func(t *testing.T, a Address) {
				eq(t, "zip", a.Zip, "")
				eq(t, "phone", a.Phone, "")
				eq(t, "form fields", len(a.FormFields), 0)
				eq(t, "email", a.Email, "j@example.com")
			}},
		{"form fields with odd names", `{"form_fields":[{"name":7,"value":{"a":1}},"junk",{"name":"n","value":"v"}]}`,
			func(t *testing.T, a Address) {
				eq(t, "form fields", fmt.Sprint(a.FormFields), "[{7 map[a:1]} {n v}]")
			}},
		{"not an object", `"12 Main St"`, func(t *testing.T, a Address) { eq(t, "zero", fmt.Sprint(a), fmt.Sprint(Address{})) }},
		{"missing", ``, func(t *testing.T, a Address) { eq(t, "zero", fmt.Sprint(a), fmt.Sprint(Address{})) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			billing := `{"id":218,"total_inc_tax":"10.00"}`
			shipping := `{"id":5,"order_id":218,"items_total":"2","base_cost":3}`
			if tt.addr != "" {
				billing = `{"id":218,"total_inc_tax":"10.00","billing_address":` + tt.addr + `}`
			}
			if strings.HasPrefix(tt.addr, "{") {
				// A shipping address carries the address fields inline.
				shipping = strings.TrimSuffix(shipping, "}") + "," + strings.TrimPrefix(tt.addr, "{")
			}
			var o Order
			if err := json.Unmarshal([]byte(billing), &o); err != nil {
				t.Fatalf("order: %v", err)
			}
			eq(t, "order id", o.ID, int64(218))
			tt.check(t, o.BillingAddress)

			var sa ShippingAddress
			if err := json.Unmarshal([]byte(shipping), &sa); err != nil {
				t.Fatalf("shipping address %s: %v", shipping, err)
			}
			eq(t, "shipping id", sa.ID, int64(5))
			eq(t, "items", sa.ItemsTotal, 2)
			eq(t, "base cost", sa.BaseCost.String(), "3")
			tt.check(t, sa.Address)
		})
	}
}

func TestConsignmentWarningAndProductRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		in         string
		incomplete bool
		items      int
		warning    string
	}{
		{"warning object", `{"items_total":1,"consignments":{"shipping":[{"line_items":[{"quantity":1}],"__warning__":{"message":"only 50 are included"}}]}}`,
			true, 1, "only 50 are included"},
		{"warning as text", `{"consignments":{"downloads":[{"line_items":[],"__warning__":"cut"}]}}`, true, 0, "cut"},
		{"warning null", `{"items_total":1,"consignments":{"shipping":[{"line_items":[{"quantity":1}],"__warning__":null}]}}`, false, 1, ""},
		{"quantities short of items_total", `{"items_total":3,"consignments":{"shipping":[{"line_items":[{"quantity":2}]}]}}`, true, 1, ""},
		{"quantities cover items_total", `{"items_total":3,"consignments":{"pickups":[{"line_items":[{"quantity":2}]}],"email":{"gift_certificates":[{"line_items":[{"quantity":1}]}]}}}`, false, 2, ""},
		{"no consignments, items", `{"items_total":2}`, true, 0, ""},
		{"no consignments, no items", `{"items_total":0}`, false, 0, ""},
		{"products link", `{"products":{"url":"https://x/v2/orders/1/products","resource":"/orders/1/products"}}`, false, 0, ""},
		{"product rows win", `{"items_total":1,"products":[{"id":1,"sku":"A","quantity":1},{"id":2,"sku":7,"quantity":1}],"consignments":{"shipping":[{"line_items":[{"quantity":1}]}]}}`,
			false, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var o Order
			if err := json.Unmarshal([]byte(tt.in), &o); err != nil {
				t.Fatal(err)
			}
			eq(t, "incomplete", o.inlinedIncomplete(), tt.incomplete && o.Products == nil)
			eq(t, "items", len(o.LineItems()), tt.items)
			var warning string
			if o.Consignments != nil {
				o.Consignments.each(func(c *Consignment) {
					if c.Warning != nil {
						warning = c.Warning.Message
					}
				})
			}
			eq(t, "warning", warning, tt.warning)
		})
	}
	// Product rows survive an encode and decode; the link does not become rows.
	o := Order{ID: 9, Products: []OrderProduct{{ID: 1, SKU: "A", Quantity: 2}}}
	raw, err := json.Marshal(&o)
	if err != nil {
		t.Fatal(err)
	}
	var back Order
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	eq(t, "round trip", fmt.Sprint(back.LineItems()[0].SKU, back.LineItems()[0].Quantity), "A2")
	if err := json.Unmarshal([]byte(`{"products":[{"price_inc_tax":"x"}]}`), &back); err == nil {
		t.Error("a product row with bad money decoded")
	}
}

package bigcommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// essentialOrder and essentialLine are the members whose unusable values
// must fail the decode with a *FieldError naming them; every other member
// must decode whatever it holds.
var (
	essentialOrder = set("id", "customer_id", "status_id", "date_created", "date_modified",
		"subtotal_ex_tax", "subtotal_inc_tax", "subtotal_tax", "base_shipping_cost", "shipping_cost_ex_tax",
		"shipping_cost_inc_tax", "shipping_cost_tax", "handling_cost_ex_tax", "handling_cost_inc_tax",
		"handling_cost_tax", "wrapping_cost_ex_tax", "wrapping_cost_inc_tax", "wrapping_cost_tax",
		"total_ex_tax", "total_inc_tax", "total_tax", "refunded_amount", "store_credit_amount",
		"gift_certificate_amount", "discount_amount", "coupon_discount")
	essentialLine = set("id", "product_id", "variant_id", "parent_order_product_id", "quantity",
		"base_price", "price_ex_tax", "price_inc_tax", "price_tax", "base_total", "total_ex_tax",
		"total_inc_tax", "total_tax", "discounted_total_inc_tax", "refund_amount")
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// drift is a value of another JSON type put in place of a member's own.
type drift struct {
	name   string
	value  any
	usable bool // whether an essential field still finds a value in it
}

var drifts = []drift{
	{"null", nil, true},
	{"empty string", "", true},
	{"number", json.Number("7"), true},
	{"string of a number", "7", true},
	{"word", "n/a", false},
	{"boolean", true, false},
	{"object", map[string]any{"value": "7"}, false},
	{"array", []any{"7"}, false},
	{"huge number", json.Number("1e400"), false}, // usable as money only (see usable)
}

// usable reports whether an essential member named key still finds a value
// in d: money is exact decimal of any size, ids and dates are not.
func (d drift) usableFor(key string) bool {
	if d.name == "huge number" {
		return !strings.HasPrefix(key, "date_") && !strings.HasSuffix(key, "id") && key != "quantity"
	}
	return d.usable
}

// location is one member of an order document: its path for the error,
// its key, and whether it sits in a line item.
type location struct {
	path        []any // keys and indexes from the root
	key         string
	line        bool // a member of a line item
	consignment bool // a member of a consignment
}

func (l location) essential() bool {
	if l.consignment {
		return false
	}
	if l.line {
		return essentialLine[l.key]
	}
	return len(l.path) == 1 && essentialOrder[l.key]
}

// driftPayloads are real order payloads: the documented examples in
// testdata, and orders as the fake store serves them.
func driftPayloads(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"order_registered.json", "order_guest.json", "order_money4.json",
		"order_empty_sku.json", "order_bundle.json", "order_provider_number.json"} {
		out[name] = fixture(t, name)
	}
	s, err := bctest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.AddOrder(bctest.Order{StatusID: 11, TotalIncTax: "64.85", RefundedAmount: "5", CustomerID: 3,
		BillingAddress: bctest.Address{FirstName: "Ada", Email: "ada@example.com", Zip: "78108", Phone: "555"},
		LineItems: []bctest.LineItem{
			{Name: "Mug", SKU: "MUG", Quantity: 2, PriceIncTax: "12.50", TotalIncTax: "25.00"},
			{Name: "Ebook", SKU: "EB", Type: bctest.TypeDigital, Quantity: 1, PriceIncTax: "9.99"},
			{Name: "Card", Type: bctest.TypeGiftCertificate, Quantity: 1, PriceIncTax: "25.00"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("https://api.example/stores/%s/v2/orders/%d?include=consignments.line_items&consignment_structure=object", s.StoreHash(), o.ID), nil)
	req.Header.Set("X-Auth-Token", s.Token())
	resp, err := (&http.Client{Transport: s.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	out["bctest order"] = buf.Bytes()
	return out
}

// locations lists the members of doc that a drift may hit: the order's
// own, its billing address's, and every line item's inside consignments.
func locations(doc map[string]any) []location {
	var out []location
	for k, v := range doc {
		out = append(out, location{path: []any{k}, key: k})
		if k == "billing_address" {
			if m, ok := v.(map[string]any); ok {
				for bk := range m {
					out = append(out, location{path: []any{k, bk}, key: bk})
				}
			}
		}
	}
	cons, _ := doc["consignments"].(map[string]any)
	groups := func(m map[string]any, prefix []any) {
		for g, list := range m {
			items, _ := list.([]any)
			for i, c := range items {
				cm, _ := c.(map[string]any)
				for ck := range cm {
					out = append(out, location{path: append(slices.Clone(prefix), g, i, ck), key: ck, consignment: true})
				}
				lines, _ := cm["line_items"].([]any)
				for j, li := range lines {
					lm, _ := li.(map[string]any)
					for lk := range lm {
						p := append(slices.Clone(prefix), g, i, "line_items", j, lk)
						out = append(out, location{path: p, key: lk, line: true})
					}
				}
			}
		}
	}
	if cons != nil {
		email, _ := cons["email"].(map[string]any)
		rest := map[string]any{}
		for k, v := range cons {
			if k != "email" {
				rest[k] = v
			}
		}
		groups(rest, []any{"consignments"})
		if email != nil {
			groups(email, []any{"consignments", "email"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i].path) < fmt.Sprint(out[j].path) })
	return out
}

// put sets the member at path in a deep copy of doc.
func put(doc map[string]any, path []any, v any) map[string]any {
	var cp map[string]any
	raw, _ := json.Marshal(doc)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_ = dec.Decode(&cp)
	var cur any = cp
	for i, step := range path {
		last := i == len(path)-1
		switch k := step.(type) {
		case string:
			m := cur.(map[string]any)
			if last {
				m[k] = v
			} else {
				cur = m[k]
			}
		case int:
			a := cur.([]any)
			cur = a[k]
		}
	}
	return cp
}

// essentials is what must not change when a drift hits another member.
func essentials(o *Order) string {
	return fmt.Sprintf("%d %d %d %s %s %s %s %s %d", o.ID, o.CustomerID, o.StatusID, o.DateCreated, o.DateModified,
		o.TotalIncTax, o.TotalExTax, o.RefundedAmount, len(o.LineItems()))
}

// TestOrderDecodeSurvivesTypeDrift feeds real order payloads with one
// member replaced by a value of another JSON type. An essential member with
// an unusable value fails the decode with a *FieldError naming it; any other
// drift decodes, and the essential fields it did not hit keep their values.
func TestOrderDecodeSurvivesTypeDrift(t *testing.T) {
	t.Parallel()
	payloads := driftPayloads(t)
	names := make([]string, 0, len(payloads))
	for n := range payloads {
		names = append(names, n)
	}
	sort.Strings(names)
	rapid.Check(t, func(rt *rapid.T) {
		name := rapid.SampledFrom(names).Draw(rt, "payload")
		var doc map[string]any
		dec := json.NewDecoder(bytes.NewReader(payloads[name]))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			rt.Fatalf("%s: %v", name, err)
		}
		var want Order
		if err := json.Unmarshal(payloads[name], &want); err != nil {
			rt.Fatalf("%s does not decode as is: %v", name, err)
		}
		loc := rapid.SampledFrom(locations(doc)).Draw(rt, "member")
		d := rapid.SampledFrom(drifts).Draw(rt, "drift")
		raw, err := json.Marshal(put(doc, loc.path, d.value))
		if err != nil {
			rt.Fatal(err)
		}
		var got Order
		err = json.Unmarshal(raw, &got)
		if loc.essential() && !d.usableFor(loc.key) {
			var fe *FieldError
			wantField := loc.key
			if loc.line {
				wantField = "line_items." + loc.key
			}
			if !errors.As(err, &fe) || fe.Field != wantField || !strings.Contains(err.Error(), wantField) {
				rt.Fatalf("%s: %s %v as %s: err = %v, want a *FieldError naming %s", name, loc.key, loc.path, d.name, err, wantField)
			}
			return
		}
		if err != nil {
			rt.Fatalf("%s: %s %v as %s: %v", name, loc.key, loc.path, d.name, err)
		}
		if loc.essential() || loc.key == "consignments" || loc.key == "products" || loc.line || loc.consignment {
			return // the drift hit what essentials reads
		}
		if essentials(&got) != essentials(&want) {
			rt.Fatalf("%s: %s as %s changed the essentials:\n got %s\nwant %s", name, loc.key, d.name, essentials(&got), essentials(&want))
		}
	})
}

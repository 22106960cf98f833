package mapper

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// fixedTime dates the orders the entity tests compare with.
var fixedTime = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

func mustMapper(t testing.TB, cfg Config) *Mapper {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMapCustomer(t *testing.T) {
	m := mustMapper(t, Config{Extra: []ExtraField{
		{Object: "Account", Field: "Type", Value: "Customer"},
		{Object: "Contact", Field: "LeadSource", From: "order_source"},
	}})
	c := &bigcommerce.Customer{ID: 7, Email: " Ada@Studio.INC ", FirstName: "Ada", LastName: "Lovelace", Phone: "",
		Addresses: []bigcommerce.CustomerAddress{
			{ID: 3, Address1: "1 Old Rd", City: "Leeds", Phone: "111"},
			{ID: 9, Address1: "12 New St", Address2: "Flat 2", City: "London", StateOrProvince: "Greater London",
				PostalCode: "N1", Country: "United Kingdom", Phone: "0207", Company: "Engines Ltd"},
		}}
	res, err := m.MapCustomer(c)
	if err != nil {
		t.Fatal(err)
	}
	if res.CustomerID != 7 || res.Key != "ada@studio%2Einc" || len(res.Records) != 2 {
		t.Fatalf("result %+v", res)
	}
	acct, contact := res.Records[0], res.Records[1]
	wantAcct := map[string]any{"Name": "Engines Ltd", "BillingStreet": "12 New St\nFlat 2", "BillingCity": "London",
		"BillingState": "Greater London", "BillingPostalCode": "N1", "BillingCountry": "United Kingdom", "Phone": "0207", "Type": "Customer"}
	if acct.SObject != "Account" || acct.ExternalID != res.Key || !reflect.DeepEqual(acct.Fields, wantAcct) {
		t.Errorf("account %+v", acct)
	}
	if contact.ExternalID != res.Key || contact.Fields["Email"] != "ada@studio.inc" || contact.Fields["AccountId"] != "@{account.id}" ||
		contact.Fields["MailingCity"] != "London" || contact.Fields["LastName"] != "Lovelace" {
		t.Errorf("contact %+v", contact)
	}
	if _, ok := contact.Fields["LeadSource"]; ok {
		t.Error("an extra read From an order field was applied to a customer")
	}

	// No e-mail: the registered customer's id key; no address: none sent.
	res, err = m.MapCustomer(&bigcommerce.Customer{ID: 8, Email: "n/a", LastName: "Hopper"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Key != "bc-customer-8" || res.Records[0].ExternalID != "bc-customer-8" || !hasWarning(Result{Warnings: res.Warnings}, WarnEmailMissing, "", "") {
		t.Errorf("no e-mail: %+v", res)
	}
	if _, ok := res.Records[0].Fields["BillingCity"]; ok {
		t.Error("an address field without an address")
	}
	for _, bad := range []*bigcommerce.Customer{nil, {ID: 0, Email: "a@b.co"}} {
		if _, err := m.MapCustomer(bad); !errors.Is(err, ErrInvalidCustomer) {
			t.Errorf("MapCustomer(%v): %v", bad, err)
		}
	}
	if res, _ := mustMapper(t, Config{OmitContact: true}).MapCustomer(c); len(res.Records) != 1 {
		t.Errorf("OmitContact: %d records", len(res.Records))
	}
}

// TestMapCustomerMatchesOrders: a customer and an order carrying the same
// details produce the same Account and Contact, so either write lands on
// the records the other made.
func TestMapCustomerMatchesOrders(t *testing.T) {
	m := mustMapper(t, Config{})
	rapid.Check(t, func(t *rapid.T) {
		c := bigcommerce.Customer{
			ID: rapid.Int64Range(1, 1000).Draw(t, "id"), Email: rapid.OneOf(genEmail(), genText()).Draw(t, "email"),
			FirstName: genText().Draw(t, "first"), LastName: genText().Draw(t, "last"), Company: genText().Draw(t, "company"),
			Phone: genText().Draw(t, "phone"),
		}
		cr, err := m.MapCustomer(&c)
		if err != nil {
			t.Fatal(err)
		}
		o := bigcommerce.Order{ID: 99, CustomerID: c.ID, StatusID: bigcommerce.StatusCompleted, DateCreated: fixedTime,
			BillingAddress: bigcommerce.Address{FirstName: c.FirstName, LastName: c.LastName, Company: c.Company, Phone: c.Phone, Email: c.Email}}
		or, err := m.Map(&o)
		if err != nil {
			t.Fatal(err)
		}
		if cr.Key != CustomerKey(c.Email, c.ID, 99) {
			t.Fatalf("key %q, CustomerKey %q", cr.Key, CustomerKey(c.Email, c.ID, 99))
		}
		for i := range cr.Records {
			if !reflect.DeepEqual(cr.Records[i], or.Records[i]) {
				t.Fatalf("record %d differs:\ncustomer %+v\norder    %+v", i, cr.Records[i], or.Records[i])
			}
		}
	})
}

func journalProduct() *bigcommerce.Product {
	price := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.RequireFromString(s)) }
	return &bigcommerce.Product{ID: 174, Name: "Smith Journal", SKU: "SM-13", Price: decimal.RequireFromString("25.00"),
		Variants: []bigcommerce.Variant{
			{ID: 380, SKU: "SM-13"},
			{ID: 381, SKU: "SM-13-RED", Price: price("27.50"), OptionValues: []bigcommerce.OptionValue{{Label: "Red"}, {Label: "A5"}}},
			{ID: 382, SKU: "", Price: price("26"), OptionValues: []bigcommerce.OptionValue{{Label: "Blue"}}},
			{ID: 383, SKU: " SM-13-RED ", OptionValues: []bigcommerce.OptionValue{{Label: "Red again"}}},
		}}
}

func TestMapProduct(t *testing.T) {
	m := mustMapper(t, Config{})
	res, err := m.MapProduct(journalProduct())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, p := range res.Products {
		if p.SObject != "Product2" || p.ExternalIDField != "BigCommerce_Product_Key__c" || p.Fields["ProductCode"] != p.ExternalID || p.Fields["IsActive"] != true {
			t.Errorf("record %+v", p)
		}
		got[p.ExternalID] = [2]string{p.Fields["Name"].(string), p.UnitPrice.String()}
	}
	want := map[string][2]string{
		"SM-13":          {"Smith Journal", "25"},
		"SM-13-RED":      {"Smith Journal (Red, A5)", "27.5"},
		"bc-product-174": {"Smith Journal", "26"},
	}
	if !reflect.DeepEqual(got, want) || strings.Join(res.Keys(), ",") != "SM-13,SM-13-RED,bc-product-174" {
		t.Errorf("products %v, keys %v", got, res.Keys())
	}
	if res.Products[2].Ref != "product3" {
		t.Errorf("refs %v", res.Products)
	}

	// A product read without variants is its base variant.
	res, err = m.MapProduct(&bigcommerce.Product{ID: 5, Name: "Pen", Price: decimal.RequireFromString("1.5")})
	if err != nil || strings.Join(res.Keys(), ",") != "bc-product-5" || res.Products[0].UnitPrice != "1.5" {
		t.Errorf("no variants: %+v %v", res, err)
	}
	for _, bad := range []*bigcommerce.Product{nil, {ID: -1}, {ID: 1, Name: "x", Price: decimal.New(1, 99)}} {
		if _, err := m.MapProduct(bad); !errors.Is(err, ErrInvalidProduct) {
			t.Errorf("MapProduct(%v): %v", bad, err)
		}
	}
	long := &bigcommerce.Product{ID: 6, Name: strings.Repeat("n", 300)}
	if res, _ := m.MapProduct(long); len([]rune(res.Products[0].Fields["Name"].(string))) != 255 || !hasWarning(Result{Warnings: res.Warnings}, WarnTruncated, "product1", "Name") {
		t.Errorf("long name: %+v", res)
	}
	if res, _ := mustMapper(t, Config{Fields: Fields{ProductKey: "SKU__c"}}).MapProduct(long); res.Products[0].ExternalIDField != "SKU__c" {
		t.Errorf("configured key field: %+v", res.Products[0])
	}
}

// TestMapProductCoversOrderLines: whatever SKU an order line of a variant
// carries (the variant's, or, for a variant without one, the product's or
// none), MapProduct writes a Product2 under the line's key.
func TestMapProductCoversOrderLines(t *testing.T) {
	m := mustMapper(t, Config{Target: TargetOrder, Pricebook2ID: "01s000000000000AAA"})
	sku := rapid.SampledFrom([]string{"", "A", "a", " B ", "C-1", "\xff"})
	rapid.Check(t, func(t *rapid.T) {
		p := bigcommerce.Product{ID: rapid.Int64Range(1, 50).Draw(t, "id"), Name: "P", SKU: sku.Draw(t, "product sku")}
		for i := range rapid.IntRange(0, 4).Draw(t, "variants") {
			p.Variants = append(p.Variants, bigcommerce.Variant{ID: int64(i + 1), SKU: sku.Draw(t, "variant sku")})
		}
		res, err := m.MapProduct(&p)
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]bool{}
		for _, k := range res.Keys() {
			if keys[k] {
				t.Fatalf("key %q twice", k)
			}
			keys[k] = true
		}
		variants := p.Variants
		if len(variants) == 0 {
			variants = []bigcommerce.Variant{{SKU: p.SKU}}
		}
		for _, v := range variants {
			lineSKUs := []string{v.SKU}
			if strings.TrimSpace(v.SKU) == "" {
				lineSKUs = append(lineSKUs, p.SKU)
			}
			for _, ls := range lineSKUs {
				o := bigcommerce.Order{ID: 1, StatusID: bigcommerce.StatusCompleted, DateCreated: fixedTime,
					Consignments: &bigcommerce.Consignments{Shipping: []bigcommerce.Consignment{{LineItems: []bigcommerce.OrderProduct{
						{ID: 1, ProductID: p.ID, VariantID: v.ID, SKU: ls, Quantity: 1}}}}}}
				or, err := m.Map(&o)
				if err != nil {
					t.Fatal(err)
				}
				if k := or.ProductKeys()[0]; !keys[k] {
					t.Fatalf("an order line with SKU %q has key %q; MapProduct wrote %v", ls, k, res.Keys())
				}
			}
		}
	})
}

func TestProductResultJSON(t *testing.T) {
	res, err := mustMapper(t, Config{}).MapProduct(journalProduct())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil || !strings.Contains(string(b), `"unitPrice":27.5`) || !strings.Contains(string(b), `"externalId":"SM-13-RED"`) {
		t.Errorf("json %s %v", b, err)
	}
}

// FuzzMapEntities decodes arbitrary JSON into a customer and a product and
// maps them: no panic, only documented errors, and well-formed records.
func FuzzMapEntities(f *testing.F) {
	f.Add([]byte(`{"id":7,"email":"Ada@Studio.inc","first_name":"Ada","addresses":[{"id":1,"city":"Leeds"}],
		"name":"Journal","sku":"SM","price":25,"variants":[{"id":1,"sku":"","price":null},{"id":2,"sku":"R","price":"1e40"}]}`))
	f.Add([]byte(`{"id":-1}`))
	m := mustMapper(f, Config{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var c bigcommerce.Customer
		if json.Unmarshal(data, &c) == nil {
			res, err := m.MapCustomer(&c)
			if err != nil && !errors.Is(err, ErrInvalidCustomer) {
				t.Fatalf("MapCustomer: undocumented error %v", err)
			}
			if err == nil && (res.Key == "" || len(res.Records) != 2 || res.Records[0].ExternalID != res.Key) {
				t.Fatalf("MapCustomer: %+v", res)
			}
		}
		var p bigcommerce.Product
		if json.Unmarshal(data, &p) == nil {
			res, err := m.MapProduct(&p)
			if err != nil && !errors.Is(err, ErrInvalidProduct) {
				t.Fatalf("MapProduct: undocumented error %v", err)
			}
			if err == nil && len(res.Products) == 0 {
				t.Fatalf("MapProduct wrote nothing for %+v", p)
			}
			for _, r := range res.Products {
				if r.ExternalID == "" || r.Fields["Name"] == "" || r.UnitPrice == "" {
					t.Fatalf("MapProduct record %+v", r)
				}
			}
		}
	})
}

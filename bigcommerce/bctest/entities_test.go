package bctest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/webhook"
)

func journal() bctest.Product {
	return bctest.Product{
		Name: "Smith Journal 13", SKU: "SM-13", Price: "25.00", IsVisible: true,
		Variants: []bctest.Variant{
			{SKU: "SM-13"},
			{SKU: "SM-13-RED", Price: "27.50", OptionValues: []bctest.OptionValue{{ID: 10, Label: "Red", OptionID: 151, OptionDisplayName: "Color"}}},
			{SKU: "", OptionValues: []bctest.OptionValue{{ID: 11, Label: "Blue", OptionID: 151, OptionDisplayName: "Color"}}},
		},
	}
}

func TestAddProductRules(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	p, err := s.AddProduct(journal())
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != 1 || len(p.Variants) != 3 || p.Variants[1].ID != 2 || p.Variants[2].ProductID != 1 || p.Type != "physical" {
		t.Fatalf("product %+v", p)
	}
	simple, err := s.AddProduct(bctest.Product{Name: "Pen", SKU: "PEN", Price: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(simple.Variants) != 1 || simple.Variants[0].SKU != "PEN" || simple.Variants[0].Price != "" {
		t.Errorf("a product without variants gets its base variant: %+v", simple.Variants)
	}
	for name, bad := range map[string]bctest.Product{
		"same name":         {Name: "smith journal 13"},
		"taken SKU":         {Name: "Other", SKU: "sm-13-red"},
		"taken id":          {ID: 1, Name: "Third"},
		"SKU twice":         {Name: "Twice", Variants: []bctest.Variant{{SKU: "T"}, {SKU: "t"}}},
		"bad price":         {Name: "Bad", Price: "1,5"},
		"bad variant price": {Name: "Bad2", Variants: []bctest.Variant{{Price: "x"}}},
		"no name":           {},
	} {
		if _, err := s.AddProduct(bad); !errors.Is(err, bctest.ErrConflict) && !errors.Is(err, bctest.ErrInvalid) {
			t.Errorf("%s: err %v", name, err)
		}
	}
	before, _ := s.Product(1)
	up, err := s.UpdateProduct(1, func(p *bctest.Product) { p.Name = "Smith Journal 14" })
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Smith Journal 14" || up.DateModified.Before(before.DateModified) || len(up.Variants) != 3 {
		t.Errorf("updated %+v", up)
	}
	if _, err := s.UpdateProduct(99, nil); !errors.Is(err, bctest.ErrNotFound) {
		t.Errorf("unknown product: %v", err)
	}
	if _, err := s.UpdateProduct(1, func(p *bctest.Product) { p.Name = "Pen" }); !errors.Is(err, bctest.ErrConflict) {
		t.Errorf("rename onto a taken name: %v", err)
	}
}

// TestClientReadsProducts drives the module's client against the catalog
// routes: one product, and many in one request.
func TestClientReadsProducts(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := newClient(t, s, s.Token())
	p, err := s.AddProduct(journal())
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Products.Get(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != p.Name || got.Price.String() != "25" || len(got.Variants) != 3 || got.Variants[0].Price.Valid ||
		got.Variants[1].Price.Decimal.String() != "27.5" || got.Variants[1].OptionValues[0].Label != "Red" ||
		!got.DateModified.Equal(p.DateModified) {
		t.Fatalf("client read %+v", got)
	}
	if _, err := c.Products.Get(t.Context(), 42); !errors.Is(err, bigcommerce.ErrNotFound) {
		t.Fatalf("missing product: %v", err)
	}
	var ids []int64
	for i := range 5 {
		q, err := s.AddProduct(bctest.Product{Name: "P" + string(rune('a'+i)), Price: "1"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, q.ID)
	}
	before := s.Calls(bctest.RouteListProducts)
	n := 0
	for prod, err := range c.Products.List(t.Context(), bigcommerce.ListProductsOptions{IDs: append(ids[1:4], 999)}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(prod.Variants) != 1 {
			t.Errorf("product %d without its variants", prod.ID)
		}
		n++
	}
	if calls := s.Calls(bctest.RouteListProducts) - before; n != 3 || calls != 1 {
		t.Errorf("%d products in %d calls, want 3 in 1", n, calls)
	}
}

func TestProductRoutesRefuse(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	if _, err := s.AddProduct(journal()); err != nil {
		t.Fatal(err)
	}
	for path, field := range map[string]string{
		"/v3/catalog/products?sku=SM-13":          "sku",
		"/v3/catalog/products?include=everything": "include",
		"/v3/catalog/products?id:in=x":            "id:in",
		"/v3/catalog/products?limit=251":          "limit",
	} {
		e := wantV3Error(t, call(t, s, http.MethodGet, path, nil), http.StatusUnprocessableEntity)
		if e.Errors[field] == "" {
			t.Errorf("%s: %v", path, e.Errors)
		}
	}
	wantV3Error(t, call(t, s, http.MethodGet, "/v3/catalog/products/7", nil), http.StatusNotFound)
	// Without include=variants, no variants.
	body := decode[struct {
		Data map[string]json.RawMessage `json:"data"`
	}](t, call(t, s, http.MethodGet, "/v3/catalog/products/1", nil))
	if _, ok := body.Data["variants"]; ok || string(body.Data["price"]) != "25.00" {
		t.Errorf("product without include: %v", body.Data)
	}
}

func TestCustomerAddressesAndDates(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := newClient(t, s, s.Token())
	old, err := s.AddCustomer(bctest.Customer{Email: "old@example.com", DateCreated: t0})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := s.AddCustomer(bctest.Customer{Email: "new@example.com", DateCreated: t0.Add(2 * 3600e9),
		Addresses: []bctest.CustomerAddress{{Address1: "1 Main St", City: "Leeds"}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.AddCustomerAddress(old.ID, bctest.CustomerAddress{Address1: "9 High St", PostalCode: "LS1"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 2 || a.CustomerID != old.ID || a.AddressType != "residential" {
		t.Errorf("address %+v", a)
	}
	if got, _ := s.Customer(old.ID); !got.DateModified.Equal(old.DateModified) || len(got.Addresses) != 1 {
		t.Errorf("an address leaves date_modified alone: %+v", got)
	}
	moved, err := s.UpdateCustomerAddress(old.ID, a.ID, func(a *bctest.CustomerAddress) { a.City = "York"; a.ID = 99 })
	if err != nil || moved.ID != a.ID || moved.City != "York" || moved.Address1 != "9 High St" {
		t.Errorf("updated address %+v, %v", moved, err)
	}
	if got, _ := s.Customer(old.ID); !got.DateModified.Equal(old.DateModified) || got.Addresses[0].City != "York" {
		t.Errorf("an address update leaves date_modified alone and is stored: %+v", got)
	}
	if _, err := s.UpdateCustomerAddress(old.ID, fresh.Addresses[0].ID, nil); !errors.Is(err, bctest.ErrNotFound) {
		t.Errorf("another customer's address: %v", err)
	}
	if _, err := s.UpdateCustomerAddress(999, a.ID, nil); !errors.Is(err, bctest.ErrNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
	var listed []bigcommerce.Customer
	for cust, err := range c.Customers.List(t.Context(), bigcommerce.ListCustomersOptions{
		MinDateModified: t0.Add(3600e9), Sort: "date_modified:asc", IncludeAddresses: true,
	}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, cust)
	}
	if len(listed) != 1 || listed[0].ID != fresh.ID || len(listed[0].Addresses) != 1 || listed[0].Addresses[0].City != "Leeds" {
		t.Fatalf("listed %+v", listed)
	}
	edited, err := s.UpdateCustomer(old.ID, func(c *bctest.Customer) { c.LastName = "Changed" })
	if err != nil {
		t.Fatal(err)
	}
	if !edited.DateModified.After(old.DateModified) || edited.LastName != "Changed" {
		t.Errorf("edited %+v", edited)
	}
	if _, err := s.UpdateCustomer(old.ID, func(c *bctest.Customer) { c.Email = "" }); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("empty e-mail: %v", err)
	}
	// Without include, no addresses are served.
	for cust, err := range c.Customers.List(t.Context(), bigcommerce.ListCustomersOptions{IDs: []int64{fresh.ID}}) {
		if err != nil || cust.Addresses != nil {
			t.Errorf("without include: %+v, %v", cust.Addresses, err)
		}
	}
}

// TestMutationsFireWebhooks: each helper stores the change and delivers the
// documented event to the hooks whose scope matches, and only to them.
func TestMutationsFireWebhooks(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []webhook.Event
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e, err := webhook.ParseEvent(body)
		if err != nil {
			t.Errorf("parse %s: %v", body, err)
		}
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	}))
	t.Cleanup(recv.Close)
	s := newServer(t)
	for _, scope := range []string{"store/customer/*", "store/product/created", "store/product/updated"} {
		if _, err := s.AddHook(bctest.Hook{Scope: scope, Destination: recv.URL, IsActive: true}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	c, _, err := s.CreateCustomer(ctx, bctest.Customer{Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EditCustomer(ctx, c.ID, func(c *bctest.Customer) { c.Phone = "555" }); err != nil {
		t.Fatal(err)
	}
	addr, _, err := s.AddAddress(ctx, c.ID, bctest.CustomerAddress{City: "Leeds"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EditAddress(ctx, c.ID, addr.ID, func(a *bctest.CustomerAddress) { a.City = "York" }); err != nil {
		t.Fatal(err)
	}
	p, _, err := s.CreateProduct(ctx, bctest.Product{Name: "Pen", Price: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, res, err := s.EditProduct(ctx, p.ID, func(p *bctest.Product) { p.Price = "3" }); err != nil || len(res) != 1 || !res[0].Delivered() {
		t.Fatalf("EditProduct: %v %v", res, err)
	}
	if stored, _ := s.Product(p.ID); stored.Price != "3" {
		t.Errorf("edit not stored: %+v", stored)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 6 {
		t.Fatalf("%d events delivered, want 6: %+v", len(got), got)
	}
	for i, want := range []struct {
		scope string
		id    int64
	}{
		{bctest.ScopeCustomerCreated, c.ID}, {bctest.ScopeCustomerUpdated, c.ID}, {bctest.ScopeCustomerAddressCreated, c.ID},
		{bctest.ScopeCustomerAddressUpdated, c.ID}, {bctest.ScopeProductCreated, p.ID}, {bctest.ScopeProductUpdated, p.ID},
	} {
		e := got[i]
		var id int64
		var err error
		if webhook.IsProductScope(e.Scope) {
			id, err = e.ProductID()
		} else {
			id, err = e.CustomerID()
		}
		if e.Scope != want.scope || err != nil || id != want.id {
			t.Errorf("event %d: %s id %d (%v), want %s id %d", i, e.Scope, id, err, want.scope, want.id)
		}
	}
	var data struct {
		ID int64 `json:"id"`
	}
	for _, e := range got[2:4] {
		if err := json.Unmarshal(e.Data, &data); err != nil || data.ID != addr.ID {
			t.Errorf("an address event's data.id is the address: %s", e.Data)
		}
	}
}

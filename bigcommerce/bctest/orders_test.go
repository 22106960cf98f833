package bctest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// fullOrder is an order with every kind of line item: two physical items
// (one a bundle with its child), a digital one and a gift certificate.
func fullOrder() bctest.Order {
	return bctest.Order{
		CustomerID:  11,
		DateCreated: t0,
		StatusID:    11,
		TotalIncTax: "1008.74",
		TotalExTax:  "931.8600",
		SubtotalTax: "76.27",
		ExternalID:  "",
		CartID:      "cart-1",
		BillingAddress: bctest.Address{
			FirstName: "Jane", LastName: "Doe", Email: "janedoe@example.com",
			FormFields: []bctest.FormField{{Name: "Delivery Instructions", Value: "Leave in backyard"}},
		},
		LineItems: []bctest.LineItem{
			{Name: "Poster", SKU: "P-1", Quantity: 2, PriceIncTax: "10.9800", TotalIncTax: "21.96", IsBundledProduct: false},
			{ID: 500, Name: "Bundle part", SKU: "B-1", Quantity: 1, ParentOrderProductID: 1, IsBundledProduct: true},
			{Name: "E-book", Type: bctest.TypeDigital, Quantity: 1, PriceIncTax: "5"},
			{Name: "Gift card", Type: bctest.TypeGiftCertificate, Quantity: 1, PriceIncTax: "25.00"},
		},
	}
}

// orderJSON decodes an order independently of the fake's types.
type orderJSON struct {
	ID                int64             `json:"id"`
	StatusID          int               `json:"status_id"`
	Status            string            `json:"status"`
	DateCreated       string            `json:"date_created"`
	DateModified      string            `json:"date_modified"`
	DateShipped       string            `json:"date_shipped"`
	TotalIncTax       json.RawMessage   `json:"total_inc_tax"`
	TotalExTax        json.RawMessage   `json:"total_ex_tax"`
	DiscountAmount    json.RawMessage   `json:"discount_amount"`
	ExternalID        json.RawMessage   `json:"external_id"`
	BillingAddress    map[string]any    `json:"billing_address"`
	Products          map[string]string `json:"products"`
	ShippingAddresses map[string]string `json:"shipping_addresses"`
	Consignments      *struct {
		Shipping []struct {
			ID        int64             `json:"id"`
			Email     string            `json:"email"`
			LineItems []json.RawMessage `json:"line_items"`
		} `json:"shipping"`
		Pickups   []json.RawMessage `json:"pickups"`
		Downloads []struct {
			LineItems []json.RawMessage `json:"line_items"`
		} `json:"downloads"`
		Email struct {
			GiftCertificates []struct {
				LineItems []json.RawMessage `json:"line_items"`
			} `json:"gift_certificates"`
		} `json:"email"`
	} `json:"consignments"`
}

type lineJSON struct {
	ID                   int64           `json:"id"`
	OrderID              int64           `json:"order_id"`
	OrderAddressID       int64           `json:"order_address_id"`
	ParentOrderProductID *int64          `json:"parent_order_product_id"`
	Name                 string          `json:"name"`
	NameCustomer         string          `json:"name_customer"`
	Type                 string          `json:"type"`
	PriceIncTax          json.RawMessage `json:"price_inc_tax"`
	Quantity             int             `json:"quantity"`
	URL                  string          `json:"url"`
	Resource             string          `json:"resource"`
}

func TestGetOrderWithoutInclude(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, fullOrder())
	r := call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d", o.ID), nil)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d: %s", r.status, r.body)
	}
	got := decode[orderJSON](t, r)
	checks := []struct {
		name      string
		got, want any
	}{
		{"id", got.ID, int64(100)},
		{"status", got.Status, "Awaiting Fulfillment"},
		{"date_created", got.DateCreated, "Thu, 05 Mar 2026 21:40:11 +0000"},
		{"date_modified", got.DateModified, "Thu, 05 Mar 2026 21:40:11 +0000"},
		{"date_shipped", got.DateShipped, ""},
		{"total_inc_tax", string(got.TotalIncTax), `"1008.74"`},
		{"total_ex_tax", string(got.TotalExTax), `"931.8600"`},
		{"discount_amount default", string(got.DiscountAmount), `"0.0000"`},
		{"external_id null", string(got.ExternalID), `null`},
		{"billing email", got.BillingAddress["email"], "janedoe@example.com"},
		{"products resource", got.Products["resource"], "/orders/100/products"},
		{"products url", got.Products["url"], s.StoreURL() + "/v2/orders/100/products"},
		{"shipping resource", got.ShippingAddresses["resource"], "/orders/100/shipping_addresses"},
		{"no consignments", got.Consignments == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type = %q", ct)
	}
}

func TestNullableFieldsWithValues(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, bctest.Order{ExternalID: "ext-1", ExternalSource: "M-MIG", DateShipped: t0})
	got := decode[map[string]any](t, call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d", o.ID), nil))
	if got["external_id"] != "ext-1" || got["external_source"] != "M-MIG" || got["date_shipped"] != "Thu, 05 Mar 2026 21:40:11 +0000" {
		t.Errorf("order = %v", got)
	}
}

func TestGetOrderInlinesLineItems(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, fullOrder())
	path := fmt.Sprintf("/v2/orders/%d?include=consignments.line_items&consignment_structure=object", o.ID)
	got := decode[orderJSON](t, call(t, s, http.MethodGet, path, nil))
	c := got.Consignments
	if c == nil {
		t.Fatal("no consignments")
	}
	if len(c.Shipping) != 1 || len(c.Downloads) != 1 || len(c.Email.GiftCertificates) != 1 || c.Pickups == nil {
		t.Fatalf("consignments = %+v", c)
	}
	var physical []lineJSON
	for _, raw := range c.Shipping[0].LineItems {
		var li lineJSON
		if err := json.Unmarshal(raw, &li); err != nil {
			t.Fatal(err)
		}
		physical = append(physical, li)
	}
	if len(physical) != 2 || physical[0].Name != "Poster" || physical[1].Name != "Bundle part" {
		t.Fatalf("physical items = %+v", physical)
	}
	if physical[0].ParentOrderProductID != nil || physical[1].ParentOrderProductID == nil || *physical[1].ParentOrderProductID != 1 {
		t.Errorf("parent ids = %v, %v", physical[0].ParentOrderProductID, physical[1].ParentOrderProductID)
	}
	if physical[0].OrderAddressID != c.Shipping[0].ID || physical[0].OrderID != o.ID || physical[0].NameCustomer != "Poster" {
		t.Errorf("first item = %+v, consignment id %d", physical[0], c.Shipping[0].ID)
	}
	if c.Shipping[0].Email != "janedoe@example.com" {
		t.Errorf("shipping to %q, want the billing address", c.Shipping[0].Email)
	}
	var digital lineJSON
	if err := json.Unmarshal(c.Downloads[0].LineItems[0], &digital); err != nil || digital.Type != bctest.TypeDigital {
		t.Errorf("download item = %+v (%v)", digital, err)
	}
	var gift lineJSON
	if err := json.Unmarshal(c.Email.GiftCertificates[0].LineItems[0], &gift); err != nil || string(gift.PriceIncTax) != `"25.00"` {
		t.Errorf("gift item = %+v (%v)", gift, err)
	}
}

func TestGetOrderConsignmentVariants(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, fullOrder())
	tests := []struct {
		name, query  string
		consignments bool
		links        bool
	}{
		{"links only", "include=consignments&consignment_structure=object", true, true},
		{"legacy structure left out", "include=consignments.line_items", false, false},
		{"fees only", "include=fees&consignment_structure=object", false, false},
		{"both includes", "include=fees,consignments.line_items&consignment_structure=object", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decode[orderJSON](t, call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d?%s", o.ID, tc.query), nil))
			if (got.Consignments != nil) != tc.consignments {
				t.Fatalf("consignments present = %v, want %v", got.Consignments != nil, tc.consignments)
			}
			if !tc.consignments {
				return
			}
			var li lineJSON
			if err := json.Unmarshal(got.Consignments.Shipping[0].LineItems[0], &li); err != nil {
				t.Fatal(err)
			}
			if isLink := li.Resource != ""; isLink != tc.links {
				t.Errorf("line item = %+v, want link %v", li, tc.links)
			}
			if tc.links && li.Resource != fmt.Sprintf("/orders/%d/products/%d", o.ID, o.LineItems[0].ID) {
				t.Errorf("resource = %q", li.Resource)
			}
		})
	}
}

func TestGetOrderNotFound(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, path := range []string{"/v2/orders/999", "/v2/orders/abc", "/v2/orders/999/products", "/v2/orders/999/shipping_addresses"} {
		e := wantV2Error(t, call(t, s, http.MethodGet, path, nil), http.StatusNotFound)
		if e[0].Message != "The requested resource was not found." {
			t.Errorf("%s: message = %q", path, e[0].Message)
		}
	}
}

func TestOrderProductsPaging(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := fullOrder()
	o.ShippingAddresses = []bctest.ShippingAddress{
		{Address: bctest.Address{City: "Austin"}, ShippingMethod: "Free Shipping", CostIncTax: "8"},
		{Address: bctest.Address{City: "Boston"}},
	}
	o = mustAddOrder(t, s, o)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Poster", "Bundle part", "E-book", "Gift card"}},
		{"?limit=3", []string{"Poster", "Bundle part", "E-book"}},
		{"?limit=3&page=2", []string{"Gift card"}},
		{"?limit=3&page=3", nil},
	}
	for _, tc := range tests {
		r := call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d/products%s", o.ID, tc.query), nil)
		if tc.want == nil {
			if r.status != http.StatusNoContent || len(r.body) != 0 {
				t.Errorf("%s: status %d body %q, want 204", tc.query, r.status, r.body)
			}
			continue
		}
		var names []string
		for _, li := range decode[[]lineJSON](t, r) {
			names = append(names, li.Name)
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("%s: names = %v, want %v", tc.query, names, tc.want)
		}
	}
	addrs := decode[[]map[string]any](t, call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d/shipping_addresses", o.ID), nil))
	if len(addrs) != 2 || addrs[0]["city"] != "Austin" || addrs[0]["cost_inc_tax"] != "8" ||
		addrs[0]["shipping_method"] != "Free Shipping" || addrs[1]["base_cost"] != "0.0000" ||
		addrs[0]["items_total"] != float64(3) || addrs[0]["order_id"] != float64(o.ID) {
		t.Errorf("shipping addresses = %v", addrs)
	}
	r := call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d/shipping_addresses?page=2", o.ID), nil)
	if r.status != http.StatusNoContent {
		t.Errorf("page 2 status = %d, want 204", r.status)
	}
}

func TestDigitalOnlyOrderHasNoShippingAddress(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, bctest.Order{LineItems: []bctest.LineItem{{Name: "E-book", Type: bctest.TypeDigital, Quantity: 1}}})
	if len(o.ShippingAddresses) != 0 {
		t.Errorf("shipping addresses = %v", o.ShippingAddresses)
	}
	r := call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d/shipping_addresses", o.ID), nil)
	if r.status != http.StatusNoContent {
		t.Errorf("status = %d, want 204", r.status)
	}
}

// seedList adds five orders that differ in every filtered field.
func seedList(t *testing.T, s *bctest.Server) {
	t.Helper()
	for i := range 5 {
		mustAddOrder(t, s, bctest.Order{
			CustomerID:     int64(i % 2),
			StatusID:       []int{11, 10, 11, 5, 0}[i],
			ChannelID:      int64(1 + i/3),
			DateCreated:    t0.Add(time.Duration(i) * time.Hour),
			DateModified:   t0.Add(time.Duration(10-i) * time.Hour),
			TotalIncTax:    []string{"10.00", "20.50", "30", "40.0001", "5"}[i],
			PaymentMethod:  []string{"Cash", "Card", "Card", "Cash", "Card"}[i],
			BillingAddress: bctest.Address{Email: []string{"A@x.io", "b@x.io", "a@x.io", "c@x.io", "b@x.io"}[i]},
		})
	}
}

func listIDs(t *testing.T, s *bctest.Server, query string) (int, []int64) {
	t.Helper()
	return idsOf(t, call(t, s, http.MethodGet, "/v2/orders"+query, nil))
}

// memListIDs is listIDs in memory, for tests in a testing/synctest bubble.
func memListIDs(t *testing.T, s *bctest.Server, query string) (int, []int64) {
	t.Helper()
	return idsOf(t, memCall(t, s, s.Token(), http.MethodGet, "/v2/orders"+query, nil))
}

func idsOf(t *testing.T, r reply) (int, []int64) {
	t.Helper()
	if r.status != http.StatusOK {
		return r.status, nil
	}
	var ids []int64
	for _, o := range decode[[]orderJSON](t, r) {
		ids = append(ids, o.ID)
	}
	return r.status, ids
}

func TestListOrdersFilters(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	seedList(t, s)
	rfc2822 := url.QueryEscape(t0.Add(2 * time.Hour).Format(time.RFC1123Z))
	iso := url.QueryEscape(t0.Add(7 * time.Hour).In(time.FixedZone("", -4*3600)).Format("2006-01-02T15:04:05.000-07:00"))
	tests := []struct {
		name, query string
		want        []int64
	}{
		{"all by id", "", []int64{100, 101, 102, 103, 104}},
		{"min_id", "?min_id=102", []int64{102, 103, 104}},
		{"max_id", "?max_id=101", []int64{100, 101}},
		{"status_id", "?status_id=11", []int64{100, 102}},
		{"customer_id guest", "?customer_id=0", []int64{100, 102, 104}},
		{"email folds case", "?email=a@x.io", []int64{100, 102}},
		{"channel_id", "?channel_id=2", []int64{103, 104}},
		{"payment_method", "?payment_method=Cash", []int64{100, 103}},
		{"min_total", "?min_total=30", []int64{102, 103}},
		{"max_total", "?max_total=10.0", []int64{100, 104}},
		{"min_date_created rfc2822", "?min_date_created=" + rfc2822, []int64{102, 103, 104}},
		{"max_date_modified iso", "?max_date_modified=" + iso, []int64{103, 104}},
		{"min_date_created date only", "?min_date_created=2026-03-06", []int64{103, 104}},
		{"nothing matches", "?min_date_created=2027-01-01", nil},
		{"sort date_created desc", "?sort=date_created:desc", []int64{104, 103, 102, 101, 100}},
		{"sort date_modified asc", "?sort=date_modified:asc", []int64{104, 103, 102, 101, 100}},
		{"sort id asc", "?sort=id:asc", []int64{100, 101, 102, 103, 104}},
		{"sort status ties by id", "?sort=status_id", []int64{104, 103, 101, 100, 102}},
		{"page", "?limit=2&page=2", []int64{102, 103}},
		{"last page", "?limit=2&page=3", []int64{104}},
		{"combined", "?status_id=11&min_id=101", []int64{102}},
		// A range of ids narrower than the store is looked up id by id;
		// a wider one, or one past the ids, is a pass over the store.
		{"id range", "?min_id=101&max_id=103", []int64{101, 102, 103}},
		{"id range of one", "?min_id=104&max_id=104", []int64{104}},
		{"id range with a filter", "?min_id=100&max_id=102&status_id=11", []int64{100, 102}},
		{"id range desc paged", "?min_id=100&max_id=103&sort=id:desc&limit=2&page=2", []int64{101, 100}},
		{"id range past the ids", "?min_id=98&max_id=101", []int64{100, 101}},
		{"id range wider than the store", "?min_id=0&max_id=1000000", []int64{100, 101, 102, 103, 104}},
		{"id range beyond the store", "?min_id=200&max_id=202", nil},
		{"id range reversed", "?min_id=103&max_id=101", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, ids := listIDs(t, s, tc.query)
			if tc.want == nil {
				if status != http.StatusNoContent {
					t.Fatalf("status = %d, want 204", status)
				}
				return
			}
			if status != http.StatusOK || !slices.Equal(ids, tc.want) {
				t.Fatalf("status %d ids %v, want %v", status, ids, tc.want)
			}
		})
	}
}

func TestListOrdersEmptyAndBadQueries(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	if status, _ := listIDs(t, s, ""); status != http.StatusNoContent {
		t.Errorf("empty store: status = %d, want 204", status)
	}
	seedList(t, s)
	tests := []struct {
		query string
		want  int
	}{
		{"?page=9", http.StatusNoContent},
		{"?min_id=abc", http.StatusBadRequest},
		{"?max_id=-1", http.StatusBadRequest},
		{"?status_id=1.5", http.StatusBadRequest},
		{"?min_date_created=yesterday", http.StatusBadRequest},
		// An unescaped "+" arrives as a space, which is not a date.
		{"?min_date_created=Thu,%2005%20Mar%202026%2021:40:11%20+0000", http.StatusBadRequest},
		{"?min_total=1e3", http.StatusBadRequest},
		{"?sort=total", http.StatusBadRequest},
		{"?sort=id:up", http.StatusBadRequest},
		{"?page=0", http.StatusBadRequest},
		{"?limit=0", http.StatusBadRequest},
		{"?limit=250", http.StatusOK},
		{"?limit=251", http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		r := call(t, s, http.MethodGet, "/v2/orders"+tc.query, nil)
		if r.status != tc.want {
			t.Errorf("%s: status = %d, want %d (%s)", tc.query, r.status, tc.want, r.body)
			continue
		}
		if tc.want >= 400 {
			wantV2Error(t, r, tc.want)
		}
	}
}

func TestListOrdersInclude(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	mustAddOrder(t, s, fullOrder())
	got := decode[[]orderJSON](t, call(t, s, http.MethodGet, "/v2/orders?include=consignments.line_items&consignment_structure=object", nil))
	if len(got) != 1 || got[0].Consignments == nil || len(got[0].Consignments.Shipping[0].LineItems) != 2 {
		t.Fatalf("orders = %+v", got)
	}
}

func TestUpdateOrderAndSetStatus(t *testing.T) {
	t.Parallel()
	synctest.Test(t, updateOrderAndSetStatus)
}

func updateOrderAndSetStatus(t *testing.T) {
	t0 := bubbleStart
	s := newServer(t)
	o := mustAddOrder(t, s, bctest.Order{StatusID: 0, TotalIncTax: "10"})
	if !o.DateCreated.Equal(t0) || !o.DateModified.Equal(t0) || o.Status != "Incomplete" {
		t.Fatalf("seeded = %+v", o)
	}
	time.Sleep(90 * time.Minute)
	o, err := s.SetStatus(o.ID, 11)
	if err != nil {
		t.Fatal(err)
	}
	if o.StatusID != 11 || o.Status != "Awaiting Fulfillment" || !o.DateModified.Equal(t0.Add(90*time.Minute)) {
		t.Errorf("after SetStatus = %+v", o)
	}
	status, ids := memListIDs(t, s, "?min_date_modified="+url.QueryEscape(t0.Add(time.Hour).Format(time.RFC3339)))
	if status != http.StatusOK || !slices.Equal(ids, []int64{o.ID}) {
		t.Errorf("modified since: %d %v", status, ids)
	}
	time.Sleep(time.Minute)
	o, err = s.UpdateOrder(o.ID, func(o *bctest.Order) { o.TotalIncTax = "12.50"; o.ID = 7 })
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Order(o.ID)
	if o.ID != 100 || stored.TotalIncTax != "12.50" || !stored.DateModified.Equal(t0.Add(91*time.Minute)) {
		t.Errorf("after UpdateOrder = %+v", stored)
	}
	if _, err := s.UpdateOrder(o.ID, func(o *bctest.Order) { o.TotalIncTax = "twelve" }); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("bad update err = %v", err)
	}
	if again, _ := s.Order(o.ID); again.TotalIncTax != "12.50" {
		t.Errorf("failed update changed the order: %q", again.TotalIncTax)
	}
	if _, err := s.UpdateOrder(42, nil); !errors.Is(err, bctest.ErrNotFound) {
		t.Errorf("unknown order err = %v", err)
	}
	if _, err := s.SetStatus(o.ID, 99); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("bad status err = %v", err)
	}
}

func TestAddOrderValidation(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	mustAddOrder(t, s, bctest.Order{ID: 5})
	tests := []struct {
		name  string
		order bctest.Order
		want  error
	}{
		{"duplicate id", bctest.Order{ID: 5}, bctest.ErrConflict},
		{"money not decimal", bctest.Order{TotalIncTax: "12,50"}, bctest.ErrInvalid},
		{"money float syntax", bctest.Order{TotalIncTax: "1e3"}, bctest.ErrInvalid},
		{"status out of range", bctest.Order{StatusID: 15}, bctest.ErrInvalid},
		{"negative id", bctest.Order{ID: -1}, bctest.ErrInvalid},
		{"bad item type", bctest.Order{LineItems: []bctest.LineItem{{Type: "service"}}}, bctest.ErrInvalid},
		{"bad item money", bctest.Order{LineItems: []bctest.LineItem{{PriceIncTax: "$5"}}}, bctest.ErrInvalid},
		{"bad address money", bctest.Order{ShippingAddresses: []bctest.ShippingAddress{{CostIncTax: "x"}}}, bctest.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.AddOrder(tc.order); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if n := len(s.Orders()); n != 1 {
		t.Errorf("%d orders stored, want 1", n)
	}
	next := mustAddOrder(t, s, bctest.Order{})
	if next.ID != 100 {
		t.Errorf("next id = %d, want 100", next.ID)
	}
}

func TestReturnedOrdersAreCopies(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, fullOrder())
	o.LineItems[0].Name = "changed"
	o.BillingAddress.FormFields[0].Value = "changed"
	got, _ := s.Order(o.ID)
	if got.LineItems[0].Name != "Poster" || got.BillingAddress.FormFields[0].Value != "Leave in backyard" {
		t.Errorf("stored order changed through a returned copy: %+v", got)
	}
}

func TestUpdateOrderRederives(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, bctest.Order{StatusID: 1, LineItems: []bctest.LineItem{{Name: "a", Quantity: 2}}})
	if o.ItemsTotal != 2 || o.Status != "Pending" || o.CustomStatus != "Pending" {
		t.Fatalf("seeded = %+v", o)
	}
	o, err := s.UpdateOrder(o.ID, func(o *bctest.Order) {
		o.StatusID = 5
		o.LineItems = append(o.LineItems, bctest.LineItem{Name: "b", Quantity: 3})
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != "Cancelled" || o.CustomStatus != "Cancelled" || o.ItemsTotal != 5 || o.LineItems[1].ID == 0 {
		t.Errorf("updated = %+v", o)
	}
	// Values set by the change itself are kept.
	o, err = s.UpdateOrder(o.ID, func(o *bctest.Order) { o.StatusID = 10; o.CustomStatus = "Done!"; o.ItemsTotal = 9 })
	if err != nil || o.Status != "Completed" || o.CustomStatus != "Done!" || o.ItemsTotal != 9 {
		t.Errorf("updated = %+v, %v", o, err)
	}
}

func TestLineItemMustShipToTheOrdersAddress(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	_, err := s.AddOrder(bctest.Order{
		ShippingAddresses: []bctest.ShippingAddress{{ID: 1}},
		LineItems:         []bctest.LineItem{{Name: "lost", Quantity: 1, OrderAddressID: 2}},
	})
	if !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("err = %v, want ErrInvalid", err)
	}
	if n := len(s.Orders()); n != 0 {
		t.Errorf("%d orders stored", n)
	}
}

// manyItems returns n physical line items and, when digital is set, as many
// digital ones.
func manyItems(n int, digital bool) []bctest.LineItem {
	var items []bctest.LineItem
	for i := range n {
		items = append(items, bctest.LineItem{Name: fmt.Sprint("item ", i), SKU: fmt.Sprint("SKU-", i), Quantity: 1, PriceIncTax: "1.00"})
		if digital {
			items = append(items, bctest.LineItem{Name: fmt.Sprint("ebook ", i), Type: bctest.TypeDigital, Quantity: 2, PriceIncTax: "2.00"})
		}
	}
	return items
}

// Inlined, a consignment holds at most 50 line items and then carries the
// API's __warning__ (bigcommerce/docs#960); /products lists them all.
func TestInlinedLineItemsAreCappedAt50PerConsignment(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, bctest.Order{LineItems: manyItems(120, true), BillingAddress: bctest.Address{Email: "a@b.example"}})
	if o.ItemsTotal != 360 {
		t.Fatalf("items_total %d, want 360", o.ItemsTotal)
	}
	type consignment struct {
		LineItems []json.RawMessage `json:"line_items"`
		Warning   *struct {
			Message string `json:"message"`
		} `json:"__warning__"`
	}
	type cappedOrder struct {
		Consignments struct {
			Shipping  []consignment `json:"shipping"`
			Downloads []consignment `json:"downloads"`
		} `json:"consignments"`
	}
	r := call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d?include=consignments.line_items&consignment_structure=object", o.ID), nil)
	got := decode[cappedOrder](t, r)
	for name, cs := range map[string][]consignment{"shipping": got.Consignments.Shipping, "downloads": got.Consignments.Downloads} {
		if len(cs) != 1 || len(cs[0].LineItems) != 50 || cs[0].Warning == nil ||
			!strings.Contains(cs[0].Warning.Message, "only 50 are included") ||
			!strings.Contains(cs[0].Warning.Message, "/v2/orders/{order_id}/products") {
			t.Errorf("%s consignment: %d items, warning %+v", name, len(cs[0].LineItems), cs[0].Warning)
		}
	}
	// The list caps the same way.
	list := decode[[]cappedOrder](t, call(t, s, http.MethodGet, "/v2/orders?include=consignments.line_items&consignment_structure=object", nil))
	if len(list) != 1 || len(list[0].Consignments.Shipping[0].LineItems) != 50 || list[0].Consignments.Shipping[0].Warning == nil {
		t.Errorf("listed order not capped: %+v", list)
	}
	// At or below 50 there is no warning.
	small := mustAddOrder(t, s, bctest.Order{LineItems: manyItems(50, false)})
	r = call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d?include=consignments.line_items&consignment_structure=object", small.ID), nil)
	if strings.Contains(string(r.body), "__warning__") {
		t.Errorf("50 items carry a warning: %.200s", r.body)
	}
	if rows := decode[[]json.RawMessage](t, call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d/products?limit=250", o.ID), nil)); len(rows) != 240 {
		t.Errorf("/products lists %d rows, want 240", len(rows))
	}
}

func TestInlinedItemsMissing(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, bctest.Order{LineItems: manyItems(3, true), InlinedItemsMissing: true})
	got := decode[orderJSON](t, call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d?include=consignments.line_items&consignment_structure=object", o.ID), nil))
	if got.Consignments == nil || len(got.Consignments.Shipping) != 1 || len(got.Consignments.Shipping[0].LineItems) != 0 ||
		len(got.Consignments.Downloads) != 1 || len(got.Consignments.Downloads[0].LineItems) != 0 {
		t.Errorf("consignments %+v, want empty line_items", got.Consignments)
	}
	if rows := decode[[]json.RawMessage](t, call(t, s, http.MethodGet, fmt.Sprintf("/v2/orders/%d/products", o.ID), nil)); len(rows) != 6 {
		t.Errorf("/products lists %d rows, want 6", len(rows))
	}
}

package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// orderServer serves the fixture files as /v2/orders/{id} under storePath
// and checks that Get asks for the inlined line items.
func orderServer(t *testing.T, files map[int64]string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v2/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("include"); got != "consignments.line_items" {
			t.Errorf("include = %q", got)
		}
		if got := r.URL.Query().Get("consignment_structure"); got != "object" {
			t.Errorf("consignment_structure = %q", got)
		}
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		name, ok := files[id]
		if !ok {
			jsonHandler(http.StatusNotFound, []byte(`[{"status":404,"message":"The requested resource was not found."}]`))(w, r)
			return
		}
		jsonHandler(http.StatusOK, fixture(t, name))(w, r)
	})
	return mux
}

func TestOrdersGetFixtures(t *testing.T) {
	t.Parallel()
	files := map[int64]string{
		218: "order_registered.json", 219: "order_guest.json", 220: "order_money4.json",
		221: "order_empty_sku.json", 222: "order_bundle.json", 223: "order_provider_number.json",
	}
	c := newServerClient(t, orderServer(t, files))
	tests := []struct {
		id    int64
		check func(t *testing.T, o *Order)
	}{
		{218, func(t *testing.T, o *Order) {
			eq(t, "CustomerID", o.CustomerID, int64(11))
			eq(t, "StatusID", o.StatusID, StatusAwaitingPayment)
			eq(t, "SubtotalExTax", o.SubtotalExTax.String(), "62.6793")
			eq(t, "TotalIncTax", o.TotalIncTax.StringFixed(4), "69.8400")
			eq(t, "DateCreated", o.DateCreated.UTC().Format(time.RFC3339), "2019-03-05T21:40:11Z")
			eq(t, "DateShipped zero", o.DateShipped.IsZero(), true)
			eq(t, "ExternalSource", o.ExternalSource, "")
			eq(t, "Email", o.BillingAddress.Email, "janedoe@example.com")
			eq(t, "CurrencyExchangeRate", o.CurrencyExchangeRate.String(), "1")
			items := o.LineItems()
			eq(t, "items", len(items), 2)
			eq(t, "item 0 SKU", items[0].SKU, "SLCTBS")
			eq(t, "item 1 price", items[1].PriceExTax.String(), "16.4193")
			eq(t, "item 0 bundle child", items[0].IsBundleChild(), false)
			sum := items[0].TotalIncTax.Add(items[1].TotalIncTax)
			eq(t, "sum", sum.String(), o.SubtotalIncTax.String())
		}},
		{219, func(t *testing.T, o *Order) {
			eq(t, "CustomerID", o.CustomerID, int64(0))
			eq(t, "guest email", o.BillingAddress.Email, "Guest.Buyer@Example.com")
			eq(t, "PaymentProviderID", o.PaymentProviderID, "")
			eq(t, "DateShipped", o.DateShipped.UTC().Format(time.RFC3339), "2019-03-07T09:30:00Z")
			items := o.LineItems()
			eq(t, "items", len(items), 1)
			eq(t, "custom product", items[0].ProductID, int64(0))
			eq(t, "variant null", items[0].VariantID, int64(0))
		}},
		{220, func(t *testing.T, o *Order) {
			eq(t, "SubtotalExTax", o.SubtotalExTax.String(), "19.995")
			eq(t, "SubtotalIncTax", o.SubtotalIncTax.StringFixed(4), "21.5946")
			eq(t, "number money", o.ShippingCostExTax.String(), "4.99")
			eq(t, "empty money", o.RefundedAmount.IsZero(), true)
			eq(t, "null money", o.StoreCreditAmount.IsZero(), true)
			eq(t, "DiscountAmount", o.DiscountAmount.String(), "0.0005")
			eq(t, "zone kept", o.DateCreated.UTC().Format(time.RFC3339), "2019-03-08T13:00:00Z")
			items := o.LineItems()
			eq(t, "qty", items[0].Quantity, 5)
			eq(t, "price x qty", items[0].PriceExTax.Mul(dec(t, "5")).String(), items[0].TotalExTax.String())
		}},
		{221, func(t *testing.T, o *Order) {
			items := o.LineItems()
			eq(t, "items", len(items), 1)
			eq(t, "empty SKU", items[0].SKU, "")
			eq(t, "null UPC", items[0].UPC, "")
			eq(t, "type", items[0].Type, "digital")
		}},
		{222, func(t *testing.T, o *Order) {
			items := o.LineItems()
			eq(t, "items", len(items), 3)
			eq(t, "parent", items[0].IsBundleChild(), false)
			for _, child := range items[1:] {
				eq(t, "child", child.IsBundleChild(), true)
				eq(t, "child parent id", child.ParentOrderProductID, items[0].ID)
				eq(t, "child price", child.PriceIncTax.IsZero(), true)
				eq(t, "child bundled flag", child.IsBundledProduct, true)
			}
		}},
		{223, func(t *testing.T, o *Order) {
			eq(t, "PaymentProviderID", o.PaymentProviderID, "4011223344")
			eq(t, "ExternalOrderID", o.ExternalOrderID, "9988")
			eq(t, "legacy consignments ignored", o.Consignments == nil, true)
			eq(t, "LineItems nil", o.LineItems() == nil, true)
			eq(t, "StatusID", o.StatusID, StatusCompleted)
		}},
	}
	for _, tt := range tests {
		t.Run(files[tt.id], func(t *testing.T) {
			t.Parallel()
			o, err := c.Orders.Get(context.Background(), tt.id)
			if err != nil {
				t.Fatalf("Get(%d): %v", tt.id, err)
			}
			eq(t, "ID", o.ID, tt.id)
			tt.check(t, o)
		})
	}
}

func TestOrdersGetIsOneCall(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t)
	key := "GET " + mockStore + "/v2/orders/222"
	mt.RegisterResponderWithQuery(http.MethodGet, mockStore+"/v2/orders/222",
		"include=consignments.line_items&consignment_structure=object",
		httpmock.NewBytesResponder(http.StatusOK, fixture(t, "order_bundle.json")))
	o, err := c.Orders.Get(context.Background(), 222)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(o.LineItems()); n != 3 {
		t.Fatalf("line items = %d, want 3", n)
	}
	if got := mt.GetTotalCallCount(); got != 1 {
		t.Errorf("calls = %d, want exactly 1 (info %v)", got, mt.GetCallCountInfo())
	}
	if got := callCount(mt, key+"?consignment_structure=object&include=consignments.line_items"); got != 1 {
		t.Errorf("call count info = %v", mt.GetCallCountInfo())
	}
}

func TestOrdersGetNotFound(t *testing.T) {
	t.Parallel()
	c := newServerClient(t, orderServer(t, nil))
	_, err := c.Orders.Get(context.Background(), 999)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err %T is no *APIError", err)
	}
	eq(t, "Path", apiErr.Path, "/v2/orders/999")
	eq(t, "Method", apiErr.Method, "GET")
	eq(t, "Messages", strings.Join(apiErr.Messages, "|"), "The requested resource was not found.")
	if Retryable(err) {
		t.Error("404 must not be retryable")
	}
}

func TestOrdersInvalidID(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t)
	ctx := context.Background()
	calls := []func() error{
		func() error { _, err := c.Orders.Get(ctx, 0); return err },
		func() error { _, err := c.Orders.Products(ctx, -1); return err },
		func() error { _, err := c.Orders.ShippingAddresses(ctx, 0); return err },
		func() error { _, err := c.Customers.Get(ctx, 0); return err },
		func() error { _, err := c.Webhooks.Get(ctx, 0); return err },
		func() error { _, err := c.Webhooks.Delete(ctx, -5); return err },
	}
	for i, call := range calls {
		if err := call(); !errors.Is(err, errInvalidID) {
			t.Errorf("call %d: err = %v, want invalid id", i, err)
		}
	}
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Errorf("made %d calls for invalid ids", n)
	}
}

func TestOrdersListPagingAndFilters(t *testing.T) {
	t.Parallel()
	status := StatusIncomplete
	opts := ListOrdersOptions{
		MinID: 100, MaxID: 200, StatusID: &status, CustomerID: 11, Email: "a+b@example.com", ChannelID: 2,
		MinDateCreated:  time.Date(2019, 3, 5, 16, 40, 11, 0, time.FixedZone("EST", -5*3600)),
		MaxDateCreated:  time.Date(2019, 3, 6, 0, 0, 0, 0, time.UTC),
		MinDateModified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		MaxDateModified: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC),
		Sort:            "date_modified:asc", WithLineItems: true, PageSize: 2,
	}
	wantQuery := map[string]string{
		"min_id": "100", "max_id": "200", "status_id": "0", "customer_id": "11", "email": "a+b@example.com",
		"channel_id": "2", "min_date_created": "Tue, 05 Mar 2019 21:40:11 +0000",
		"max_date_created": "Wed, 06 Mar 2019 00:00:00 +0000", "min_date_modified": "Wed, 01 Jan 2020 00:00:00 +0000",
		"max_date_modified": "Thu, 02 Jan 2020 00:00:00 +0000", "sort": "date_modified:asc",
		"include": "consignments.line_items", "consignment_structure": "object", "limit": "2",
	}
	var pages atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v2/orders", func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		q := r.URL.Query()
		for k, v := range wantQuery {
			if q.Get(k) != v {
				t.Errorf("query %s = %q, want %q", k, q.Get(k), v)
			}
		}
		page, _ := strconv.Atoi(q.Get("page"))
		ids := map[int][]int{1: {101, 102}, 2: {103, 104}, 3: {105}}[page]
		var parts []string
		for _, id := range ids {
			parts = append(parts, fmt.Sprintf(`{"id":%d,"total_inc_tax":"%d.10","date_created":"","payment_provider_id":%d}`, id, id, id))
		}
		jsonHandler(http.StatusOK, []byte("["+strings.Join(parts, ",")+"]"))(w, r)
	})
	c := newServerClient(t, mux)
	var got []int64
	for o, err := range c.Orders.List(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o.ID)
		eq(t, "money", o.TotalIncTax.String(), fmt.Sprintf("%d.1", o.ID))
	}
	eq(t, "ids", fmt.Sprint(got), "[101 102 103 104 105]")
	eq(t, "pages", pages.Load(), int32(3))
}

func TestOrdersListEmpty(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		status int
		body   string
	}{
		{"204", http.StatusNoContent, ""},
		{"empty array", http.StatusOK, "[]"},
		{"empty body", http.StatusOK, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, mockStore+"/v2/orders", httpmock.NewStringResponder(tt.status, tt.body))
			n := 0
			for _, err := range c.Orders.List(context.Background(), ListOrdersOptions{}) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			eq(t, "orders", n, 0)
			eq(t, "calls", mt.GetTotalCallCount(), 1)
		})
	}
}

func TestOrdersListStopsWhenLoopBreaks(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, mockStore+"/v2/orders", httpmock.NewStringResponder(http.StatusOK, `[{"id":1},{"id":2}]`))
	for o, err := range c.Orders.List(context.Background(), ListOrdersOptions{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "first", o.ID, int64(1))
		break
	}
	eq(t, "calls", mt.GetTotalCallCount(), 1)
}

func TestOrdersListYieldsErrorOnce(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t)
	mt.RegisterResponderWithQuery(http.MethodGet, mockStore+"/v2/orders", "page=1&limit=1",
		httpmock.NewStringResponder(http.StatusOK, `[{"id":1}]`))
	mt.RegisterResponderWithQuery(http.MethodGet, mockStore+"/v2/orders", "page=2&limit=1",
		httpmock.NewStringResponder(http.StatusBadRequest, `[{"status":400,"message":"bad page"}]`))
	var ids []int64
	var errs []error
	for o, err := range c.Orders.List(context.Background(), ListOrdersOptions{PageSize: 1}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, o.ID)
	}
	eq(t, "ids", fmt.Sprint(ids), "[1]")
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "bad page") {
		t.Fatalf("errs = %v", errs)
	}
	eq(t, "calls", mt.GetTotalCallCount(), 2)
}

func TestOrdersProductsAndShippingAddresses(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v2/orders/218/products", func(w http.ResponseWriter, r *http.Request) {
		eq(t, "limit", r.URL.Query().Get("limit"), "250")
		jsonHandler(http.StatusOK, []byte(`[{"id":28,"order_id":218,"sku":"A","price_inc_tax":"25.0000","quantity":2},
			{"id":29,"order_id":218,"sku":12345,"price_inc_tax":"","parent_order_product_id":28}]`))(w, r)
	})
	mux.HandleFunc("GET "+storePath+"/v2/orders/218/shipping_addresses", func(w http.ResponseWriter, r *http.Request) {
		jsonHandler(http.StatusOK, []byte(`[{"id":18,"order_id":218,"first_name":"Jane","zip":78108,
			"shipping_method":"Flat Rate","cost_inc_tax":"2.0000","base_cost":2,"handling_cost_tax":null}]`))(w, r)
	})
	mux.HandleFunc("GET "+storePath+"/v2/orders/219/shipping_addresses", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	c := newServerClient(t, mux)
	ctx := context.Background()
	items, err := c.Orders.Products(ctx, 218)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "items", len(items), 2)
	eq(t, "sku number", items[1].SKU, "12345")
	eq(t, "child", items[1].IsBundleChild(), true)
	eq(t, "price", items[0].PriceIncTax.String(), "25")

	addrs, err := c.Orders.ShippingAddresses(ctx, 218)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "addresses", len(addrs), 1)
	eq(t, "zip", addrs[0].Zip, "78108")
	eq(t, "cost", addrs[0].CostIncTax.String(), "2")
	eq(t, "base cost", addrs[0].BaseCost.String(), "2")

	none, err := c.Orders.ShippingAddresses(ctx, 219)
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("digital order: %v, %v; want an empty slice", none, err)
	}
}

func TestOrdersListDateFormat(t *testing.T) {
	t.Parallel()
	// The API documents RFC 2822 and ISO 8601; RFC 1123Z in UTC is RFC 2822.
	q := ListOrdersOptions{MinDateModified: time.Date(2017, 4, 20, 11, 32, 0, 0, time.FixedZone("", -4*3600))}.query()
	eq(t, "min_date_modified", q.Get("min_date_modified"), "Thu, 20 Apr 2017 15:32:00 +0000")
	enc := q.Encode()
	back, err := url.ParseQuery(enc)
	if err != nil || back.Get("min_date_modified") != q.Get("min_date_modified") {
		t.Fatalf("query does not survive encoding: %q", enc)
	}
	eq(t, "no filter", ListOrdersOptions{}.query().Encode(), "")
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// A client made WithoutLineItems asks for no consignments and drops the
// line items a server sends anyway.
func TestWithoutLineItemsDropsWhatTheServerSends(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t, WithoutLineItems())
	mt.RegisterResponder(http.MethodGet, orderURL, func(r *http.Request) (*http.Response, error) {
		if q := r.URL.Query(); q.Has("include") || q.Has("consignment_structure") {
			t.Errorf("query %q asks for line items", r.URL.RawQuery)
		}
		return httpmock.NewStringResponse(http.StatusOK, `{"id":218,"items_total":2,"products":[{"id":1}],
			"consignments":{"shipping":[{"line_items":[{"id":1,"quantity":2}]}]}}`), nil
	})
	o, err := c.Orders.Get(context.Background(), 218)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "line items", o.LineItems() == nil, true)
	eq(t, "consignments", o.Consignments == nil, true)
	eq(t, "calls", mt.GetTotalCallCount(), 1)
}

package bctest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// Seed an order, then fetch it with its line items the way a client does.
func Example() {
	s, err := bctest.NewServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	o, err := s.AddOrder(bctest.Order{
		DateCreated:    time.Date(2026, 3, 5, 21, 40, 11, 0, time.UTC),
		StatusID:       11,
		TotalIncTax:    "69.84",
		BillingAddress: bctest.Address{Email: "jane@example.com"},
		LineItems:      []bctest.LineItem{{Name: "Mug", SKU: "MUG-1", Quantity: 2, PriceIncTax: "34.92"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	url := fmt.Sprintf("%s/v2/orders/%d?include=consignments.line_items&consignment_structure=object", s.StoreURL(), o.ID)
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("X-Auth-Token", s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()

	var order struct {
		ID           int64  `json:"id"`
		Status       string `json:"status"`
		DateCreated  string `json:"date_created"`
		TotalIncTax  string `json:"total_inc_tax"`
		Consignments struct {
			Shipping []struct {
				LineItems []struct {
					SKU      string `json:"sku"`
					Quantity int    `json:"quantity"`
				} `json:"line_items"`
			} `json:"shipping"`
		} `json:"consignments"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&order); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, "requests left:", resp.Header.Get("X-Rate-Limit-Requests-Left"))
	fmt.Println(order.ID, order.Status, "|", order.DateCreated, "|", order.TotalIncTax)
	for _, item := range order.Consignments.Shipping[0].LineItems {
		fmt.Println(item.SKU, "x", item.Quantity)
	}
	// Output:
	// 200 requests left: 149
	// 100 Awaiting Fulfillment | Thu, 05 Mar 2026 21:40:11 +0000 | 69.84
	// MUG-1 x 2
}

// Answer the next two calls of one route with 503, as a flaky API would.
func ExampleServer_FailNext() {
	s, _ := bctest.NewServer()
	defer s.Close()
	_ = s.FailNext(2, bctest.Fault{Route: bctest.RouteListOrders, Status: http.StatusServiceUnavailable})

	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, s.StoreURL()+"/v2/orders", nil)
		req.Header.Set("X-Auth-Token", s.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println("calls:", s.Calls(bctest.RouteListOrders))
	// Output:
	// 503
	// 503
	// 204
	// calls: 3
}

// Deliver an order event to a receiver, with the hook's shared-secret
// header and a Standard Webhooks signature.
func ExampleServer_Deliver() {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var env struct {
			Scope string `json:"scope"`
			Data  struct {
				ID int64 `json:"id"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &env)
		fmt.Println(env.Scope, env.Data.ID, r.Header.Get("X-Webhook-Secret") != "", r.Header.Get("webhook-signature") != "")
	}))
	defer receiver.Close()

	s, _ := bctest.NewServer(bctest.WithClientSecret("client-secret"))
	defer s.Close()
	_, _ = s.AddHook(bctest.Hook{
		Scope: bctest.ScopeOrderCreated, Destination: receiver.URL, IsActive: true,
		Headers: map[string]string{"X-Webhook-Secret": "shared"},
	})
	res, err := s.Deliver(context.Background(), receiver.URL, bctest.EventSpec{OrderID: 250})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.StatusCode, res.Delivered())
	// Output:
	// store/order/created 250 true true
	// 200 true
}

// Reach the store in memory, without a socket, as a test inside a
// testing/synctest bubble must; any host works.
func ExampleServer_Transport() {
	s, _ := bctest.NewServer()
	defer s.Close()
	o, _ := s.AddOrder(bctest.Order{TotalIncTax: "12.00"})

	hc := &http.Client{Transport: s.Transport()}
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("https://api.bigcommerce.com/stores/%s/v2/orders/%d", s.StoreHash(), o.ID), nil)
	req.Header.Set("X-Auth-Token", s.Token())
	resp, err := hc.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var order struct {
		TotalIncTax string `json:"total_inc_tax"`
		Products    struct {
			URL string `json:"url"`
		} `json:"products"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&order)
	fmt.Println(resp.StatusCode, order.TotalIncTax, order.Products.URL)
	fmt.Println(s)
	// Output:
	// 200 12.00 https://api.bigcommerce.com/stores/abc123/v2/orders/100/products
	// bctest.Server{store: abc123, in memory}
}

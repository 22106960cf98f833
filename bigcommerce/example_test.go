package bigcommerce_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// storeStub stands in for api.bigcommerce.com behind a path prefix.
func storeStub() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bc/stores/abc123/v2/orders/218", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{
			"id": 218, "customer_id": 0, "status_id": 11,
			"date_created": "Tue, 05 Mar 2019 21:40:11 +0000", "date_shipped": "",
			"total_inc_tax": "69.8400", "default_currency_code": "USD",
			"billing_address": {"email": "janedoe@example.com"},
			"consignments": {"shipping": [{"id": 1, "line_items": [
				{"id": 70, "sku": "BOX", "quantity": 1, "price_inc_tax": "69.8400"},
				{"id": 71, "sku": "MUG", "quantity": 1, "price_inc_tax": "0.0000", "parent_order_product_id": 70}
			]}]}
		}`)
	})
	mux.HandleFunc("GET /bc/stores/abc123/v2/orders/404", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `[{"status":404,"message":"The requested resource was not found."}]`)
	})
	mux.HandleFunc("POST /bc/stores/abc123/v3/hooks", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data": {"id": 18048287, "scope": "store/order/created",
			"destination": "https://sync.example.com/webhooks/bigcommerce", "is_active": true,
			"headers": {"X-Webhook-Secret": "from-your-secret-store"},
			"created_at": 1561488106, "updated_at": 1561488106}, "meta": {}}`)
	})
	return httptest.NewServer(mux)
}

func ExampleOrdersService_Get() {
	srv := storeStub()
	defer srv.Close()

	c, err := bigcommerce.NewClient("abc123", "your-access-token", bigcommerce.WithBaseURL(srv.URL+"/bc"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// One call returns the order and its line items.
	o, err := c.Orders.Get(context.Background(), 218)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("order", o.ID, "guest:", o.CustomerID == 0, "email:", o.BillingAddress.Email)
	fmt.Println("total", o.TotalIncTax.StringFixed(2), o.DefaultCurrencyCode)
	for _, item := range o.LineItems() {
		if item.IsBundleChild() {
			continue // part of a bundle, no revenue of its own
		}
		fmt.Println("item", item.SKU, item.Quantity, item.PriceIncTax.StringFixed(2))
	}

	_, err = c.Orders.Get(context.Background(), 404)
	var apiErr *bigcommerce.APIError
	if errors.Is(err, bigcommerce.ErrNotFound) && errors.As(err, &apiErr) {
		fmt.Println("missing:", apiErr.Status, apiErr.Messages[0], "retry?", bigcommerce.Retryable(err))
	}
	// Output:
	// order 218 guest: true email: janedoe@example.com
	// total 69.84 USD
	// item BOX 1 69.84
	// missing: 404 The requested resource was not found. retry? false
}

func ExampleWebhooksService_Create() {
	srv := storeStub()
	defer srv.Close()

	c, err := bigcommerce.NewClient("abc123", "your-access-token", bigcommerce.WithBaseURL(srv.URL+"/bc"))
	if err != nil {
		fmt.Println(err)
		return
	}
	hook, err := c.Webhooks.Create(context.Background(), bigcommerce.WebhookCreate{
		Scope:       "store/order/created",
		Destination: "https://sync.example.com/webhooks/bigcommerce",
		// BigCommerce sends this header back on every delivery.
		Headers: map[string]string{"X-Webhook-Secret": "from-your-secret-store"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hook.ID, hook.IsActive, hook.CreatedAt.Format("2006-01-02"))
	fmt.Println(hook) // header values stay hidden
	// Output:
	// 18048287 true 2019-06-25
	// Webhook{ID: 18048287, Scope: store/order/created, Destination: https://sync.example.com/webhooks/bigcommerce, IsActive: true, Headers: {X-Webhook-Secret: [redacted]}}
}

package bctest_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/shopspring/decimal"
)

// These tests drive the module's own client against the fake, so the two
// stay in agreement about routes, shapes and error bodies.

func newClient(t *testing.T, s *bctest.Server, token string) *bigcommerce.Client {
	t.Helper()
	c, err := bigcommerce.NewClient(s.StoreHash(), token,
		bigcommerce.WithBaseURL(s.URL()),
		bigcommerce.WithRetry(bigcommerce.RetryPolicy{MaxAttempts: 3, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientReadsOrders(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := newClient(t, s, s.Token())
	seeded := mustAddOrder(t, s, fullOrder())

	o, err := c.Orders.Get(t.Context(), seeded.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !o.TotalIncTax.Equal(decimal.RequireFromString("1008.74")) || !o.DateCreated.Equal(t0) || o.StatusID != 11 {
		t.Errorf("order = %+v", o)
	}
	items := o.LineItems()
	if len(items) != 4 || items[0].SKU != "P-1" || !items[1].IsBundleChild() || items[0].IsBundleChild() {
		t.Errorf("line items = %+v", items)
	}
	if got := s.Calls(bctest.RouteGetOrder); got != 1 {
		t.Errorf("Get took %d calls, want 1", got)
	}

	for range 4 {
		mustAddOrder(t, s, bctest.Order{StatusID: 11})
	}
	status := bigcommerce.StatusAwaitingFulfillment
	var ids []int64
	for o, err := range c.Orders.List(t.Context(), bigcommerce.ListOrdersOptions{StatusID: &status, PageSize: 2, MinDateCreated: t0}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if len(ids) != 5 {
		t.Errorf("listed %v, want 5 orders", ids)
	}

	_, err = c.Orders.Get(t.Context(), 999)
	if !errors.Is(err, bigcommerce.ErrNotFound) {
		t.Errorf("missing order err = %v", err)
	}
}

func TestClientSeesFakeErrors(t *testing.T) {
	t.Parallel()
	locked := newServer(t)
	mustAddOrder(t, locked, bctest.Order{})
	if _, err := newClient(t, locked, "wrong-token").Orders.Get(t.Context(), 100); !errors.Is(err, bigcommerce.ErrUnauthorized) {
		t.Errorf("wrong token err = %v", err)
	}

	// The client waits out X-Rate-Limit-Time-Reset-Ms after a 5xx too, so a
	// short window keeps the retry quick.
	s := newServer(t, bctest.WithRateLimit(bctest.DefaultQuota, 20*time.Millisecond))
	mustAddOrder(t, s, bctest.Order{})
	c := newClient(t, s, s.Token())
	if err := s.FailNext(1, bctest.Fault{Route: bctest.RouteGetOrder, Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Orders.Get(t.Context(), 100); err != nil {
		t.Errorf("after one 503: %v", err)
	}
	if got := s.Calls(bctest.RouteGetOrder); got != 2 {
		t.Errorf("calls = %d, want 2 (one retry)", got)
	}
}

func TestClientManagesHooksAndCustomers(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := newClient(t, s, s.Token())
	if _, err := s.AddCustomer(bctest.Customer{Email: "jane@example.com", FirstName: "Jane"}); err != nil {
		t.Fatal(err)
	}
	cust, err := c.Customers.Get(t.Context(), 1)
	if err != nil || cust.Email != "jane@example.com" {
		t.Errorf("customer = %+v, %v", cust, err)
	}
	if _, err := c.Customers.Get(t.Context(), 2); !errors.Is(err, bigcommerce.ErrNotFound) {
		t.Errorf("missing customer err = %v", err)
	}

	in := bigcommerce.WebhookCreate{Scope: "store/order/created", Destination: "https://example.com/hook",
		Headers: map[string]string{"X-Webhook-Secret": "s"}}
	h, err := c.Webhooks.Create(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Webhooks.Create(t.Context(), in); !errors.Is(err, bigcommerce.ErrUnprocessable) {
		t.Errorf("duplicate hook err = %v", err)
	}
	if h, err = c.Webhooks.Disable(t.Context(), h.ID); err != nil || h.IsActive {
		t.Errorf("disable = %+v, %v", h, err)
	}
	if stored, _ := s.Hook(h.ID); stored.IsActive || stored.Headers["X-Webhook-Secret"] != "s" {
		t.Errorf("stored = %+v", stored)
	}
	if _, err := c.Webhooks.Delete(t.Context(), h.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Webhooks.Get(t.Context(), h.ID); !errors.Is(err, bigcommerce.ErrNotFound) {
		t.Errorf("deleted hook err = %v", err)
	}
}

package bctest_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// skus lists the SKUs of the line items, sorted.
func skus(items []bigcommerce.OrderProduct) []string {
	var out []string
	for _, li := range items {
		out = append(out, li.SKU)
	}
	slices.Sort(out)
	return out
}

func seededSKUs(o bctest.Order) []string {
	var out []string
	for _, li := range o.LineItems {
		out = append(out, li.SKU)
	}
	slices.Sort(out)
	return out
}

// An order whose inlined consignments are incomplete is completed from
// /v2/orders/{id}/products, all pages of 250; an order inlined whole costs
// no more than its one call.
func TestClientReadsEveryLineItem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		order        bctest.Order
		productCalls int
	}{
		{"50 lines: one call", bctest.Order{LineItems: manyItems(50, false)}, 0},
		{"120 lines", bctest.Order{LineItems: manyItems(120, false)}, 1},
		{"300 lines and 300 downloads: two pages", bctest.Order{LineItems: manyItems(300, true)}, 3},
		{"inlined items missing", bctest.Order{LineItems: manyItems(3, true), InlinedItemsMissing: true}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			c := newClient(t, s, s.Token())
			for i := range tt.order.LineItems {
				tt.order.LineItems[i].SKU = fmt.Sprint(tt.order.LineItems[i].SKU, "-", i)
			}
			seeded := mustAddOrder(t, s, tt.order)
			o, err := c.Orders.Get(t.Context(), seeded.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := skus(o.LineItems()), seededSKUs(seeded); !slices.Equal(got, want) {
				t.Errorf("%d line items, want %d", len(got), len(want))
			}
			if got := s.Calls(bctest.RouteGetOrder); got != 1 {
				t.Errorf("%d order calls, want 1", got)
			}
			if got := s.Calls(bctest.RouteListOrderProducts); got != tt.productCalls {
				t.Errorf("%d /products calls, want %d", got, tt.productCalls)
			}
		})
	}
}

// The list completes the orders that need it, and only those.
func TestClientListCompletesOnlyIncompleteOrders(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := newClient(t, s, s.Token())
	var want [][]string
	for i, n := range []int{2, 120, 5, 51} {
		items := manyItems(n, false)
		for j := range items {
			items[j].SKU = fmt.Sprintf("o%d-%d", i, j)
		}
		want = append(want, seededSKUs(mustAddOrder(t, s, bctest.Order{LineItems: items})))
	}
	var got [][]string
	for o, err := range c.Orders.List(t.Context(), bigcommerce.ListOrdersOptions{WithLineItems: true}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, skus(o.LineItems()))
	}
	if len(got) != len(want) {
		t.Fatalf("%d orders, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("order %d: %d line items, want %d", i, len(got[i]), len(want[i]))
		}
	}
	if n := s.Calls(bctest.RouteListOrderProducts); n != 2 {
		t.Errorf("%d /products calls, want 2 (the orders of 120 and 51 lines)", n)
	}
	if n := s.Calls(bctest.RouteListOrders); n != 1 {
		t.Errorf("%d list calls, want 1", n)
	}
}

// The client reads at most WithMaxLineItems lines of an order, and never
// the /products pages past that bound.
func TestClientBoundsLineItems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		max          int // 0: the default
		lines        int
		wantErr      bool
		productCalls int
	}{
		{"at the bound", 100, 100, false, 1},
		{"past the bound, read from /products", 100, 120, true, 1},
		{"past the bound when inlined", 10, 20, true, 0},
		{"default bound: 2,000 lines (a full last page asks once more)", 0, 2000, false, 9},
		{"default bound: 2,001 lines", 0, 2001, true, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, bctest.WithRateLimit(1_000_000, time.Minute))
			opts := []bigcommerce.Option{bigcommerce.WithBaseURL(s.URL())}
			if tt.max > 0 {
				opts = append(opts, bigcommerce.WithMaxLineItems(tt.max))
			}
			c, err := bigcommerce.NewClient(s.StoreHash(), s.Token(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			seeded := mustAddOrder(t, s, bctest.Order{LineItems: manyItems(tt.lines, false)})
			o, err := c.Orders.Get(t.Context(), seeded.ID)
			if tt.wantErr {
				if !errors.Is(err, bigcommerce.ErrTooManyLineItems) || bigcommerce.Retryable(err) ||
					!strings.Contains(err.Error(), fmt.Sprintf("order %d", seeded.ID)) {
					t.Errorf("err = %v, want ErrTooManyLineItems naming the order", err)
				}
			} else if err != nil || len(o.LineItems()) != tt.lines {
				t.Errorf("err = %v, %d lines", err, len(o.LineItems()))
			}
			if got := s.Calls(bctest.RouteListOrderProducts); got != tt.productCalls {
				t.Errorf("%d /products calls, want %d", got, tt.productCalls)
			}
		})
	}
	if _, err := bigcommerce.NewClient("abc", "tok", bigcommerce.WithMaxLineItems(0)); err == nil {
		t.Error("WithMaxLineItems(0) accepted")
	}
}

// A client made WithoutLineItems asks for no lines, whatever the order
// holds, so reading an order costs one small call.
func TestClientWithoutLineItems(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c, err := bigcommerce.NewClient(s.StoreHash(), s.Token(), bigcommerce.WithBaseURL(s.URL()), bigcommerce.WithoutLineItems())
	if err != nil {
		t.Fatal(err)
	}
	seeded := mustAddOrder(t, s, bctest.Order{TotalIncTax: "3000.00", LineItems: manyItems(3000, false)})
	o, err := c.Orders.Get(t.Context(), seeded.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.LineItems() != nil || o.Consignments != nil || o.TotalIncTax.String() != "3000" || o.ItemsTotal != 3000 {
		t.Errorf("order %d: %d lines, consignments %v, total %s", o.ID, len(o.LineItems()), o.Consignments, o.TotalIncTax)
	}
	for o, err := range c.Orders.List(t.Context(), bigcommerce.ListOrdersOptions{WithLineItems: true}) {
		if err != nil || o.LineItems() != nil {
			t.Errorf("listed order: %v, %d lines", err, len(o.LineItems()))
		}
	}
	if s.Calls(bctest.RouteListOrderProducts) != 0 || s.TotalCalls() != 2 {
		t.Errorf("%d /products calls, %d calls in all; want 0 and 2", s.Calls(bctest.RouteListOrderProducts), s.TotalCalls())
	}
}

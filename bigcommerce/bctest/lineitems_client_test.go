package bctest_test

import (
	"fmt"
	"slices"
	"testing"

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

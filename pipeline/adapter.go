package pipeline

import (
	"context"
	"errors"
	"iter"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// BigCommerceAdapter serves OrderSource and OrderLister from a
// *bigcommerce.Client. Build it with BigCommerceOrders.
type BigCommerceAdapter struct {
	c *bigcommerce.Client
}

var (
	_ OrderSource = (*BigCommerceAdapter)(nil)
	_ OrderLister = (*BigCommerceAdapter)(nil)
)

// errNoClient is returned by an adapter made over a nil client.
var errNoClient = errors.New("pipeline: no BigCommerce client")

// BigCommerceOrders adapts c to OrderSource and OrderLister. With a nil c
// every call fails with an error instead of panicking.
func BigCommerceOrders(c *bigcommerce.Client) *BigCommerceAdapter {
	return &BigCommerceAdapter{c: c}
}

// GetOrder calls Orders.Get: one request, line items inlined.
func (a *BigCommerceAdapter) GetOrder(ctx context.Context, id int64) (*bigcommerce.Order, error) {
	if a == nil || a.c == nil {
		return nil, errNoClient
	}
	return a.c.Orders.Get(ctx, id)
}

// ListOrders calls Orders.List: one request per page, as the loop advances.
func (a *BigCommerceAdapter) ListOrders(ctx context.Context, opts bigcommerce.ListOrdersOptions) iter.Seq2[bigcommerce.Order, error] {
	if a == nil || a.c == nil {
		return func(yield func(bigcommerce.Order, error) bool) { yield(bigcommerce.Order{}, errNoClient) }
	}
	return a.c.Orders.List(ctx, opts)
}

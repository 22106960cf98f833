package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Order list paging: BigCommerce answers 50 rows per page by default and at
// most 250.
const (
	defaultOrderPageSize = 50
	maxOrderPageSize     = 250
)

// OrdersService reads v2 orders. Get it from Client.Orders.
type OrdersService struct{ c *Client }

// Get returns the order with its line items, in one call when it can:
// GET /v2/orders/{id}?include=consignments.line_items&consignment_structure=object.
// The API inlines at most 50 line items per consignment; when a consignment
// says it was cut short, or the inlined quantities fall short of
// ItemsTotal, Get reads every line from /v2/orders/{id}/products (pages of
// 250) into Order.Products, so that Order.LineItems lists them all. Only the
// orders that need it pay those calls. An order with more lines than the
// client reads (WithMaxLineItems, 2,000 by default) fails with an error
// matching ErrTooManyLineItems; a client made WithoutLineItems asks for no
// lines at all. A missing order is an *APIError matching ErrNotFound; an id
// below 1 is rejected without a call.
func (s *OrdersService) Get(ctx context.Context, id int64) (*Order, error) {
	if err := checkID("order", id); err != nil {
		return nil, err
	}
	q := url.Values{}
	if !s.c.noLines {
		q.Set("include", "consignments.line_items")
		q.Set("consignment_structure", "object")
	}
	var o Order
	path := "/v2/orders/" + strconv.FormatInt(id, 10)
	ok, err := s.c.get(ctx, path, q, &o)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("bigcommerce: GET %s: empty response", path)
	}
	if err := s.completeLineItems(ctx, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// completeLineItems bounds the order's line items and reads them from
// /products when the inlined consignments miss some; for a client without
// line items it drops whatever the answer carried.
func (s *OrdersService) completeLineItems(ctx context.Context, o *Order) error {
	if s.c.noLines {
		o.Consignments, o.Products = nil, nil
		return nil
	}
	if n := len(o.LineItems()); n > s.c.maxLines {
		return s.tooMany(o.ID)
	}
	if !o.inlinedIncomplete() {
		return nil
	}
	items, err := s.Products(ctx, o.ID)
	if errors.Is(err, ErrTooManyLineItems) {
		return err
	}
	if err != nil {
		return fmt.Errorf("bigcommerce: order %d: reading the line items the order did not inline: %w", o.ID, err)
	}
	o.Products = items
	return nil
}

func (s *OrdersService) tooMany(id int64) error {
	return fmt.Errorf("%w: order %d has more than %d, the most this client reads of one order (WithMaxLineItems)",
		ErrTooManyLineItems, id, s.c.maxLines)
}

// Products returns all line items of an order from /v2/orders/{id}/products,
// following pages of 250. Orders.Get calls it for orders the API did not
// inline whole; call it for orders listed without their items. An order
// without items gives an empty slice. An order with more lines than the
// client reads (WithMaxLineItems) fails with an error matching
// ErrTooManyLineItems, without reading the pages past the bound.
func (s *OrdersService) Products(ctx context.Context, id int64) ([]OrderProduct, error) {
	if err := checkID("order", id); err != nil {
		return nil, err
	}
	out := []OrderProduct{}
	for item, err := range paginate(ctx, v2Pages[OrderProduct](s.c, "/v2/orders/"+strconv.FormatInt(id, 10)+"/products", nil, maxOrderPageSize)) {
		if err != nil {
			return nil, err
		}
		if len(out) == s.c.maxLines {
			return nil, s.tooMany(id)
		}
		out = append(out, item)
	}
	return out, nil
}

// ShippingAddresses returns the shipping addresses of an order from
// /v2/orders/{id}/shipping_addresses (one per consignment; none for a
// digital-only order).
func (s *OrdersService) ShippingAddresses(ctx context.Context, id int64) ([]ShippingAddress, error) {
	if err := checkID("order", id); err != nil {
		return nil, err
	}
	return collect[ShippingAddress](ctx, s.c, "/v2/orders/"+strconv.FormatInt(id, 10)+"/shipping_addresses", maxOrderPageSize)
}

// collect reads every page of a v2 list into a slice.
func collect[T any](ctx context.Context, c *Client, path string, limit int) ([]T, error) {
	out := []T{}
	for item, err := range paginate(ctx, v2Pages[T](c, path, nil, limit)) {
		if err != nil {
			return nil, err
		}
		out = append(out, item)
	}
	return out, nil
}

// v2Pages fetches pages of a v2 list, which is a bare JSON array; 204 or []
// is the end.
func v2Pages[T any](c *Client, path string, q url.Values, limit int) pageFunc[T] {
	return func(ctx context.Context, page int) ([]T, bool, error) {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("page", strconv.Itoa(page))
		pq.Set("limit", strconv.Itoa(limit))
		// Sized for a full page, which encoding/json fills in place: grown
		// from nothing, a page of 250 orders (about 1 KB each) would be
		// copied over and over as it doubles.
		items := make([]T, 0, limit)
		if _, err := c.get(ctx, path, pq, &items); err != nil {
			return nil, false, err
		}
		return items, len(items) >= limit, nil
	}
}

// ListOrdersOptions filters and sorts Orders.List. The zero value lists
// every order, 50 per page, in the API's default order (by id ascending).
type ListOrdersOptions struct {
	// MinID and MaxID bound the order id (inclusive); 0 means unbounded.
	MinID, MaxID int64
	// StatusID keeps orders in one status; nil means any. A pointer because
	// 0 (Incomplete) is a real status.
	StatusID *StatusID
	// CustomerID keeps the orders of one registered customer; 0 means any
	// (the API cannot filter guest orders this way).
	CustomerID int64
	// Email keeps orders whose customer e-mail matches.
	Email string
	// ChannelID keeps orders of one sales channel; 0 means any.
	ChannelID int64
	// Date bounds (inclusive); the zero time means unbounded. They are sent
	// in RFC 1123 with a numeric zone, in UTC, one of the two formats the
	// API documents (RFC 2822 and ISO 8601).
	MinDateCreated, MaxDateCreated   time.Time
	MinDateModified, MaxDateModified time.Time
	// Sort is "field:direction", for example "date_modified:asc" or
	// "id:desc"; empty means the API default.
	Sort string
	// WithLineItems inlines each order's consignments and line items, as
	// Orders.Get does, so a page costs one call for all its items; an order
	// whose inlined items are incomplete (more than 50 in a consignment)
	// costs the calls to read them from /v2/orders/{id}/products, and an
	// order with too many fails the listing, as in Orders.Get. A client made
	// WithoutLineItems ignores it.
	WithLineItems bool
	// PageSize is the number of orders per request: 1 to 250, default 50.
	PageSize int
}

func (o ListOrdersOptions) query() url.Values {
	q := url.Values{}
	setInt := func(k string, v int64) {
		if v != 0 {
			q.Set(k, strconv.FormatInt(v, 10))
		}
	}
	setTime := func(k string, t time.Time) {
		if !t.IsZero() {
			q.Set(k, t.UTC().Format(time.RFC1123Z))
		}
	}
	setInt("min_id", o.MinID)
	setInt("max_id", o.MaxID)
	if o.StatusID != nil {
		q.Set("status_id", strconv.Itoa(int(*o.StatusID)))
	}
	setInt("customer_id", o.CustomerID)
	setInt("channel_id", o.ChannelID)
	if o.Email != "" {
		q.Set("email", o.Email)
	}
	setTime("min_date_created", o.MinDateCreated)
	setTime("max_date_created", o.MaxDateCreated)
	setTime("min_date_modified", o.MinDateModified)
	setTime("max_date_modified", o.MaxDateModified)
	if o.Sort != "" {
		q.Set("sort", o.Sort)
	}
	if o.WithLineItems {
		q.Set("include", "consignments.line_items")
		q.Set("consignment_structure", "object")
	}
	return q
}

// List returns an iterator over the orders matching opts, fetching page
// after page (page/limit) as the loop advances. An empty result (204 or [])
// yields nothing. An error is yielded once and ends the loop; breaking out
// early stops further requests.
//
//	for o, err := range c.Orders.List(ctx, opts) {
//		if err != nil { return err }
//		...
//	}
func (s *OrdersService) List(ctx context.Context, opts ListOrdersOptions) iter.Seq2[Order, error] {
	limit := clampLimit(opts.PageSize, defaultOrderPageSize, maxOrderPageSize)
	if s.c.noLines {
		opts.WithLineItems = false
	}
	orders := paginate(ctx, v2Pages[Order](s.c, "/v2/orders", opts.query(), limit))
	if !opts.WithLineItems && !s.c.noLines {
		return orders
	}
	return func(yield func(Order, error) bool) {
		for o, err := range orders {
			if err == nil {
				err = s.completeLineItems(ctx, &o)
			}
			if err != nil {
				yield(Order{}, err)
				return
			}
			if !yield(o, nil) {
				return
			}
		}
	}
}

// ShippingAddress is one shipping address of an order (a row of
// /v2/orders/{id}/shipping_addresses): an Address plus what the shipment
// carries. Money fields are exact decimals.
type ShippingAddress struct {
	Address
	ID             int64  `json:"id"`
	OrderID        int64  `json:"order_id"`
	ItemsTotal     int    `json:"items_total"`
	ItemsShipped   int    `json:"items_shipped"`
	ShippingMethod string `json:"shipping_method"`

	BaseCost           decimal.Decimal `json:"base_cost"`
	CostExTax          decimal.Decimal `json:"cost_ex_tax"`
	CostIncTax         decimal.Decimal `json:"cost_inc_tax"`
	CostTax            decimal.Decimal `json:"cost_tax"`
	BaseHandlingCost   decimal.Decimal `json:"base_handling_cost"`
	HandlingCostExTax  decimal.Decimal `json:"handling_cost_ex_tax"`
	HandlingCostIncTax decimal.Decimal `json:"handling_cost_inc_tax"`
	HandlingCostTax    decimal.Decimal `json:"handling_cost_tax"`
}

// UnmarshalJSON decodes a shipping address. Its id is essential: a number,
// a string of one or null, else a *FieldError. Everything else decodes
// whatever type it arrives as, an unusable value leaving the field zero: the
// Address part as Address does, counts from numbers or strings of them, and
// money from a string, a number, "" or null.
func (a *ShippingAddress) UnmarshalJSON(b []byte) error {
	var items, shipped looseInt
	aux := struct {
		ID                 field         `json:"id"`
		OrderID            *looseInt     `json:"order_id"`
		ItemsTotal         *looseInt     `json:"items_total"`
		ItemsShipped       *looseInt     `json:"items_shipped"`
		ShippingMethod     *looseString  `json:"shipping_method"`
		BaseCost           *looseDecimal `json:"base_cost"`
		CostExTax          *looseDecimal `json:"cost_ex_tax"`
		CostIncTax         *looseDecimal `json:"cost_inc_tax"`
		CostTax            *looseDecimal `json:"cost_tax"`
		BaseHandlingCost   *looseDecimal `json:"base_handling_cost"`
		HandlingCostExTax  *looseDecimal `json:"handling_cost_ex_tax"`
		HandlingCostIncTax *looseDecimal `json:"handling_cost_inc_tax"`
		HandlingCostTax    *looseDecimal `json:"handling_cost_tax"`
	}{
		ID:                 field{"id", (*lenientInt)(&a.ID)},
		OrderID:            (*looseInt)(&a.OrderID),
		ItemsTotal:         &items,
		ItemsShipped:       &shipped,
		ShippingMethod:     (*looseString)(&a.ShippingMethod),
		BaseCost:           (*looseDecimal)(&a.BaseCost),
		CostExTax:          (*looseDecimal)(&a.CostExTax),
		CostIncTax:         (*looseDecimal)(&a.CostIncTax),
		CostTax:            (*looseDecimal)(&a.CostTax),
		BaseHandlingCost:   (*looseDecimal)(&a.BaseHandlingCost),
		HandlingCostExTax:  (*looseDecimal)(&a.HandlingCostExTax),
		HandlingCostIncTax: (*looseDecimal)(&a.HandlingCostIncTax),
		HandlingCostTax:    (*looseDecimal)(&a.HandlingCostTax),
	}
	if err := a.Address.UnmarshalJSON(b); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.ItemsTotal, a.ItemsShipped = int(items), int(shipped)
	return nil
}

// errInvalidID is wrapped by the error for an id below 1.
var errInvalidID = errors.New("id must be 1 or more")

func checkID(kind string, id int64) error {
	if id < 1 {
		return fmt.Errorf("bigcommerce: %s %d: %w", kind, id, errInvalidID)
	}
	return nil
}

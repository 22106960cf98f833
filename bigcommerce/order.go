package bigcommerce

import (
	"time"

	"github.com/shopspring/decimal"
)

// StatusID is the numeric id of an order status. Merchants can relabel
// statuses, so code should key on the id, never on the label.
type StatusID int

// The order status ids of the v2 Orders API.
const (
	StatusIncomplete                 StatusID = 0
	StatusPending                    StatusID = 1
	StatusShipped                    StatusID = 2
	StatusPartiallyShipped           StatusID = 3
	StatusRefunded                   StatusID = 4
	StatusCancelled                  StatusID = 5
	StatusDeclined                   StatusID = 6
	StatusAwaitingPayment            StatusID = 7
	StatusAwaitingPickup             StatusID = 8
	StatusAwaitingShipment           StatusID = 9
	StatusCompleted                  StatusID = 10
	StatusAwaitingFulfillment        StatusID = 11
	StatusManualVerificationRequired StatusID = 12
	StatusDisputed                   StatusID = 13
	StatusPartiallyRefunded          StatusID = 14
)

// Order is a v2 order. Money fields are exact decimals; dates are parsed
// from the v2 wire format (RFC 1123 with a numeric zone) and an empty date
// (for example date_shipped of an order not yet shipped) is the zero time.
//
// A guest order has CustomerID 0; its buyer's e-mail lives only in
// BillingAddress.Email.
type Order struct {
	ID           int64     `json:"id"`
	CustomerID   int64     `json:"customer_id"`
	DateCreated  time.Time `json:"date_created"`
	DateModified time.Time `json:"date_modified"`
	DateShipped  time.Time `json:"date_shipped"`
	StatusID     StatusID  `json:"status_id"`
	Status       string    `json:"status"`
	CustomStatus string    `json:"custom_status"`

	SubtotalExTax         decimal.Decimal `json:"subtotal_ex_tax"`
	SubtotalIncTax        decimal.Decimal `json:"subtotal_inc_tax"`
	SubtotalTax           decimal.Decimal `json:"subtotal_tax"`
	BaseShippingCost      decimal.Decimal `json:"base_shipping_cost"`
	ShippingCostExTax     decimal.Decimal `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax    decimal.Decimal `json:"shipping_cost_inc_tax"`
	ShippingCostTax       decimal.Decimal `json:"shipping_cost_tax"`
	HandlingCostExTax     decimal.Decimal `json:"handling_cost_ex_tax"`
	HandlingCostIncTax    decimal.Decimal `json:"handling_cost_inc_tax"`
	HandlingCostTax       decimal.Decimal `json:"handling_cost_tax"`
	WrappingCostExTax     decimal.Decimal `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax    decimal.Decimal `json:"wrapping_cost_inc_tax"`
	WrappingCostTax       decimal.Decimal `json:"wrapping_cost_tax"`
	TotalExTax            decimal.Decimal `json:"total_ex_tax"`
	TotalIncTax           decimal.Decimal `json:"total_inc_tax"`
	TotalTax              decimal.Decimal `json:"total_tax"`
	RefundedAmount        decimal.Decimal `json:"refunded_amount"`
	StoreCreditAmount     decimal.Decimal `json:"store_credit_amount"`
	GiftCertificateAmount decimal.Decimal `json:"gift_certificate_amount"`
	DiscountAmount        decimal.Decimal `json:"discount_amount"`
	CouponDiscount        decimal.Decimal `json:"coupon_discount"`

	ItemsTotal            int    `json:"items_total"`
	ItemsShipped          int    `json:"items_shipped"`
	IsTaxInclusivePricing bool   `json:"is_tax_inclusive_pricing"`
	PaymentMethod         string `json:"payment_method"`
	// PaymentProviderID is sent as a string or a number; it decodes either way.
	PaymentProviderID string `json:"payment_provider_id"`
	PaymentStatus     string `json:"payment_status"`

	// CurrencyCode is the display currency; DefaultCurrencyCode is the
	// transactional currency the shopper paid in (the one to report).
	CurrencyID           int64           `json:"currency_id"`
	CurrencyCode         string          `json:"currency_code"`
	CurrencyExchangeRate decimal.Decimal `json:"currency_exchange_rate"`
	DefaultCurrencyID    int64           `json:"default_currency_id"`
	DefaultCurrencyCode  string          `json:"default_currency_code"`

	OrderSource     string `json:"order_source"`
	ChannelID       int64  `json:"channel_id"`
	ExternalSource  string `json:"external_source"`
	ExternalID      string `json:"external_id"`
	ExternalOrderID string `json:"external_order_id"`
	CustomerMessage string `json:"customer_message"`
	StaffNotes      string `json:"staff_notes"`
	CartID          string `json:"cart_id"`
	IsDeleted       bool   `json:"is_deleted"`
	CustomerLocale  string `json:"customer_locale"`

	BillingAddress Address `json:"billing_address"`

	// Consignments is present when the order was fetched with its line items
	// inlined (Orders.Get does that); nil otherwise. The API inlines at most
	// 50 line items per consignment (see Consignment.Warning).
	Consignments *Consignments `json:"consignments,omitempty"`

	// Products holds every line item of the order, as
	// /v2/orders/{id}/products lists them, when the client had to read them
	// there because the inlined consignments were incomplete: a consignment
	// carried a __warning__, or their quantities fell short of ItemsTotal.
	// It is nil otherwise. The API sends a {url, resource} link under the
	// same key, which decodes as nil.
	Products []OrderProduct `json:"products,omitempty"`
}

// Address is a postal address of an order: its billing address, and the
// part every ShippingAddress shares with it. On a guest order the billing
// address is the only place the buyer's e-mail appears.
//
// Every field is optional and decodes whatever JSON type it arrives as: a
// string, a number (a numeric zip or phone keeps its literal text), a
// boolean, null or missing; an object or an array where text belongs is
// dropped, as is a form_fields value that is not a list. An address that is
// not a JSON object at all decodes as the zero Address.
type Address struct {
	FirstName   string      `json:"first_name"`
	LastName    string      `json:"last_name"`
	Company     string      `json:"company"`
	Street1     string      `json:"street_1"`
	Street2     string      `json:"street_2"`
	City        string      `json:"city"`
	State       string      `json:"state"`
	Zip         string      `json:"zip"`
	Country     string      `json:"country"`
	CountryISO2 string      `json:"country_iso2"`
	Phone       string      `json:"phone"`
	Email       string      `json:"email"`
	FormFields  []FormField `json:"form_fields,omitempty"`
}

// FormField is a custom form field captured with an address. Value keeps
// the field's JSON value as encoding/json decodes into an any.
type FormField struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// Consignments groups an order's line items by how they are fulfilled, as
// returned with consignment_structure=object.
type Consignments struct {
	Shipping  []Consignment `json:"shipping,omitempty"`
	Pickups   []Consignment `json:"pickups,omitempty"`
	Downloads []Consignment `json:"downloads,omitempty"`
	Email     *struct {
		GiftCertificates []Consignment `json:"gift_certificates,omitempty"`
	} `json:"email,omitempty"`
}

// Consignment is one group of line items with a common fulfilment.
type Consignment struct {
	ID        int64          `json:"id"`
	LineItems []OrderProduct `json:"line_items"`
	// Warning is the API's __warning__, set when it cut LineItems short: it
	// inlines at most 50 line items per consignment (bigcommerce/docs#960).
	Warning *ConsignmentWarning `json:"__warning__,omitempty"`
}

// ConsignmentWarning is the __warning__ object of a consignment whose line
// items the API did not all inline.
type ConsignmentWarning struct {
	Message string `json:"message"`
}

// OrderProduct is one line item of an order (a row of /v2/orders/{id}/products).
//
// A bundle child has a non-zero ParentOrderProductID and a zero price; it is
// not revenue on its own (see IsBundleChild). A custom product has ProductID 0
// and no variant.
type OrderProduct struct {
	ID                   int64  `json:"id"`
	OrderID              int64  `json:"order_id"`
	ProductID            int64  `json:"product_id"`
	VariantID            int64  `json:"variant_id"`
	OrderAddressID       int64  `json:"order_address_id"`
	ParentOrderProductID int64  `json:"parent_order_product_id"`
	Name                 string `json:"name"`
	NameCustomer         string `json:"name_customer"`
	NameMerchant         string `json:"name_merchant"`
	SKU                  string `json:"sku"`
	UPC                  string `json:"upc"`
	Type                 string `json:"type"`

	BasePrice             decimal.Decimal `json:"base_price"`
	PriceExTax            decimal.Decimal `json:"price_ex_tax"`
	PriceIncTax           decimal.Decimal `json:"price_inc_tax"`
	PriceTax              decimal.Decimal `json:"price_tax"`
	BaseTotal             decimal.Decimal `json:"base_total"`
	TotalExTax            decimal.Decimal `json:"total_ex_tax"`
	TotalIncTax           decimal.Decimal `json:"total_inc_tax"`
	TotalTax              decimal.Decimal `json:"total_tax"`
	DiscountedTotalIncTax decimal.Decimal `json:"discounted_total_inc_tax"`

	Quantity         int             `json:"quantity"`
	QuantityShipped  int             `json:"quantity_shipped"`
	QuantityRefunded int             `json:"quantity_refunded"`
	IsRefunded       bool            `json:"is_refunded"`
	RefundAmount     decimal.Decimal `json:"refund_amount"`
	IsBundledProduct bool            `json:"is_bundled_product"`
}

// IsBundleChild reports whether the line is a component of a bundle: it has
// a parent line and carries no price of its own.
func (p OrderProduct) IsBundleChild() bool {
	return p.ParentOrderProductID != 0
}

// LineItems returns every line item of the order: Products when the client
// read them from /v2/orders/{id}/products, else the items of all
// consignments (shipping, pickups, downloads, then e-mailed gift
// certificates, in that order). It returns nil when the order was fetched
// without its line items.
func (o *Order) LineItems() []OrderProduct {
	if o.Products != nil {
		return o.Products
	}
	c := o.Consignments
	if c == nil {
		return nil
	}
	var items []OrderProduct
	c.each(func(cons *Consignment) { items = append(items, cons.LineItems...) })
	return items
}

// each calls f with every consignment, in the order LineItems lists them.
func (c *Consignments) each(f func(*Consignment)) {
	for _, group := range [][]Consignment{c.Shipping, c.Pickups, c.Downloads} {
		for i := range group {
			f(&group[i])
		}
	}
	if c.Email != nil {
		for i := range c.Email.GiftCertificates {
			f(&c.Email.GiftCertificates[i])
		}
	}
}

// inlinedIncomplete reports whether the consignments miss line items the
// order has: a consignment says so in its __warning__, or the quantities
// inlined fall short of ItemsTotal (some orders come back with empty
// consignment line_items while /products lists them, bigcommerce/dev-docs
// #2052; an order without consignments inlines nothing).
func (o *Order) inlinedIncomplete() bool {
	quantity, warned := 0, false
	if o.Consignments != nil {
		o.Consignments.each(func(cons *Consignment) {
			warned = warned || cons.Warning != nil
			for _, li := range cons.LineItems {
				quantity += li.Quantity
			}
		})
	}
	return warned || quantity < o.ItemsTotal
}

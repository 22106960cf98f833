package bctest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"
)

// Order is a v2 order as the fake stores it. Money fields are decimal
// strings exactly as on the wire ("62.6793", "8"); an empty money field is
// served as "0.0000". Dates are kept to the second, in UTC, and served in
// the v2 format (RFC 1123 with a numeric zone); a zero DateShipped is
// served as "".
//
// The JSON tags name the wire fields; the dates, shipping addresses and line
// items are rendered separately because their wire form differs from the
// Go value.
type Order struct {
	ID           int64     `json:"id"`
	CustomerID   int64     `json:"customer_id"` // 0 for a guest order
	DateCreated  time.Time `json:"-"`
	DateModified time.Time `json:"-"`
	DateShipped  time.Time `json:"-"`
	StatusID     int       `json:"status_id"`
	Status       string    `json:"status"`        // default: the label of StatusID
	CustomStatus string    `json:"custom_status"` // default: Status

	SubtotalExTax         string `json:"subtotal_ex_tax"`
	SubtotalIncTax        string `json:"subtotal_inc_tax"`
	SubtotalTax           string `json:"subtotal_tax"`
	BaseShippingCost      string `json:"base_shipping_cost"`
	ShippingCostExTax     string `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax    string `json:"shipping_cost_inc_tax"`
	ShippingCostTax       string `json:"shipping_cost_tax"`
	BaseHandlingCost      string `json:"base_handling_cost"`
	HandlingCostExTax     string `json:"handling_cost_ex_tax"`
	HandlingCostIncTax    string `json:"handling_cost_inc_tax"`
	HandlingCostTax       string `json:"handling_cost_tax"`
	BaseWrappingCost      string `json:"base_wrapping_cost"`
	WrappingCostExTax     string `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax    string `json:"wrapping_cost_inc_tax"`
	WrappingCostTax       string `json:"wrapping_cost_tax"`
	TotalExTax            string `json:"total_ex_tax"`
	TotalIncTax           string `json:"total_inc_tax"`
	TotalTax              string `json:"total_tax"`
	RefundedAmount        string `json:"refunded_amount"`
	StoreCreditAmount     string `json:"store_credit_amount"`
	GiftCertificateAmount string `json:"gift_certificate_amount"`
	DiscountAmount        string `json:"discount_amount"`
	CouponDiscount        string `json:"coupon_discount"`

	ItemsTotal            int    `json:"items_total"` // default: the sum of the line items' quantities
	ItemsShipped          int    `json:"items_shipped"`
	IsTaxInclusivePricing bool   `json:"is_tax_inclusive_pricing"`
	PaymentMethod         string `json:"payment_method"`
	PaymentProviderID     string `json:"payment_provider_id"`
	PaymentStatus         string `json:"payment_status"`

	CurrencyID           int64  `json:"currency_id"`            // default 1
	CurrencyCode         string `json:"currency_code"`          // default "USD"
	CurrencyExchangeRate string `json:"currency_exchange_rate"` // default "1.0000000000"
	DefaultCurrencyID    int64  `json:"default_currency_id"`    // default 1
	DefaultCurrencyCode  string `json:"default_currency_code"`  // default "USD"

	OrderSource     string `json:"order_source"` // default "external"
	ChannelID       int64  `json:"channel_id"`   // default 1
	ExternalSource  string `json:"external_source"`
	ExternalID      string `json:"external_id"`
	ExternalOrderID string `json:"external_order_id"`
	CustomerMessage string `json:"customer_message"`
	StaffNotes      string `json:"staff_notes"`
	CartID          string `json:"cart_id"`
	IsDeleted       bool   `json:"is_deleted"`
	CustomerLocale  string `json:"customer_locale"` // default "en"

	BillingAddress Address `json:"billing_address"`

	// ShippingAddresses are served by /v2/orders/{id}/shipping_addresses and
	// as the shipping consignments. When an order has physical line items
	// but no shipping address, AddOrder ships to the billing address.
	ShippingAddresses []ShippingAddress `json:"-"`
	// LineItems are served by /v2/orders/{id}/products and inside the
	// consignments: physical items in the shipping consignment their
	// OrderAddressID names, digital ones in downloads, gift certificates in
	// email.gift_certificates.
	LineItems []LineItem `json:"-"`
	// InlinedItemsMissing serves this order's consignments with empty
	// line_items lists when include=consignments.line_items asks for them,
	// as some real orders come back (bigcommerce/dev-docs#2052), while
	// /v2/orders/{id}/products still lists every item. Default false.
	InlinedItemsMissing bool `json:"-"`
}

// Address is a postal address with the buyer's contact details. On a guest
// order the billing address is the only place the buyer's e-mail appears.
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
	FormFields  []FormField `json:"form_fields"`
}

// FormField is a custom form field captured with an address.
type FormField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ShippingAddress is one destination of an order (one shipping
// consignment). Its ID is assigned by AddOrder when zero. Money fields
// follow the rules of Order.
type ShippingAddress struct {
	ID int64 `json:"id"`
	Address
	ShippingMethod     string `json:"shipping_method"`
	BaseCost           string `json:"base_cost"`
	CostExTax          string `json:"cost_ex_tax"`
	CostIncTax         string `json:"cost_inc_tax"`
	CostTax            string `json:"cost_tax"`
	BaseHandlingCost   string `json:"base_handling_cost"`
	HandlingCostExTax  string `json:"handling_cost_ex_tax"`
	HandlingCostIncTax string `json:"handling_cost_inc_tax"`
	HandlingCostTax    string `json:"handling_cost_tax"`
	ShippingZoneID     int64  `json:"shipping_zone_id"`
	ShippingZoneName   string `json:"shipping_zone_name"`
	ItemsTotal         int    `json:"items_total"` // default: the quantities of the items shipped here
	ItemsShipped       int    `json:"items_shipped"`
}

// The line item types of the v2 API.
const (
	TypePhysical        = "physical"
	TypeDigital         = "digital"
	TypeGiftCertificate = "giftcertificate"
)

// LineItem is one row of /v2/orders/{id}/products. Its ID is assigned by
// AddOrder when zero. Type defaults to TypePhysical; NameCustomer and
// NameMerchant default to Name; money fields follow the rules of Order.
//
// A bundle child has a non-zero ParentOrderProductID and zero prices; a
// zero ParentOrderProductID is served as null, as the real API does.
type LineItem struct {
	ID                   int64  `json:"id"`
	ProductID            int64  `json:"product_id"` // 0 for a custom product
	VariantID            int64  `json:"variant_id"`
	OrderAddressID       int64  `json:"order_address_id"` // default: the first shipping address, for physical items
	ParentOrderProductID int64  `json:"-"`
	Name                 string `json:"name"`
	NameCustomer         string `json:"name_customer"`
	NameMerchant         string `json:"name_merchant"`
	SKU                  string `json:"sku"`
	UPC                  string `json:"upc"`
	Type                 string `json:"type"`

	BasePrice             string `json:"base_price"`
	PriceExTax            string `json:"price_ex_tax"`
	PriceIncTax           string `json:"price_inc_tax"`
	PriceTax              string `json:"price_tax"`
	BaseTotal             string `json:"base_total"`
	TotalExTax            string `json:"total_ex_tax"`
	TotalIncTax           string `json:"total_inc_tax"`
	TotalTax              string `json:"total_tax"`
	DiscountedTotalIncTax string `json:"discounted_total_inc_tax"`

	Quantity         int    `json:"quantity"`
	QuantityShipped  int    `json:"quantity_shipped"`
	QuantityRefunded int    `json:"quantity_refunded"`
	IsRefunded       bool   `json:"is_refunded"`
	RefundAmount     string `json:"refund_amount"`
	IsBundledProduct bool   `json:"is_bundled_product"`
}

// Customer is a v3 customer. Email is required. Dates are served in
// RFC 3339 (UTC, to the second); zero dates default to the time of
// AddCustomer.
type Customer struct {
	ID                    int64     `json:"id"`
	Email                 string    `json:"email"`
	FirstName             string    `json:"first_name"`
	LastName              string    `json:"last_name"`
	Company               string    `json:"company"`
	Phone                 string    `json:"phone"`
	Notes                 string    `json:"notes"`
	TaxExemptCategory     string    `json:"tax_exempt_category"`
	CustomerGroupID       int64     `json:"customer_group_id"`
	RegistrationIPAddress string    `json:"registration_ip_address"`
	ChannelIDs            []int64   `json:"channel_ids"`
	DateCreated           time.Time `json:"-"`
	DateModified          time.Time `json:"-"`
	// Addresses are served with include=addresses; AddCustomerAddress adds
	// one and assigns its id.
	Addresses []CustomerAddress `json:"-"`
}

// Hook is a v3 webhook subscription, with the JSON shape of webhook_Full.
// Headers are sent back verbatim on every delivery; a nil map is served as
// null. CreatedAt and UpdatedAt are Unix seconds.
type Hook struct {
	ID          int64             `json:"id"`
	ClientID    string            `json:"client_id"`
	StoreHash   string            `json:"store_hash"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
	CreatedAt   int64             `json:"created_at"`
	UpdatedAt   int64             `json:"updated_at"`
}

// statusLabels are the default labels of the v2 order statuses.
var statusLabels = [...]string{
	"Incomplete", "Pending", "Shipped", "Partially Shipped", "Refunded",
	"Cancelled", "Declined", "Awaiting Payment", "Awaiting Pickup",
	"Awaiting Shipment", "Completed", "Awaiting Fulfillment",
	"Manual Verification Required", "Disputed", "Partially Refunded",
}

// StatusLabel returns the default label of a v2 order status id (0
// "Incomplete" to 14 "Partially Refunded"), or "" for any other id.
func StatusLabel(statusID int) string {
	if statusID < 0 || statusID >= len(statusLabels) {
		return ""
	}
	return statusLabels[statusID]
}

var decimalText = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// money checks one money field and fills the wire default.
func money(field string, v *string) error {
	if *v == "" {
		*v = "0.0000"
		return nil
	}
	if !decimalText.MatchString(*v) {
		return fmt.Errorf("%w: %s %q is not a decimal string", ErrInvalid, field, *v)
	}
	return nil
}

// moneyFields lists an order's money fields by wire name.
func (o *Order) moneyFields() map[string]*string {
	return map[string]*string{
		"subtotal_ex_tax": &o.SubtotalExTax, "subtotal_inc_tax": &o.SubtotalIncTax, "subtotal_tax": &o.SubtotalTax,
		"base_shipping_cost": &o.BaseShippingCost, "shipping_cost_ex_tax": &o.ShippingCostExTax,
		"shipping_cost_inc_tax": &o.ShippingCostIncTax, "shipping_cost_tax": &o.ShippingCostTax,
		"base_handling_cost": &o.BaseHandlingCost, "handling_cost_ex_tax": &o.HandlingCostExTax,
		"handling_cost_inc_tax": &o.HandlingCostIncTax, "handling_cost_tax": &o.HandlingCostTax,
		"base_wrapping_cost": &o.BaseWrappingCost, "wrapping_cost_ex_tax": &o.WrappingCostExTax,
		"wrapping_cost_inc_tax": &o.WrappingCostIncTax, "wrapping_cost_tax": &o.WrappingCostTax,
		"total_ex_tax": &o.TotalExTax, "total_inc_tax": &o.TotalIncTax, "total_tax": &o.TotalTax,
		"refunded_amount": &o.RefundedAmount, "store_credit_amount": &o.StoreCreditAmount,
		"gift_certificate_amount": &o.GiftCertificateAmount, "discount_amount": &o.DiscountAmount,
		"coupon_discount": &o.CouponDiscount,
	}
}

func (a *ShippingAddress) moneyFields() map[string]*string {
	return map[string]*string{
		"base_cost": &a.BaseCost, "cost_ex_tax": &a.CostExTax, "cost_inc_tax": &a.CostIncTax, "cost_tax": &a.CostTax,
		"base_handling_cost": &a.BaseHandlingCost, "handling_cost_ex_tax": &a.HandlingCostExTax,
		"handling_cost_inc_tax": &a.HandlingCostIncTax, "handling_cost_tax": &a.HandlingCostTax,
	}
}

func (li *LineItem) moneyFields() map[string]*string {
	return map[string]*string{
		"base_price": &li.BasePrice, "price_ex_tax": &li.PriceExTax, "price_inc_tax": &li.PriceIncTax,
		"price_tax": &li.PriceTax, "base_total": &li.BaseTotal, "total_ex_tax": &li.TotalExTax,
		"total_inc_tax": &li.TotalIncTax, "total_tax": &li.TotalTax,
		"discounted_total_inc_tax": &li.DiscountedTotalIncTax, "refund_amount": &li.RefundAmount,
	}
}

// checkMoney validates and defaults every field of fields, naming the
// first bad one (in wire-name order, so the error is stable).
func checkMoney(prefix string, fields map[string]*string) error {
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if err := money(prefix+name, fields[name]); err != nil {
			return err
		}
	}
	return nil
}

// clone returns a deep copy, so callers never share slices with the store.
func (o Order) clone() Order {
	o.BillingAddress.FormFields = slices.Clone(o.BillingAddress.FormFields)
	o.ShippingAddresses = slices.Clone(o.ShippingAddresses)
	for i := range o.ShippingAddresses {
		o.ShippingAddresses[i].FormFields = slices.Clone(o.ShippingAddresses[i].FormFields)
	}
	o.LineItems = slices.Clone(o.LineItems)
	return o
}

func (c Customer) clone() Customer {
	c.ChannelIDs = slices.Clone(c.ChannelIDs)
	c.Addresses = slices.Clone(c.Addresses)
	return c
}

func (h Hook) clone() Hook {
	h.Headers = maps.Clone(h.Headers)
	return h
}

package bigcommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/shopspring/decimal"
)

// An order decodes whatever JSON type each field arrives as, because the v2
// API is loosely typed in practice. The fields bc2sf cannot do without are
// essential: the order's id, customer id, status id, creation and
// modification dates and money, and a line item's ids, quantity and money.
// They accept every form that carries their value (a number or a string of
// one, "" or null for zero) and otherwise fail the decode with a
// *FieldError naming the field. Every other field is optional: a value of
// an unusable type leaves it zero rather than fail the order.

// UnmarshalJSON decodes a v2 order. The essential fields (id, customer_id,
// status_id, date_created, date_modified and every money field) take a
// number, a string of one, "" or null (zero), and dates RFC 1123 with a
// numeric zone ("" is the zero time); another value fails with a
// *FieldError naming the field. Every other field decodes whatever type it
// arrives as: text from a string, a number or a boolean; a number from a
// string of one; and zero from anything unusable, such as an object where
// text belongs. Consignments are read in the object structure; the legacy
// array of links, or anything else, leaves them nil. Unknown fields are
// ignored. A value that is not a JSON object is an error.
func (o *Order) UnmarshalJSON(b []byte) error {
	if !isObject(b) {
		*o = Order{}
		return errNotOrder
	}
	if o.decodeFast(b) == nil {
		return nil
	}
	return o.decodeLoose(b)
}

// decodeFast decodes an order whose optional fields have their usual types
// in one pass, with encoding/json's own decoders for them. Any surprise
// makes it fail, and decodeLoose takes over.
func (o *Order) decodeFast(b []byte) error {
	*o = Order{}
	var statusID lenientInt
	aux := fastOrder{
		plainOrder:   (*plainOrder)(o),
		ID:           (*lenientInt)(&o.ID),
		CustomerID:   (*lenientInt)(&o.CustomerID),
		StatusID:     &statusID,
		DateCreated:  (*v2Time)(&o.DateCreated),
		DateModified: (*v2Time)(&o.DateModified),
		DateShipped:  (*v2Time)(&o.DateShipped),

		ChannelID:         (*lenientInt)(&o.ChannelID),
		CurrencyID:        (*lenientInt)(&o.CurrencyID),
		DefaultCurrencyID: (*lenientInt)(&o.DefaultCurrencyID),
		PaymentProviderID: (*lenientString)(&o.PaymentProviderID),
		ExternalSource:    (*lenientString)(&o.ExternalSource),
		ExternalID:        (*lenientString)(&o.ExternalID),
		ExternalOrderID:   (*lenientString)(&o.ExternalOrderID),
		CartID:            (*lenientString)(&o.CartID),

		SubtotalExTax:         (*lenientDecimal)(&o.SubtotalExTax),
		SubtotalIncTax:        (*lenientDecimal)(&o.SubtotalIncTax),
		SubtotalTax:           (*lenientDecimal)(&o.SubtotalTax),
		BaseShippingCost:      (*lenientDecimal)(&o.BaseShippingCost),
		ShippingCostExTax:     (*lenientDecimal)(&o.ShippingCostExTax),
		ShippingCostIncTax:    (*lenientDecimal)(&o.ShippingCostIncTax),
		ShippingCostTax:       (*lenientDecimal)(&o.ShippingCostTax),
		HandlingCostExTax:     (*lenientDecimal)(&o.HandlingCostExTax),
		HandlingCostIncTax:    (*lenientDecimal)(&o.HandlingCostIncTax),
		HandlingCostTax:       (*lenientDecimal)(&o.HandlingCostTax),
		WrappingCostExTax:     (*lenientDecimal)(&o.WrappingCostExTax),
		WrappingCostIncTax:    (*lenientDecimal)(&o.WrappingCostIncTax),
		WrappingCostTax:       (*lenientDecimal)(&o.WrappingCostTax),
		TotalExTax:            (*lenientDecimal)(&o.TotalExTax),
		TotalIncTax:           (*lenientDecimal)(&o.TotalIncTax),
		TotalTax:              (*lenientDecimal)(&o.TotalTax),
		RefundedAmount:        (*lenientDecimal)(&o.RefundedAmount),
		StoreCreditAmount:     (*lenientDecimal)(&o.StoreCreditAmount),
		GiftCertificateAmount: (*lenientDecimal)(&o.GiftCertificateAmount),
		DiscountAmount:        (*lenientDecimal)(&o.DiscountAmount),
		CouponDiscount:        (*lenientDecimal)(&o.CouponDiscount),
		CurrencyExchangeRate:  (*lenientDecimal)(&o.CurrencyExchangeRate),
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	o.StatusID = StatusID(statusID)
	if aux.Consignments != nil {
		o.Consignments = aux.Consignments.model()
	}
	if aux.Products != nil {
		o.Products = aux.Products.rows
	}
	return nil
}

// plainOrder is Order without its methods, so decoding into it does not
// recurse into Order.UnmarshalJSON.
type plainOrder Order

// fastOrder decodes into an Order in place: each lenient field points at
// the Order field it shadows (a shallower field wins in encoding/json); the
// other fields decode natively into the embedded plainOrder.
type fastOrder struct {
	*plainOrder
	ID                *lenientInt       `json:"id"`
	CustomerID        *lenientInt       `json:"customer_id"`
	StatusID          *lenientInt       `json:"status_id"`
	DateCreated       *v2Time           `json:"date_created"`
	DateModified      *v2Time           `json:"date_modified"`
	DateShipped       *v2Time           `json:"date_shipped"`
	ChannelID         *lenientInt       `json:"channel_id"`
	CurrencyID        *lenientInt       `json:"currency_id"`
	DefaultCurrencyID *lenientInt       `json:"default_currency_id"`
	PaymentProviderID *lenientString    `json:"payment_provider_id"`
	ExternalSource    *lenientString    `json:"external_source"`
	ExternalID        *lenientString    `json:"external_id"`
	ExternalOrderID   *lenientString    `json:"external_order_id"`
	CartID            *lenientString    `json:"cart_id"`
	Consignments      *fastConsignments `json:"consignments"`
	Products          *productRows      `json:"products"`

	SubtotalExTax         *lenientDecimal `json:"subtotal_ex_tax"`
	SubtotalIncTax        *lenientDecimal `json:"subtotal_inc_tax"`
	SubtotalTax           *lenientDecimal `json:"subtotal_tax"`
	BaseShippingCost      *lenientDecimal `json:"base_shipping_cost"`
	ShippingCostExTax     *lenientDecimal `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax    *lenientDecimal `json:"shipping_cost_inc_tax"`
	ShippingCostTax       *lenientDecimal `json:"shipping_cost_tax"`
	HandlingCostExTax     *lenientDecimal `json:"handling_cost_ex_tax"`
	HandlingCostIncTax    *lenientDecimal `json:"handling_cost_inc_tax"`
	HandlingCostTax       *lenientDecimal `json:"handling_cost_tax"`
	WrappingCostExTax     *lenientDecimal `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax    *lenientDecimal `json:"wrapping_cost_inc_tax"`
	WrappingCostTax       *lenientDecimal `json:"wrapping_cost_tax"`
	TotalExTax            *lenientDecimal `json:"total_ex_tax"`
	TotalIncTax           *lenientDecimal `json:"total_inc_tax"`
	TotalTax              *lenientDecimal `json:"total_tax"`
	RefundedAmount        *lenientDecimal `json:"refunded_amount"`
	StoreCreditAmount     *lenientDecimal `json:"store_credit_amount"`
	GiftCertificateAmount *lenientDecimal `json:"gift_certificate_amount"`
	DiscountAmount        *lenientDecimal `json:"discount_amount"`
	CouponDiscount        *lenientDecimal `json:"coupon_discount"`
	CurrencyExchangeRate  *lenientDecimal `json:"currency_exchange_rate"`
}

// fastConsignments is the object structure of consignments, decoded in
// the order's own pass.
type fastConsignments struct {
	Shipping  []fastConsignment `json:"shipping"`
	Pickups   []fastConsignment `json:"pickups"`
	Downloads []fastConsignment `json:"downloads"`
	Email     *struct {
		GiftCertificates []fastConsignment `json:"gift_certificates"`
	} `json:"email"`
}

type fastConsignment struct {
	ID        lenientInt   `json:"id"`
	LineItems []fastLine   `json:"line_items"`
	Warning   *warningWire `json:"__warning__"`
}

func (w *fastConsignments) model() *Consignments {
	c := &Consignments{Shipping: fastModels(w.Shipping), Pickups: fastModels(w.Pickups), Downloads: fastModels(w.Downloads)}
	if w.Email != nil {
		c.Email = &struct {
			GiftCertificates []Consignment `json:"gift_certificates,omitempty"`
		}{GiftCertificates: fastModels(w.Email.GiftCertificates)}
	}
	return c
}

func fastModels(ws []fastConsignment) []Consignment {
	if ws == nil {
		return nil
	}
	out := make([]Consignment, len(ws))
	for i, w := range ws {
		out[i].ID = int64(w.ID)
		if w.Warning != nil {
			out[i].Warning = &ConsignmentWarning{Message: w.Warning.message}
		}
		if w.LineItems != nil {
			out[i].LineItems = make([]OrderProduct, len(w.LineItems))
			for j := range w.LineItems {
				out[i].LineItems[j] = w.LineItems[j].model()
			}
		}
	}
	return out
}

// plainProduct is OrderProduct without its methods.
type plainProduct OrderProduct

// fastLine decodes a line item in its list's pass: the lenient fields
// shadow the native ones of the embedded plainProduct.
type fastLine struct {
	plainProduct
	ID                   lenientInt    `json:"id"`
	OrderID              lenientInt    `json:"order_id"`
	ProductID            lenientInt    `json:"product_id"`
	VariantID            lenientInt    `json:"variant_id"`
	OrderAddressID       lenientInt    `json:"order_address_id"`
	ParentOrderProductID lenientInt    `json:"parent_order_product_id"`
	Quantity             lenientInt    `json:"quantity"`
	SKU                  lenientString `json:"sku"`
	UPC                  lenientString `json:"upc"`

	BasePrice             lenientDecimal `json:"base_price"`
	PriceExTax            lenientDecimal `json:"price_ex_tax"`
	PriceIncTax           lenientDecimal `json:"price_inc_tax"`
	PriceTax              lenientDecimal `json:"price_tax"`
	BaseTotal             lenientDecimal `json:"base_total"`
	TotalExTax            lenientDecimal `json:"total_ex_tax"`
	TotalIncTax           lenientDecimal `json:"total_inc_tax"`
	TotalTax              lenientDecimal `json:"total_tax"`
	DiscountedTotalIncTax lenientDecimal `json:"discounted_total_inc_tax"`
	RefundAmount          lenientDecimal `json:"refund_amount"`
}

func (w *fastLine) model() OrderProduct {
	p := OrderProduct(w.plainProduct)
	p.ID = int64(w.ID)
	p.OrderID = int64(w.OrderID)
	p.ProductID = int64(w.ProductID)
	p.VariantID = int64(w.VariantID)
	p.OrderAddressID = int64(w.OrderAddressID)
	p.ParentOrderProductID = int64(w.ParentOrderProductID)
	p.Quantity = int(w.Quantity)
	p.SKU = string(w.SKU)
	p.UPC = string(w.UPC)
	p.BasePrice = decimal.Decimal(w.BasePrice)
	p.PriceExTax = decimal.Decimal(w.PriceExTax)
	p.PriceIncTax = decimal.Decimal(w.PriceIncTax)
	p.PriceTax = decimal.Decimal(w.PriceTax)
	p.BaseTotal = decimal.Decimal(w.BaseTotal)
	p.TotalExTax = decimal.Decimal(w.TotalExTax)
	p.TotalIncTax = decimal.Decimal(w.TotalIncTax)
	p.TotalTax = decimal.Decimal(w.TotalTax)
	p.DiscountedTotalIncTax = decimal.Decimal(w.DiscountedTotalIncTax)
	p.RefundAmount = decimal.Decimal(w.RefundAmount)
	return p
}

// decodeLoose decodes an order whatever type each optional field holds,
// and names the essential field that holds no usable value.
func (o *Order) decodeLoose(b []byte) error {
	*o = Order{}
	var statusID lenientInt
	var itemsTotal, itemsShipped looseInt
	var consignments looseConsignments
	var products productRows
	aux := looseOrder{
		ID:           field{"id", (*lenientInt)(&o.ID)},
		CustomerID:   field{"customer_id", (*lenientInt)(&o.CustomerID)},
		StatusID:     field{"status_id", &statusID},
		DateCreated:  field{"date_created", (*v2Time)(&o.DateCreated)},
		DateModified: field{"date_modified", (*v2Time)(&o.DateModified)},

		SubtotalExTax:         money("subtotal_ex_tax", &o.SubtotalExTax),
		SubtotalIncTax:        money("subtotal_inc_tax", &o.SubtotalIncTax),
		SubtotalTax:           money("subtotal_tax", &o.SubtotalTax),
		BaseShippingCost:      money("base_shipping_cost", &o.BaseShippingCost),
		ShippingCostExTax:     money("shipping_cost_ex_tax", &o.ShippingCostExTax),
		ShippingCostIncTax:    money("shipping_cost_inc_tax", &o.ShippingCostIncTax),
		ShippingCostTax:       money("shipping_cost_tax", &o.ShippingCostTax),
		HandlingCostExTax:     money("handling_cost_ex_tax", &o.HandlingCostExTax),
		HandlingCostIncTax:    money("handling_cost_inc_tax", &o.HandlingCostIncTax),
		HandlingCostTax:       money("handling_cost_tax", &o.HandlingCostTax),
		WrappingCostExTax:     money("wrapping_cost_ex_tax", &o.WrappingCostExTax),
		WrappingCostIncTax:    money("wrapping_cost_inc_tax", &o.WrappingCostIncTax),
		WrappingCostTax:       money("wrapping_cost_tax", &o.WrappingCostTax),
		TotalExTax:            money("total_ex_tax", &o.TotalExTax),
		TotalIncTax:           money("total_inc_tax", &o.TotalIncTax),
		TotalTax:              money("total_tax", &o.TotalTax),
		RefundedAmount:        money("refunded_amount", &o.RefundedAmount),
		StoreCreditAmount:     money("store_credit_amount", &o.StoreCreditAmount),
		GiftCertificateAmount: money("gift_certificate_amount", &o.GiftCertificateAmount),
		DiscountAmount:        money("discount_amount", &o.DiscountAmount),
		CouponDiscount:        money("coupon_discount", &o.CouponDiscount),

		DateShipped:           (*looseTime)(&o.DateShipped),
		Status:                (*looseString)(&o.Status),
		CustomStatus:          (*looseString)(&o.CustomStatus),
		ItemsTotal:            &itemsTotal,
		ItemsShipped:          &itemsShipped,
		IsTaxInclusivePricing: (*looseBool)(&o.IsTaxInclusivePricing),
		PaymentMethod:         (*looseString)(&o.PaymentMethod),
		PaymentProviderID:     (*looseString)(&o.PaymentProviderID),
		PaymentStatus:         (*looseString)(&o.PaymentStatus),
		CurrencyID:            (*looseInt)(&o.CurrencyID),
		CurrencyCode:          (*looseString)(&o.CurrencyCode),
		CurrencyExchangeRate:  (*looseDecimal)(&o.CurrencyExchangeRate),
		DefaultCurrencyID:     (*looseInt)(&o.DefaultCurrencyID),
		DefaultCurrencyCode:   (*looseString)(&o.DefaultCurrencyCode),
		OrderSource:           (*looseString)(&o.OrderSource),
		ChannelID:             (*looseInt)(&o.ChannelID),
		ExternalSource:        (*looseString)(&o.ExternalSource),
		ExternalID:            (*looseString)(&o.ExternalID),
		ExternalOrderID:       (*looseString)(&o.ExternalOrderID),
		CustomerMessage:       (*looseString)(&o.CustomerMessage),
		StaffNotes:            (*looseString)(&o.StaffNotes),
		CartID:                (*looseString)(&o.CartID),
		IsDeleted:             (*looseBool)(&o.IsDeleted),
		CustomerLocale:        (*looseString)(&o.CustomerLocale),
		BillingAddress:        &o.BillingAddress,
		Consignments:          &consignments,
		Products:              &products,
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	o.StatusID = StatusID(statusID)
	o.ItemsTotal, o.ItemsShipped = int(itemsTotal), int(itemsShipped)
	o.Consignments = consignments.model
	o.Products = products.rows
	return nil
}

// money names an essential money field.
func money(name string, d *decimal.Decimal) field {
	return field{name, (*lenientDecimal)(d)}
}

// looseOrder lists every member of a v2 order the model keeps, each with the
// decoder its kind asks for: field for the essential ones, a loose type for
// the others.
type looseOrder struct {
	ID           field `json:"id"`
	CustomerID   field `json:"customer_id"`
	StatusID     field `json:"status_id"`
	DateCreated  field `json:"date_created"`
	DateModified field `json:"date_modified"`

	SubtotalExTax         field `json:"subtotal_ex_tax"`
	SubtotalIncTax        field `json:"subtotal_inc_tax"`
	SubtotalTax           field `json:"subtotal_tax"`
	BaseShippingCost      field `json:"base_shipping_cost"`
	ShippingCostExTax     field `json:"shipping_cost_ex_tax"`
	ShippingCostIncTax    field `json:"shipping_cost_inc_tax"`
	ShippingCostTax       field `json:"shipping_cost_tax"`
	HandlingCostExTax     field `json:"handling_cost_ex_tax"`
	HandlingCostIncTax    field `json:"handling_cost_inc_tax"`
	HandlingCostTax       field `json:"handling_cost_tax"`
	WrappingCostExTax     field `json:"wrapping_cost_ex_tax"`
	WrappingCostIncTax    field `json:"wrapping_cost_inc_tax"`
	WrappingCostTax       field `json:"wrapping_cost_tax"`
	TotalExTax            field `json:"total_ex_tax"`
	TotalIncTax           field `json:"total_inc_tax"`
	TotalTax              field `json:"total_tax"`
	RefundedAmount        field `json:"refunded_amount"`
	StoreCreditAmount     field `json:"store_credit_amount"`
	GiftCertificateAmount field `json:"gift_certificate_amount"`
	DiscountAmount        field `json:"discount_amount"`
	CouponDiscount        field `json:"coupon_discount"`

	DateShipped           *looseTime         `json:"date_shipped"`
	Status                *looseString       `json:"status"`
	CustomStatus          *looseString       `json:"custom_status"`
	ItemsTotal            *looseInt          `json:"items_total"`
	ItemsShipped          *looseInt          `json:"items_shipped"`
	IsTaxInclusivePricing *looseBool         `json:"is_tax_inclusive_pricing"`
	PaymentMethod         *looseString       `json:"payment_method"`
	PaymentProviderID     *looseString       `json:"payment_provider_id"`
	PaymentStatus         *looseString       `json:"payment_status"`
	CurrencyID            *looseInt          `json:"currency_id"`
	CurrencyCode          *looseString       `json:"currency_code"`
	CurrencyExchangeRate  *looseDecimal      `json:"currency_exchange_rate"`
	DefaultCurrencyID     *looseInt          `json:"default_currency_id"`
	DefaultCurrencyCode   *looseString       `json:"default_currency_code"`
	OrderSource           *looseString       `json:"order_source"`
	ChannelID             *looseInt          `json:"channel_id"`
	ExternalSource        *looseString       `json:"external_source"`
	ExternalID            *looseString       `json:"external_id"`
	ExternalOrderID       *looseString       `json:"external_order_id"`
	CustomerMessage       *looseString       `json:"customer_message"`
	StaffNotes            *looseString       `json:"staff_notes"`
	CartID                *looseString       `json:"cart_id"`
	IsDeleted             *looseBool         `json:"is_deleted"`
	CustomerLocale        *looseString       `json:"customer_locale"`
	BillingAddress        *Address           `json:"billing_address"`
	Consignments          *looseConsignments `json:"consignments"`
	Products              *productRows       `json:"products"`
}

// UnmarshalJSON decodes one order line item (a row of
// /v2/orders/{id}/products). The essential fields (id, product_id,
// variant_id, parent_order_product_id, quantity and every money field) take
// a number, a string of one, "" or null (zero); another value fails with a
// *FieldError naming the field as "line_items.<name>". Every other field
// decodes whatever type it arrives as, an unusable one leaving it zero.
// Unknown fields are ignored.
func (p *OrderProduct) UnmarshalJSON(b []byte) error {
	*p = OrderProduct{}
	if !isObject(b) {
		return errNotLineItem
	}
	var w fastLine
	if json.Unmarshal(b, &w) == nil {
		*p = w.model()
		return nil
	}
	var quantity lenientInt
	var looseShipped, looseRefunded looseInt
	aux := struct {
		ID                    field `json:"id"`
		ProductID             field `json:"product_id"`
		VariantID             field `json:"variant_id"`
		ParentOrderProductID  field `json:"parent_order_product_id"`
		Quantity              field `json:"quantity"`
		BasePrice             field `json:"base_price"`
		PriceExTax            field `json:"price_ex_tax"`
		PriceIncTax           field `json:"price_inc_tax"`
		PriceTax              field `json:"price_tax"`
		BaseTotal             field `json:"base_total"`
		TotalExTax            field `json:"total_ex_tax"`
		TotalIncTax           field `json:"total_inc_tax"`
		TotalTax              field `json:"total_tax"`
		DiscountedTotalIncTax field `json:"discounted_total_inc_tax"`
		RefundAmount          field `json:"refund_amount"`

		OrderID          *looseInt    `json:"order_id"`
		OrderAddressID   *looseInt    `json:"order_address_id"`
		Name             *looseString `json:"name"`
		NameCustomer     *looseString `json:"name_customer"`
		NameMerchant     *looseString `json:"name_merchant"`
		SKU              *looseString `json:"sku"`
		UPC              *looseString `json:"upc"`
		Type             *looseString `json:"type"`
		QuantityShipped  *looseInt    `json:"quantity_shipped"`
		QuantityRefunded *looseInt    `json:"quantity_refunded"`
		IsRefunded       *looseBool   `json:"is_refunded"`
		IsBundledProduct *looseBool   `json:"is_bundled_product"`
	}{
		ID:                    field{"line_items.id", (*lenientInt)(&p.ID)},
		ProductID:             field{"line_items.product_id", (*lenientInt)(&p.ProductID)},
		VariantID:             field{"line_items.variant_id", (*lenientInt)(&p.VariantID)},
		ParentOrderProductID:  field{"line_items.parent_order_product_id", (*lenientInt)(&p.ParentOrderProductID)},
		Quantity:              field{"line_items.quantity", &quantity},
		BasePrice:             money("line_items.base_price", &p.BasePrice),
		PriceExTax:            money("line_items.price_ex_tax", &p.PriceExTax),
		PriceIncTax:           money("line_items.price_inc_tax", &p.PriceIncTax),
		PriceTax:              money("line_items.price_tax", &p.PriceTax),
		BaseTotal:             money("line_items.base_total", &p.BaseTotal),
		TotalExTax:            money("line_items.total_ex_tax", &p.TotalExTax),
		TotalIncTax:           money("line_items.total_inc_tax", &p.TotalIncTax),
		TotalTax:              money("line_items.total_tax", &p.TotalTax),
		DiscountedTotalIncTax: money("line_items.discounted_total_inc_tax", &p.DiscountedTotalIncTax),
		RefundAmount:          money("line_items.refund_amount", &p.RefundAmount),

		OrderID:          (*looseInt)(&p.OrderID),
		OrderAddressID:   (*looseInt)(&p.OrderAddressID),
		Name:             (*looseString)(&p.Name),
		NameCustomer:     (*looseString)(&p.NameCustomer),
		NameMerchant:     (*looseString)(&p.NameMerchant),
		SKU:              (*looseString)(&p.SKU),
		UPC:              (*looseString)(&p.UPC),
		Type:             (*looseString)(&p.Type),
		QuantityShipped:  &looseShipped,
		QuantityRefunded: &looseRefunded,
		IsRefunded:       (*looseBool)(&p.IsRefunded),
		IsBundledProduct: (*looseBool)(&p.IsBundledProduct),
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.Quantity = int(quantity)
	p.QuantityShipped, p.QuantityRefunded = int(looseShipped), int(looseRefunded)
	return nil
}

// productRows decodes the products key of an order: the rows an encoded
// Order carries, or the API's {url, resource} link, which holds none. An
// empty list holds none either, so it cannot hide inlined line items.
type productRows struct{ rows []OrderProduct }

func (p *productRows) UnmarshalJSON(b []byte) error {
	p.rows = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' {
		return nil
	}
	rows, err := decodeLines(b)
	if err != nil {
		return err
	}
	p.rows = rows
	return nil
}

// decodeLines decodes a JSON list of line items; an element that is not an
// object is skipped, and the result is nil when no line item is left. The
// common case takes one pass into productWire. Only a list that pass refuses
// (an element that is not an object, or an essential field without a usable
// value) is decoded again element by element, to skip the former and name
// the field of the latter.
func decodeLines(b []byte) ([]OrderProduct, error) {
	var ws []fastLine
	if err := json.Unmarshal(b, &ws); err == nil {
		if len(ws) == 0 {
			return nil, nil
		}
		out := make([]OrderProduct, len(ws))
		for i := range ws {
			out[i] = ws[i].model()
		}
		return out, nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	var out []OrderProduct
	for _, r := range raw {
		if !isObject(r) {
			continue
		}
		var p OrderProduct
		if err := p.UnmarshalJSON(r); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

var (
	errNotOrder    = errors.New("an order must be a JSON object")
	errNotLineItem = errors.New("a line item must be a JSON object")
)

// isObject reports whether b holds a JSON object.
func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// looseConsignments decodes consignments in the object structure; the
// legacy array of links, or any other value, leaves the model nil. A group
// that is not a list, or a consignment that is not an object, is skipped;
// line_items that are not a list leave the consignment empty, which the
// client notices against items_total. Line items themselves decode as
// OrderProduct does, essential fields and all.
type looseConsignments struct{ model *Consignments }

func (c *looseConsignments) UnmarshalJSON(b []byte) error {
	c.model = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	var w struct {
		Shipping  looseConsignmentList `json:"shipping"`
		Pickups   looseConsignmentList `json:"pickups"`
		Downloads looseConsignmentList `json:"downloads"`
		Email     looseEmail           `json:"email"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	c.model = &Consignments{Shipping: w.Shipping, Pickups: w.Pickups, Downloads: w.Downloads}
	if w.Email.set {
		c.model.Email = &struct {
			GiftCertificates []Consignment `json:"gift_certificates,omitempty"`
		}{GiftCertificates: w.Email.giftCertificates}
	}
	return nil
}

// looseEmail is consignments.email: {gift_certificates: [...]}.
type looseEmail struct {
	set              bool
	giftCertificates looseConsignmentList
}

func (e *looseEmail) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	var w struct {
		GiftCertificates looseConsignmentList `json:"gift_certificates"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	e.set, e.giftCertificates = true, w.GiftCertificates
	return nil
}

// looseConsignmentList is one group of consignments.
type looseConsignmentList []Consignment

func (l *looseConsignmentList) UnmarshalJSON(b []byte) error {
	*l = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' {
		return nil
	}
	var ws []consignmentWire
	if json.Unmarshal(b, &ws) != nil {
		// An element that is not an object, or a line item the caller must
		// hear about: go element by element.
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		ws = ws[:0]
		for _, r := range raw {
			if !isObject(r) {
				continue
			}
			var w consignmentWire
			if err := json.Unmarshal(r, &w); err != nil {
				return err
			}
			ws = append(ws, w)
		}
	}
	out := make([]Consignment, len(ws))
	for i, w := range ws {
		out[i] = Consignment{ID: int64(w.ID), LineItems: []OrderProduct(w.LineItems)}
		if w.Warning != nil {
			out[i].Warning = &ConsignmentWarning{Message: w.Warning.message}
		}
	}
	*l = out
	return nil
}

// consignmentWire is one consignment of the object structure.
type consignmentWire struct {
	ID        looseInt       `json:"id"`
	LineItems looseLineItems `json:"line_items"`
	Warning   *warningWire   `json:"__warning__"`
}

// looseLineItems is a consignment's line_items: a list of line items, or
// anything else for none.
type looseLineItems []OrderProduct

func (l *looseLineItems) UnmarshalJSON(b []byte) error {
	*l = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' {
		return nil
	}
	items, err := decodeLines(b)
	if err != nil {
		return err
	}
	*l = items
	return nil
}

// warningWire is a consignment's __warning__: its presence is what counts,
// so a message of any type, or a warning that is not an object, is kept.
type warningWire struct{ message string }

func (w *warningWire) UnmarshalJSON(b []byte) error {
	var obj struct {
		Message looseString `json:"message"`
	}
	if json.Unmarshal(b, &obj) == nil {
		w.message = string(obj.Message)
		return nil
	}
	var text looseString
	_ = text.UnmarshalJSON(b)
	w.message = string(text)
	return nil
}

// looseTime decodes an optional v2 date: what v2Time accepts, and the zero
// time for anything else.
type looseTime time.Time

func (t *looseTime) UnmarshalJSON(b []byte) error {
	var v v2Time
	if v.UnmarshalJSON(b) != nil {
		v = v2Time{}
	}
	*t = looseTime(v)
	return nil
}

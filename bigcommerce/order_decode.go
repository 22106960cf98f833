package bigcommerce

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/shopspring/decimal"
)

// UnmarshalJSON decodes a v2 order leniently: money given as a string, a
// number, "" or null (the last two are zero); dates in RFC 1123 with a
// numeric zone, "" being the zero time; payment_provider_id, external_source,
// external_id and external_order_id as a string, a number or null; and
// consignments either as the object structure or (ignored) the legacy array.
// Unknown fields are ignored.
func (o *Order) UnmarshalJSON(b []byte) error {
	aux := newOrderAux(o)
	err := json.Unmarshal(b, aux)
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field == "consignments" {
		// The legacy structure is an array of links: decode again without it.
		*o = Order{}
		aux = newOrderAux(o)
		err = json.Unmarshal(b, &struct {
			*orderAux
			Consignments json.RawMessage `json:"consignments"`
		}{orderAux: aux})
	}
	if err != nil {
		return err
	}
	if aux.Consignments != nil {
		o.Consignments = aux.Consignments.model()
	}
	if aux.Products != nil {
		o.Products = aux.Products.rows
	}
	return nil
}

// productRows decodes the products key of an order: the rows an encoded
// Order carries, or the API's {url, resource} link, which holds none.
type productRows struct{ rows []OrderProduct }

func (p *productRows) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' {
		p.rows = nil
		return nil
	}
	var ws []productWire
	if err := json.Unmarshal(b, &ws); err != nil {
		return err
	}
	p.rows = make([]OrderProduct, len(ws))
	for i := range ws {
		p.rows[i] = ws[i].model()
	}
	return nil
}

// plainOrder is Order without its methods, so decoding into it does not
// recurse into Order.UnmarshalJSON.
type plainOrder Order

// orderAux decodes into an Order in place: each lenient field points at the
// Order field it shadows (a shallower field wins in encoding/json).
type orderAux struct {
	*plainOrder
	ID                *lenientInt       `json:"id"`
	CustomerID        *lenientInt       `json:"customer_id"`
	ChannelID         *lenientInt       `json:"channel_id"`
	CurrencyID        *lenientInt       `json:"currency_id"`
	DefaultCurrencyID *lenientInt       `json:"default_currency_id"`
	DateCreated       *v2Time           `json:"date_created"`
	DateModified      *v2Time           `json:"date_modified"`
	DateShipped       *v2Time           `json:"date_shipped"`
	PaymentProviderID *lenientString    `json:"payment_provider_id"`
	ExternalSource    *lenientString    `json:"external_source"`
	ExternalID        *lenientString    `json:"external_id"`
	ExternalOrderID   *lenientString    `json:"external_order_id"`
	CartID            *lenientString    `json:"cart_id"`
	Consignments      *consignmentsWire `json:"consignments"`
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

func newOrderAux(o *Order) *orderAux {
	return &orderAux{
		plainOrder:        (*plainOrder)(o),
		ID:                (*lenientInt)(&o.ID),
		CustomerID:        (*lenientInt)(&o.CustomerID),
		ChannelID:         (*lenientInt)(&o.ChannelID),
		CurrencyID:        (*lenientInt)(&o.CurrencyID),
		DefaultCurrencyID: (*lenientInt)(&o.DefaultCurrencyID),
		DateCreated:       (*v2Time)(&o.DateCreated),
		DateModified:      (*v2Time)(&o.DateModified),
		DateShipped:       (*v2Time)(&o.DateShipped),
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
}

// UnmarshalJSON decodes an order line item leniently: money as a string, a
// number, "" or null; ids as numbers, strings of digits or null (a missing
// parent_order_product_id or variant_id is 0); sku and upc as strings,
// numbers or null. Unknown fields are ignored.
func (p *OrderProduct) UnmarshalJSON(b []byte) error {
	var w productWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = w.model()
	return nil
}

// The wire types below decode the consignments of an order in the same pass
// as the order itself: giving OrderProduct's own UnmarshalJSON the job would
// make encoding/json validate every line item once more.

type consignmentsWire struct {
	Shipping  []consignmentWire `json:"shipping"`
	Pickups   []consignmentWire `json:"pickups"`
	Downloads []consignmentWire `json:"downloads"`
	Email     *struct {
		GiftCertificates []consignmentWire `json:"gift_certificates"`
	} `json:"email"`
}

func (w *consignmentsWire) model() *Consignments {
	c := &Consignments{
		Shipping:  consignmentModels(w.Shipping),
		Pickups:   consignmentModels(w.Pickups),
		Downloads: consignmentModels(w.Downloads),
	}
	if w.Email != nil {
		c.Email = &struct {
			GiftCertificates []Consignment `json:"gift_certificates,omitempty"`
		}{GiftCertificates: consignmentModels(w.Email.GiftCertificates)}
	}
	return c
}

type consignmentWire struct {
	ID        lenientInt    `json:"id"`
	LineItems []productWire `json:"line_items"`
	Warning   *warningWire  `json:"__warning__"`
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

func consignmentModels(ws []consignmentWire) []Consignment {
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

// productWire is an order line item with lenient fields shadowing the
// strict ones of the embedded plainProduct.
type productWire struct {
	plainProduct
	ID                   lenientInt    `json:"id"`
	OrderID              lenientInt    `json:"order_id"`
	ProductID            lenientInt    `json:"product_id"`
	VariantID            lenientInt    `json:"variant_id"`
	OrderAddressID       lenientInt    `json:"order_address_id"`
	ParentOrderProductID lenientInt    `json:"parent_order_product_id"`
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

func (w *productWire) model() OrderProduct {
	p := OrderProduct(w.plainProduct)
	p.ID = int64(w.ID)
	p.OrderID = int64(w.OrderID)
	p.ProductID = int64(w.ProductID)
	p.VariantID = int64(w.VariantID)
	p.OrderAddressID = int64(w.OrderAddressID)
	p.ParentOrderProductID = int64(w.ParentOrderProductID)
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

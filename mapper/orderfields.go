package mapper

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/shopspring/decimal"
)

// OrderFieldNames returns, sorted, the order fields an ExtraField can read
// with From: text fields as strings, ids, counts and money as JSON numbers
// (money written from the exact decimal), and dates as RFC 3339 date-times in
// UTC. The slice is new on every call.
func OrderFieldNames() []string {
	return []string{
		"cart_id", "channel_id", "coupon_discount", "currency_code", "custom_status",
		"customer_id", "customer_locale", "customer_message", "date_created",
		"date_modified", "date_shipped", "default_currency_code", "discount_amount",
		"external_id", "external_order_id", "external_source", "gift_certificate_amount",
		"handling_cost_inc_tax", "id", "items_shipped", "items_total", "order_source",
		"payment_method", "payment_provider_id", "payment_status", "refunded_amount",
		"shipping_cost_ex_tax", "shipping_cost_inc_tax", "staff_notes", "status",
		"status_id", "store_credit_amount", "subtotal_ex_tax", "subtotal_inc_tax",
		"subtotal_tax", "total_ex_tax", "total_inc_tax", "total_tax",
	}
}

// orderField returns the value of the named order field and whether the
// name is known. Text comes back as a string, numbers as json.Number, dates
// as RFC 3339 strings, and an empty value as "".
func orderField(o *bigcommerce.Order, name string) (any, bool) {
	if v, ok := orderText(o, name); ok {
		return v, true
	}
	if v, ok := orderMoney(o, name); ok {
		if n, ok := money(v); ok {
			return n, true
		}
		return "", true
	}
	switch name {
	case "id":
		return intNumber(o.ID), true
	case "customer_id":
		return intNumber(o.CustomerID), true
	case "channel_id":
		return intNumber(o.ChannelID), true
	case "status_id":
		return intNumber(int64(o.StatusID)), true
	case "items_total":
		return intNumber(int64(o.ItemsTotal)), true
	case "items_shipped":
		return intNumber(int64(o.ItemsShipped)), true
	case "date_created":
		return dateTime(o.DateCreated), true
	case "date_modified":
		return dateTime(o.DateModified), true
	case "date_shipped":
		return dateTime(o.DateShipped), true
	}
	return nil, false
}

func orderText(o *bigcommerce.Order, name string) (string, bool) {
	switch name {
	case "cart_id":
		return o.CartID, true
	case "currency_code":
		return o.CurrencyCode, true
	case "custom_status":
		return o.CustomStatus, true
	case "customer_locale":
		return o.CustomerLocale, true
	case "customer_message":
		return o.CustomerMessage, true
	case "default_currency_code":
		return o.DefaultCurrencyCode, true
	case "external_id":
		return o.ExternalID, true
	case "external_order_id":
		return o.ExternalOrderID, true
	case "external_source":
		return o.ExternalSource, true
	case "order_source":
		return o.OrderSource, true
	case "payment_method":
		return o.PaymentMethod, true
	case "payment_provider_id":
		return o.PaymentProviderID, true
	case "payment_status":
		return o.PaymentStatus, true
	case "staff_notes":
		return o.StaffNotes, true
	case "status":
		return o.Status, true
	}
	return "", false
}

func orderMoney(o *bigcommerce.Order, name string) (decimal.Decimal, bool) {
	switch name {
	case "coupon_discount":
		return o.CouponDiscount, true
	case "discount_amount":
		return o.DiscountAmount, true
	case "gift_certificate_amount":
		return o.GiftCertificateAmount, true
	case "handling_cost_inc_tax":
		return o.HandlingCostIncTax, true
	case "refunded_amount":
		return o.RefundedAmount, true
	case "shipping_cost_ex_tax":
		return o.ShippingCostExTax, true
	case "shipping_cost_inc_tax":
		return o.ShippingCostIncTax, true
	case "store_credit_amount":
		return o.StoreCreditAmount, true
	case "subtotal_ex_tax":
		return o.SubtotalExTax, true
	case "subtotal_inc_tax":
		return o.SubtotalIncTax, true
	case "subtotal_tax":
		return o.SubtotalTax, true
	case "total_ex_tax":
		return o.TotalExTax, true
	case "total_inc_tax":
		return o.TotalIncTax, true
	case "total_tax":
		return o.TotalTax, true
	}
	return decimal.Decimal{}, false
}

// money writes a decimal as a JSON number from its exact text, so that
// "1234.5678" reaches Salesforce as 1234.5678 and never passes through a
// float64. It refuses (false) a value no currency field can hold: more than
// 40 digits or an exponent beyond ±30, whose text could run to megabytes.
func money(d decimal.Decimal) (json.Number, bool) {
	if e := d.Exponent(); e < -30 || e > 30 || d.NumDigits() > 40 {
		return "", false
	}
	return json.Number(d.String()), true
}

func intNumber(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }

func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

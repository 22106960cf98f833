package mapper

import (
	"errors"
	"slices"
)

// Record is one upsert by external ID: the object, the external-ID field
// and value that identify the record, and the body fields. Field values
// are strings, json.Number (money and quantities, from their exact text)
// or, for a parent named by external ID, map[string]string. The body never
// holds the external-ID field itself: Salesforce rejects an upsert that
// names it in both places. A Record is data, not a request: the bc2sf
// pipeline turns the records of an order into one Composite Graph with
// salesforce.NewUpsertGraph.
type Record struct {
	// Ref names the record within its order: "account", "contact",
	// "opportunity", "order", or "item1", "item2"... for OrderItems in line
	// order. Under LinkByReference children link to it as "@{ref.id}", so
	// it is the referenceId of the record's node in a graph.
	Ref string `json:"ref"`
	// SObject is the object name, e.g. "Account".
	SObject string `json:"sobject"`
	// ExternalIDField and ExternalID identify the record, as in the upsert
	// URL.
	ExternalIDField string `json:"externalIdField"`
	ExternalID      string `json:"externalId"`
	// Fields is the body. Callers should not modify it.
	Fields map[string]any `json:"fields"`
	// ProductKey names the line's product on OrderItem records (empty on
	// others). A new OrderItem also needs the id of the PricebookEntry of
	// that product in the Order's price book, which Map cannot know: the
	// caller looks it up (Result.ProductKeys lists the keys) and sets it in
	// PricebookEntryField.
	ProductKey string `json:"productKey,omitempty"`
	// PricebookEntryField is the body field that takes the PricebookEntry
	// id of ProductKey: Config.Fields.PricebookEntryLookup, or
	// DefaultPricebookEntryField when empty (a Record decoded from an older
	// JSON form).
	PricebookEntryField string `json:"pricebookEntryField,omitempty"`
	// CreateOnly names the body fields sent only when Salesforce creates
	// the record; they are to be left out of the body of a record that
	// already exists. OrderItems list their Order link and
	// PricebookEntryField, which Salesforce refuses on update; the Order
	// lists Status (unless Config.OrderStage sets it) and Pricebook2Id, so that a re-sync neither sends an
	// activated Order back to Draft nor touches the price book of an Order
	// with items. Empty on every other record.
	CreateOnly []string `json:"createOnly,omitempty"`
}

// DefaultPricebookEntryField is the default of
// Config.Fields.PricebookEntryLookup: "PricebookEntryId".
const DefaultPricebookEntryField = "PricebookEntryId"

// Result is what Map returns for one order: the records to upsert, parents
// before children (Account, Contact, then Opportunity or Order and its
// OrderItems), the warnings for every fallback used, and, when the order is
// not to be written, the reason in Skip (then Records is empty).
type Result struct {
	// OrderID is the BigCommerce order id.
	OrderID int64 `json:"orderId"`
	// Skip is nil unless the order is not to be written.
	Skip *Skip `json:"skip,omitempty"`
	// Records are the upserts, parents before children; empty when skipped.
	Records []Record `json:"records"`
	// Currency is the ISO code the records carry as CurrencyIsoCode when
	// Config.MultiCurrency is on (the order's transactional currency), and
	// the currency its OrderItems' PricebookEntries must have; empty when
	// MultiCurrency is off or the order has no currency code.
	Currency string `json:"currency,omitempty"`
	// Warnings lists the fallbacks used, in the order they were applied.
	Warnings []Warning `json:"warnings"`
}

// Skipped reports whether the order is not to be written.
func (r Result) Skipped() bool { return r.Skip != nil }

// ProductKeys returns the distinct product keys of the OrderItem records,
// sorted, so a caller can look up their PricebookEntry ids in one query. It
// returns nil for the Opportunity target.
func (r Result) ProductKeys() []string {
	var keys []string
	for _, rec := range r.Records {
		if rec.ProductKey != "" {
			keys = append(keys, rec.ProductKey)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// SkipCode says why an order is not written.
type SkipCode string

const (
	// SkipStatus: the order's status is not in Config.Statuses (by default,
	// Incomplete).
	SkipStatus SkipCode = "status_not_synced"
	// SkipDeleted: BigCommerce marks the order deleted (archived) and
	// Config.SkipDeleted is on.
	SkipDeleted SkipCode = "order_deleted"
)

// Skip is the decision not to write an order, with a human-readable reason.
type Skip struct {
	// Code is the machine-readable reason.
	Code SkipCode `json:"code"`
	// Message explains it to people, naming the order.
	Message string `json:"message"`
}

// WarningCode identifies a fallback the mapper used. doc.go lists them all.
type WarningCode string

// The warning codes. Each warning also names the record (Ref) and field it
// concerns and carries a message for people.
const (
	// WarnInvalidUTF8: invalid UTF-8 bytes were replaced with U+FFFD.
	WarnInvalidUTF8 WarningCode = "invalid_utf8"
	// WarnTruncated: a text value was cut to its field's length.
	WarnTruncated WarningCode = "truncated"
	// WarnEmailNormalized: the e-mail was trimmed and lower-cased.
	WarnEmailNormalized WarningCode = "email_normalized"
	// WarnEmailInvalid: the e-mail is not plausible, or too long for Email;
	// it is not sent.
	WarnEmailInvalid WarningCode = "email_invalid"
	// WarnEmailMissing: no usable e-mail; the customer key is
	// bc-customer-<id> or bc-order-<id>.
	WarnEmailMissing WarningCode = "email_missing"
	// WarnLastNameMissing: the last name is empty; LastName is "Unknown".
	WarnLastNameMissing WarningCode = "last_name_missing"
	// WarnAccountNameFallback: the company is empty; the Account is named
	// after the buyer, the e-mail or the key.
	WarnAccountNameFallback WarningCode = "account_name_fallback"
	// WarnCloseDateFallback: date_created is empty; date_modified is used.
	WarnCloseDateFallback WarningCode = "close_date_fallback"
	// WarnCurrencyFallback: default_currency_code is empty; currency_code is
	// used.
	WarnCurrencyFallback WarningCode = "currency_fallback"
	// WarnCurrencyMissing: no currency code at all; CurrencyIsoCode is not
	// sent.
	WarnCurrencyMissing WarningCode = "currency_missing"
	// WarnNoLineItems: the Order has no line items to write.
	WarnNoLineItems WarningCode = "no_line_items"
	// WarnBundleChildFolded: an unpriced bundle component was left out.
	WarnBundleChildFolded WarningCode = "bundle_child_folded"
	// WarnBundleChildPriced: a bundle component with its own price was
	// written as a line.
	WarnBundleChildPriced WarningCode = "bundle_child_priced"
	// WarnProductKeyFallback: a line without SKU is keyed by product or
	// variant id.
	WarnProductKeyFallback WarningCode = "product_key_fallback"
	// WarnCatchAllProduct: a custom product is keyed by
	// Config.CatchAllProductKey.
	WarnCatchAllProduct WarningCode = "catch_all_product"
	// WarnLineQuantity: a line with quantity 0 or less was left out.
	WarnLineQuantity WarningCode = "line_quantity_invalid"
	// WarnValueOutOfRange: an extra money field is out of range; not sent.
	WarnValueOutOfRange WarningCode = "value_out_of_range"
)

// Warning reports one fallback: what was done, to which record and field.
type Warning struct {
	// Code identifies the fallback.
	Code WarningCode `json:"code"`
	// Ref is the record concerned ("account", "item2"...), empty for a line
	// that was not written.
	Ref string `json:"ref,omitempty"`
	// Field is the Salesforce field concerned, when there is one.
	Field string `json:"field,omitempty"`
	// Message explains what was done.
	Message string `json:"message"`
}

// Errors Map returns. A returned error wraps one of these and says which
// order or line is at fault.
var (
	// ErrNilOrder: Map was given a nil order.
	ErrNilOrder = errors.New("mapper: nil order")
	// ErrInvalidOrder: the order cannot be written as it is, e.g. its id is
	// not positive, it has no usable date, an amount is out of range, or two
	// lines share an id. Retrying will not help.
	ErrInvalidOrder = errors.New("mapper: invalid order")
	// ErrNoProductKey: a line has no SKU, product id or variant id and
	// Config.CatchAllProductKey is empty.
	ErrNoProductKey = errors.New("mapper: line has no product key")
)

package mapper

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bc2sf/bc2sf/bigcommerce"
)

// Target selects the Salesforce objects an order becomes.
type Target int

const (
	// TargetOpportunity writes Account, Contact and one Opportunity per order.
	// It is the default (the zero value).
	TargetOpportunity Target = iota
	// TargetOrder writes Account, Contact, one Order per order and one
	// OrderItem per revenue line. It needs Config.Pricebook2ID.
	TargetOrder
)

// String returns "opportunity" or "order", or "Target(n)" for an unknown value.
func (t Target) String() string {
	switch t {
	case TargetOpportunity:
		return "opportunity"
	case TargetOrder:
		return "order"
	}
	return fmt.Sprintf("Target(%d)", int(t))
}

// LinkMode selects how a child record names its parent in the request body.
type LinkMode int

const (
	// LinkByReference sets the lookup field to the parent subrequest's
	// result, e.g. "AccountId": "@{account.id}". It is the default: the
	// reference is an explicit dependency, so the parent runs first; Composite
	// Graph does not promise to run unrelated nodes in request order.
	LinkByReference LinkMode = iota
	// LinkByExternalID names the parent by its external ID through the
	// relationship, e.g. "Account": {"BigCommerce_Customer_Key__c": "key"}.
	// Salesforce accepts this in upsert bodies, and it needs no result from
	// another subrequest, but within one graph nothing then makes Salesforce
	// write the parent first: use it when parents are written separately
	// beforehand.
	LinkByExternalID
)

// Objects names the Salesforce objects the targets write. Every empty name
// takes its default, shown beside it.
type Objects struct {
	Account     string // "Account"
	Contact     string // "Contact"
	Opportunity string // "Opportunity"
	Order       string // "Order"
	OrderItem   string // "OrderItem"
}

// Fields names the external-ID, lookup and status fields the targets use.
// Every empty name takes its default, shown beside it.
type Fields struct {
	// CustomerKey is the external ID of Account and Contact:
	// "BigCommerce_Customer_Key__c".
	CustomerKey string
	// OrderID is the external ID of Opportunity and Order:
	// "BigCommerce_Order_Id__c".
	OrderID string
	// LineItemID is the external ID of OrderItem: "BigCommerce_Line_Item_Id__c".
	LineItemID string
	// AccountLookup and AccountRelationship name a child's link to its
	// Account: "AccountId" and "Account".
	AccountLookup       string
	AccountRelationship string
	// OrderLookup and OrderRelationship name an OrderItem's link to its
	// Order: "OrderId" and "Order".
	OrderLookup       string
	OrderRelationship string
	// PricebookEntryLookup is an OrderItem's link to its PricebookEntry:
	// "PricebookEntryId".
	//
	// Salesforce sets the Order and the PricebookEntry of an OrderItem only
	// when the item is created: OrderLookup (or OrderRelationship, under
	// LinkByExternalID) and PricebookEntryLookup are listed in the
	// OrderItem's Record.CreateOnly, to be left out of the body of an item
	// that already exists.
	PricebookEntryLookup string
	// Status receives the order's status text (status, such as "Shipped";
	// "Archived" for an archived order), cut to 40 characters, on the
	// Opportunity or Order: "BigCommerce_Status__c". NoField leaves it out.
	Status string
	// RefundedAmount receives refunded_amount, as an exact decimal, on the
	// Opportunity or Order: "BigCommerce_Refunded_Amount__c". NoField leaves
	// it out.
	RefundedAmount string
	// ProductKey is the external ID of Product2, which MapProduct upserts
	// on: "BigCommerce_Product_Key__c".
	ProductKey string
}

// ExtraField sets one more field on every record of one object: either the
// constant Value or, when From is set, the named order field (see
// OrderFieldNames). An empty order value is not sent, so an upsert never
// blanks a field Salesforce already holds.
type ExtraField struct {
	// Object is the Salesforce object name as configured in Objects, e.g.
	// "Opportunity". It must be an object the target writes.
	Object string
	// Field is the Salesforce field API name, e.g. "Payment_Method__c". It
	// must not be the object's external-ID or lookup field. A non-empty
	// value replaces a built-in field of the same name; an empty one leaves
	// it as it is.
	Field string
	// Value is the constant to send when From is empty.
	Value string
	// From names an order field, e.g. "payment_method".
	From string
	// MaxLength cuts a text value to this many UTF-16 code units (0: no limit).
	MaxLength int
}

// Config configures a Mapper. The zero value is valid and selects
// TargetOpportunity with every default listed on the fields.
type Config struct {
	// Target selects the objects to write; default TargetOpportunity.
	Target Target
	// Statuses lists the order statuses that sync. Empty means
	// DefaultStatuses: every status except Incomplete (0). Incomplete never
	// syncs (an abandoned checkout is not a sale; the order syncs once it
	// leaves status 0), so 0 and ids above 14 are configuration errors.
	Statuses []bigcommerce.StatusID
	// SkipDeleted leaves out orders BigCommerce marks is_deleted (archived),
	// with Result.Skip set to SkipDeleted. By default an archived order is
	// written like any other, with Stage.Archived ("Closed Lost") and the
	// status text "Archived": bc2sf never deletes anything in Salesforce.
	SkipDeleted bool
	// MultiCurrency sends CurrencyIsoCode (from default_currency_code) on
	// Opportunity and Order. Leave it off unless the org has multiple
	// currencies enabled: the field does not exist otherwise.
	MultiCurrency bool
	// Stage sets the Opportunity's stage from the order's status. Its unset
	// parts take the defaults: Field "StageName", Values DefaultLostStages()
	// (Refunded, Cancelled and Declined give "Closed Lost"), Default
	// "Closed Won" for every other synced status, and Archived "Closed Lost".
	// A non-nil, empty Values gives every status Default.
	Stage StatusMap
	// OpportunityNamePrefix precedes the order id in the Opportunity name;
	// default "BigCommerce order #".
	OpportunityNamePrefix string
	// OrderStatus is the Status of an Order bc2sf creates; default "Draft"
	// (OrderItems can only be added to a draft order). It is never sent to
	// an Order that exists, so the Order's later life in Salesforce
	// (activation, say) is its own, unless OrderStage sets Status.
	OrderStatus string
	// OrderStage sets one field of the Order from the order's status, the
	// way Stage sets the Opportunity's, for TargetOrder. Its zero value sets
	// nothing; with Field set, a status that Values does not name gets
	// Default (empty: nothing sent), and an archived order gets Archived
	// (empty: the value of its status). With Field "Status" the mapped value
	// replaces OrderStatus and is sent on every sync; Salesforce refuses new
	// and changed OrderItems on an Order whose Status is in the Activated
	// category, so mapping a status to such a value makes a new order's
	// first sync fail (see the pipeline's documentation for Orders activated
	// in Salesforce).
	OrderStage StatusMap
	// Pricebook2ID is the price book of every Order: a 15- or 18-character
	// Salesforce id. Required for TargetOrder.
	Pricebook2ID string
	// CatchAllProductKey is the product key of a line with neither SKU,
	// product id nor variant id (a custom product). Without it such a line
	// makes Map fail with ErrNoProductKey.
	CatchAllProductKey string
	// UnitPriceExTax sends OrderItem.UnitPrice from price_ex_tax; by default
	// it is price_inc_tax, matching the Opportunity Amount (total_inc_tax).
	UnitPriceExTax bool
	// OmitContact writes no Contact.
	OmitContact bool
	// Link selects how children name their parents; default LinkByReference.
	Link LinkMode
	// Objects and Fields rename the objects and fields; empty names take
	// their defaults.
	Objects Objects
	Fields  Fields
	// Extra adds fields to the records.
	Extra []ExtraField
}

// Default values of Config.
const (
	// DefaultOpportunityNamePrefix precedes the order id in the
	// Opportunity name.
	DefaultOpportunityNamePrefix = "BigCommerce order #"
	// DefaultOrderStatus is the Order status: Draft, the only status that
	// accepts new OrderItems.
	DefaultOrderStatus = "Draft"
)

// ErrInvalidConfig is wrapped by every error New returns.
var ErrInvalidConfig = errors.New("mapper: invalid config")

// DefaultStatuses returns the statuses that sync by default: every status id
// from 1 (Pending) to 14 (Partially Refunded), that is all but Incomplete (0),
// which BigCommerce uses for abandoned checkouts. Cancelled (5), Declined (6)
// and Refunded (4) are included so that Salesforce learns about them; leave
// them out of Config.Statuses to ignore such orders instead.
func DefaultStatuses() []bigcommerce.StatusID {
	s := make([]bigcommerce.StatusID, 0, 14)
	for id := bigcommerce.StatusPending; id <= bigcommerce.StatusPartiallyRefunded; id++ {
		s = append(s, id)
	}
	return s
}

// withDefaults returns a copy of c with every empty setting filled and its
// slices copied, so a caller changing its Config later cannot change a Mapper.
func (c Config) withDefaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	c.Stage = c.Stage.stageDefaults()
	c.OrderStage = c.OrderStage.clone()
	def(&c.OpportunityNamePrefix, DefaultOpportunityNamePrefix)
	def(&c.OrderStatus, DefaultOrderStatus)
	def(&c.Objects.Account, "Account")
	def(&c.Objects.Contact, "Contact")
	def(&c.Objects.Opportunity, "Opportunity")
	def(&c.Objects.Order, "Order")
	def(&c.Objects.OrderItem, "OrderItem")
	def(&c.Fields.CustomerKey, "BigCommerce_Customer_Key__c")
	def(&c.Fields.OrderID, "BigCommerce_Order_Id__c")
	def(&c.Fields.LineItemID, "BigCommerce_Line_Item_Id__c")
	def(&c.Fields.AccountLookup, "AccountId")
	def(&c.Fields.AccountRelationship, "Account")
	def(&c.Fields.OrderLookup, "OrderId")
	def(&c.Fields.OrderRelationship, "Order")
	def(&c.Fields.PricebookEntryLookup, DefaultPricebookEntryField)
	def(&c.Fields.ProductKey, DefaultProductKeyField)
	def(&c.Fields.Status, DefaultStatusField)
	def(&c.Fields.RefundedAmount, DefaultRefundedAmountField)
	if len(c.Statuses) == 0 {
		c.Statuses = DefaultStatuses()
	} else {
		c.Statuses = append([]bigcommerce.StatusID(nil), c.Statuses...)
	}
	c.Extra = append([]ExtraField(nil), c.Extra...)
	return c
}

// validate checks a Config that has its defaults filled.
func (c *Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	if c.Target != TargetOpportunity && c.Target != TargetOrder {
		bad("unknown target %d", int(c.Target))
	}
	if c.Link != LinkByReference && c.Link != LinkByExternalID {
		bad("unknown link mode %d", int(c.Link))
	}
	for _, s := range c.Statuses {
		if s < bigcommerce.StatusPending || s > bigcommerce.StatusPartiallyRefunded {
			bad("status id %d is not a synced BigCommerce status (1-14; Incomplete, 0, never syncs)", int(s))
		}
	}
	errs = append(errs, c.Stage.validate("Stage")...)
	errs = append(errs, c.OrderStage.validate("OrderStage")...)
	if c.OrderStage.Field != "" && c.Target != TargetOrder {
		bad("OrderStage is set but the target is %s", c.Target)
	}
	for _, sm := range []struct {
		name, object, field string
	}{{"Stage", c.Objects.Opportunity, c.Stage.Field}, {"OrderStage", c.Objects.Order, c.OrderStage.Field}} {
		for _, r := range c.writtenObjects()[sm.object] {
			if sm.field != "" && strings.EqualFold(r, sm.field) {
				bad("%s.Field %s is set by the mapper and cannot be replaced", sm.name, sm.field)
			}
		}
	}
	if c.Target == TargetOrder {
		if c.Pricebook2ID == "" {
			bad("Pricebook2ID is required for the order target")
		} else if !isSalesforceID(c.Pricebook2ID) {
			bad("Pricebook2ID %q is not a 15- or 18-character Salesforce id", c.Pricebook2ID)
		}
	}
	for _, n := range c.apiNames() {
		if !isAPIName(n.value) {
			bad("%s %q is not a Salesforce API name", n.name, n.value)
		}
	}
	for _, n := range []struct{ name, value string }{
		{"Fields.Status", c.Fields.Status}, {"Fields.RefundedAmount", c.Fields.RefundedAmount},
	} {
		if n.value != NoField && !isAPIName(n.value) {
			bad("%s %q is not a Salesforce API name (or NoField)", n.name, n.value)
		}
	}
	for _, v := range []struct{ name, value string }{
		{"OrderStatus", c.OrderStatus},
		{"OpportunityNamePrefix", c.OpportunityNamePrefix}, {"CatchAllProductKey", c.CatchAllProductKey},
	} {
		if v.value != strings.TrimSpace(v.value) || !validText(v.value) {
			bad("%s %q has surrounding space or invalid UTF-8", v.name, v.value)
		}
	}
	for i, x := range c.Extra {
		if err := c.validateExtra(x); err != nil {
			bad("Extra[%d]: %w", i, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
	}
	return nil
}

// apiNames returns every configured object and field name, which go into
// request paths, bodies and the pipeline's SOQL, with the setting it comes
// from.
func (c *Config) apiNames() []struct{ name, value string } {
	return []struct{ name, value string }{
		{"Objects.Account", c.Objects.Account}, {"Objects.Contact", c.Objects.Contact},
		{"Objects.Opportunity", c.Objects.Opportunity}, {"Objects.Order", c.Objects.Order},
		{"Objects.OrderItem", c.Objects.OrderItem},
		{"Fields.CustomerKey", c.Fields.CustomerKey}, {"Fields.OrderID", c.Fields.OrderID},
		{"Fields.LineItemID", c.Fields.LineItemID}, {"Fields.AccountLookup", c.Fields.AccountLookup},
		{"Fields.AccountRelationship", c.Fields.AccountRelationship}, {"Fields.OrderLookup", c.Fields.OrderLookup},
		{"Fields.OrderRelationship", c.Fields.OrderRelationship},
		{"Fields.PricebookEntryLookup", c.Fields.PricebookEntryLookup},
		{"Fields.ProductKey", c.Fields.ProductKey},
	}
}

// writtenObjects returns the objects the target writes, each with the fields
// an extra field must not replace (its external ID and its lookups).
func (c *Config) writtenObjects() map[string][]string {
	acct := []string{c.Fields.AccountLookup, c.Fields.AccountRelationship}
	w := map[string][]string{c.Objects.Account: {c.Fields.CustomerKey}}
	if !c.OmitContact {
		w[c.Objects.Contact] = append([]string{c.Fields.CustomerKey}, acct...)
	}
	switch c.Target {
	case TargetOpportunity:
		w[c.Objects.Opportunity] = append([]string{c.Fields.OrderID}, acct...)
	case TargetOrder:
		w[c.Objects.Order] = append([]string{c.Fields.OrderID, fieldPricebook2ID}, acct...)
		w[c.Objects.OrderItem] = []string{c.Fields.LineItemID, c.Fields.OrderLookup, c.Fields.OrderRelationship, c.Fields.PricebookEntryLookup}
	}
	return w
}

func (c *Config) validateExtra(x ExtraField) error {
	reserved, ok := c.writtenObjects()[x.Object]
	if !ok {
		return fmt.Errorf("object %q is not written by the %s target", x.Object, c.Target)
	}
	if !isAPIName(x.Field) {
		return fmt.Errorf("%q is not a Salesforce API name", x.Field)
	}
	for _, r := range reserved {
		if strings.EqualFold(r, x.Field) {
			return fmt.Errorf("field %s.%s is set by the mapper and cannot be replaced", x.Object, x.Field)
		}
	}
	if x.MaxLength < 0 {
		return fmt.Errorf("MaxLength %d is negative", x.MaxLength)
	}
	switch {
	case x.From != "" && x.Value != "":
		return errors.New("set Value or From, not both")
	case x.From != "":
		if _, known := orderField(&bigcommerce.Order{}, x.From); !known {
			return fmt.Errorf("unknown order field %q (known: %s)", x.From, strings.Join(OrderFieldNames(), ", "))
		}
	case x.Value == "":
		return errors.New("set Value or From")
	case !validText(x.Value):
		return errors.New("the constant Value is not valid UTF-8")
	}
	return nil
}

// isAPIName reports whether s looks like a Salesforce API name: a letter,
// then letters, digits and single underscores, at most 80 characters
// (custom names end in __c, __r and the like, hence the double underscore
// allowed once before the suffix).
func isAPIName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z':
		case i > 0 && (ch >= '0' && ch <= '9' || ch == '_'):
		default:
			return false
		}
	}
	return !strings.HasSuffix(s, "_") && !strings.Contains(s, "___")
}

// isSalesforceID reports whether s has the shape of a record id: 15 or 18
// ASCII letters and digits.
func isSalesforceID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9') {
			return false
		}
	}
	return true
}

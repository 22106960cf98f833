package sftest

import "strings"

// objectDef is what the fake knows about one sObject type: its key prefix and
// the handful of rules it enforces.
type objectDef struct {
	name       string
	prefix     string
	required   []string
	maxLen     map[string]int
	createOnly []string
	dateFields []string
	extIDs     []string // external ID fields registered for this object only
	known      []string // canonical spellings of the fields above
}

// defaultExternalIDs are unique external ID fields on every object.
var defaultExternalIDs = [...]string{
	"BigCommerce_Customer_Key__c",
	"BigCommerce_Order_Id__c",
	"BigCommerce_Line_Item_Id__c",
	"BigCommerce_Product_Key__c",
}

// externalIDMaxLen is the longest value a text external ID field holds.
const externalIDMaxLen = 255

func defaultObjects() []*objectDef {
	return []*objectDef{
		{name: "Account", prefix: "001", required: []string{"Name"}, maxLen: map[string]int{"Name": 255}},
		{name: "Contact", prefix: "003", required: []string{"LastName"},
			maxLen: map[string]int{"LastName": 80, "FirstName": 40, "Email": 80}},
		{name: "Opportunity", prefix: "006", required: []string{"Name", "StageName", "CloseDate"},
			maxLen: map[string]int{"Name": 120, "StageName": 255}, dateFields: []string{"CloseDate"}},
		{name: "OpportunityLineItem", prefix: "00k", required: []string{"OpportunityId", "PricebookEntryId", "Quantity"},
			createOnly: []string{"OpportunityId", "PricebookEntryId"}},
		{name: "Order", prefix: "801", required: []string{"AccountId", "EffectiveDate", "Status"},
			maxLen: map[string]int{"Name": 80}, dateFields: []string{"EffectiveDate", "EndDate"}},
		{name: "OrderItem", prefix: "802", required: []string{"OrderId", "PricebookEntryId", "Quantity", "UnitPrice"},
			createOnly: []string{"OrderId", "PricebookEntryId"}, dateFields: []string{"ServiceDate", "EndDate"}},
		{name: "Product2", prefix: "01t", required: []string{"Name"}, maxLen: map[string]int{"Name": 255}},
		{name: "Pricebook2", prefix: "01s", required: []string{"Name"}, maxLen: map[string]int{"Name": 255}},
		{name: "PricebookEntry", prefix: "01u", required: []string{"Pricebook2Id", "Product2Id", "UnitPrice"},
			createOnly: []string{"Pricebook2Id", "Product2Id", "CurrencyIsoCode"}},
		{name: "CurrencyType", prefix: "02P", required: []string{"IsoCode", "ConversionRate"}},
		// The objects of field-level access, for org setup (see tooling.go).
		{name: "PermissionSet", prefix: "0PS", required: []string{"Name", "Label"}},
		{name: "FieldPermissions", prefix: "01k", required: []string{"ParentId", "SobjectType", "Field"}},
		{name: "PermissionSetAssignment", prefix: "0Pa", required: []string{"AssigneeId", "PermissionSetId"}},
		{name: "User", prefix: "005", required: []string{"Username"}},
	}
}

// finish fills known with every field name the rules mention, so a body that
// spells "name" is stored as "Name" the way Salesforce echoes it back.
func (o *objectDef) finish() {
	seen := map[string]bool{}
	add := func(f string) {
		if !seen[strings.ToLower(f)] {
			seen[strings.ToLower(f)] = true
			o.known = append(o.known, f)
		}
	}
	add("Id")
	for _, f := range o.required {
		add(f)
	}
	for f := range o.maxLen {
		add(f)
	}
	for _, f := range o.createOnly {
		add(f)
	}
	for _, f := range o.dateFields {
		add(f)
	}
	for _, f := range o.extIDs {
		add(f)
	}
	for _, f := range defaultExternalIDs {
		add(f)
	}
}

// canonicalField returns the canonical spelling of a field this object knows,
// or name unchanged.
func (o *objectDef) canonicalField(name string) string {
	for _, k := range o.known {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// isExternalID reports whether field is a unique external ID field of o.
func (o *objectDef) isExternalID(field string) (string, bool) {
	for _, f := range defaultExternalIDs {
		if strings.EqualFold(f, field) {
			return f, true
		}
	}
	for _, f := range o.extIDs {
		if strings.EqualFold(f, field) {
			return f, true
		}
	}
	return "", false
}

func (o *objectDef) externalIDFields() []string {
	out := append([]string(nil), defaultExternalIDs[:]...)
	return append(out, o.extIDs...)
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// lookupField finds a field in fields regardless of case, as Salesforce field
// names are case-insensitive.
func lookupField(fields map[string]any, name string) (string, any, bool) {
	if v, ok := fields[name]; ok {
		return name, v, true
	}
	for k, v := range fields {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", nil, false
}

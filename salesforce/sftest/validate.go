package sftest

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// write computes the field set a create (existing == nil) or an update would
// leave, enforcing the rules the fake models. It changes nothing.
func (t *tx) write(obj *objectDef, body map[string]any, existing *stored) (map[string]any, *dmlError) {
	changes, err := t.changes(obj, body, existing)
	if err != nil {
		return nil, err
	}
	var merged map[string]any
	if existing == nil {
		merged = map[string]any{}
	} else {
		merged = copyFields(existing.fields)
	}
	for k, v := range changes {
		if old, _, ok := lookupField(merged, k); ok && old != k {
			delete(merged, old)
		}
		merged[k] = v
	}
	if err := checkRequired(obj, merged); err != nil {
		return nil, err
	}
	if err := t.checkUnique(obj, merged, existing); err != nil {
		return nil, err
	}
	if err := t.checkDuplicates(obj, merged, existing); err != nil {
		return nil, err
	}
	if err := t.objectRules(obj, merged, existing == nil); err != nil {
		return nil, err
	}
	return merged, nil
}

// changes validates a request body field by field and returns the values to
// store under their canonical names, with relationships resolved to ids.
func (t *tx) changes(obj *objectDef, body map[string]any, existing *stored) (map[string]any, *dmlError) {
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic error choice when several fields are bad
	out := map[string]any{}
	for _, k := range keys {
		v := body[k]
		if k == "attributes" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			field, id, err := t.resolveRelationship(obj, k, x)
			if err != nil {
				return nil, err
			}
			out[field] = id
			continue
		case []any:
			return nil, newDMLError("JSON_PARSER_ERROR",
				fmt.Sprintf("Cannot deserialize instance of %s from START_ARRAY value [line:1] or request may be missing a required field", k))
		}
		if strings.EqualFold(k, "Id") {
			return nil, newDMLError("INVALID_FIELD", "The Id field should not be specified in the sobject data.", "Id")
		}
		field := obj.canonicalField(k)
		if existing != nil && containsFold(obj.createOnly, field) {
			if t.st.lenientCreateOnly && sameID(existing.fields, field, v) {
				continue
			}
			return nil, newDMLError("INVALID_FIELD_FOR_INSERT_UPDATE",
				"Unable to create/update fields: "+field+". Please check the security settings of this field and verify that it is read/write for your profile or permission set.", field)
		}
		nv, err := t.checkValue(obj, field, v)
		if err != nil {
			return nil, err
		}
		out[field] = nv
	}
	return out, nil
}

// checkValue validates one scalar field value: string lengths, dates and
// lookups to known objects.
func (t *tx) checkValue(obj *objectDef, field string, v any) (any, *dmlError) {
	s, isString := v.(string)
	if !isString {
		if v != nil && (containsFold(obj.dateFields, field) || t.referenceTarget(field) != nil) {
			return nil, newDMLError("JSON_PARSER_ERROR",
				fmt.Sprintf("Cannot deserialize instance of %s from %T value or request may be missing a required field", field, v), field)
		}
		return v, nil
	}
	if max := maxLength(obj, field); max > 0 && utf8.RuneCountInString(s) > max {
		return nil, newDMLError("STRING_TOO_LONG",
			fmt.Sprintf("%s: data value too large: %s (max length=%d)", field, s, max), field)
	}
	if containsFold(obj.dateFields, field) && !isDate(s) {
		return nil, newDMLError("JSON_PARSER_ERROR",
			fmt.Sprintf("Cannot deserialize instance of date from VALUE_STRING value %s or request may be missing a required field", s), field)
	}
	if target := t.referenceTarget(field); target != nil && s != "" {
		id := normalizeID(s)
		if id == "" || !strings.HasPrefix(id, target.prefix) {
			return nil, newDMLError("MALFORMED_ID",
				fmt.Sprintf("%s ID: id value of incorrect type: %s", target.name, s), field)
		}
		if t.st.records[id] == nil {
			return nil, newDMLError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", field)
		}
		return id, nil
	}
	return s, nil
}

func maxLength(obj *objectDef, field string) int {
	for k, n := range obj.maxLen {
		if strings.EqualFold(k, field) {
			return n
		}
	}
	if _, ok := obj.isExternalID(field); ok {
		return externalIDMaxLen
	}
	return 0
}

// referenceTarget returns the object a lookup field such as AccountId or
// Pricebook2Id points to, or nil for any other field.
func (t *tx) referenceTarget(field string) *objectDef {
	if len(field) <= 2 || !strings.EqualFold(field[len(field)-2:], "Id") {
		return nil
	}
	return t.st.object(field[:len(field)-2])
}

// resolveRelationship turns "Account": {"Ext__c": "v"} into AccountId.
func (t *tx) resolveRelationship(obj *objectDef, rel string, ref map[string]any) (string, string, *dmlError) {
	target := t.st.object(rel)
	if target == nil {
		return "", "", newDMLError("INVALID_FIELD", fmt.Sprintf("No such column '%s' on sobject of type %s", rel, obj.name), rel)
	}
	field := obj.canonicalField(target.name + "Id")
	var extField, value string
	n := 0
	for k, v := range ref {
		if k == "attributes" {
			continue
		}
		n++
		f, ok := target.isExternalID(k)
		if !ok {
			return "", "", newDMLError("INVALID_FIELD",
				fmt.Sprintf("%s is not an External ID field of %s", k, target.name), field)
		}
		text, ok := valueText(v)
		if !ok {
			return "", "", newDMLError("INVALID_FIELD",
				fmt.Sprintf("Foreign key external ID: null not found for field %s in entity %s", f, target.name), field)
		}
		extField, value = f, text
	}
	if n != 1 {
		return "", "", newDMLError("INVALID_FIELD",
			fmt.Sprintf("Exactly one external ID field is required to reference %s", target.name), field)
	}
	found := t.st.match(target, extField, value)
	switch len(found) {
	case 0:
		return "", "", newDMLError("INVALID_FIELD",
			fmt.Sprintf("Foreign key external ID: %s not found for field %s in entity %s", value, extField, target.name), field)
	case 1:
		return field, found[0].id, nil
	default:
		return "", "", newDMLError("DUPLICATE_EXTERNAL_ID",
			fmt.Sprintf("%s: more than one record found for external id field: %v", extField, ids(found)), field)
	}
}

func ids(recs []*stored) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.id
	}
	return out
}

func checkRequired(obj *objectDef, fields map[string]any) *dmlError {
	var missing []string
	for _, f := range obj.required {
		_, v, ok := lookupField(fields, f)
		if !ok || v == nil || v == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return newDMLError("REQUIRED_FIELD_MISSING",
		"Required fields are missing: ["+strings.Join(missing, ", ")+"]", missing...)
}

// checkUnique rejects a value of a unique external ID field that another
// record of the same object already holds.
func (t *tx) checkUnique(obj *objectDef, fields map[string]any, self *stored) *dmlError {
	for _, f := range obj.externalIDFields() {
		_, v, ok := lookupField(fields, f)
		if !ok {
			continue
		}
		text, ok := valueText(v)
		if !ok || text == "" {
			continue
		}
		for _, other := range t.st.match(obj, f, text) {
			if other != self {
				return newDMLError("DUPLICATE_VALUE",
					fmt.Sprintf("duplicate value found: %s duplicates value on record with id: %s", f, other.id))
			}
		}
	}
	return nil
}

// Order status categories: StatusCode says which one an Order's Status is
// in. The fake knows the two values of a new org's Status picklist: Status
// "Activated" is in the Activated category, every other value in Draft.
const (
	statusCodeDraft     = "Draft"
	statusCodeActivated = "Activated"
)

// objectRules holds the cross-record rules of the order objects and of the
// field-access objects (setupRules).
func (t *tx) objectRules(obj *objectDef, fields map[string]any, creating bool) *dmlError {
	if err := t.setupRules(obj, fields); err != nil {
		return err
	}
	if err := t.currencyRules(obj, fields); err != nil {
		return err
	}
	switch obj.name {
	case "PricebookEntry":
		return t.pricebookEntryRules(fields, creating)
	case "Order":
		_, status, _ := lookupField(fields, "Status")
		code := statusCodeDraft
		if s, _ := status.(string); strings.EqualFold(s, statusCodeActivated) {
			code = statusCodeActivated
		}
		fields["StatusCode"] = code
		return nil
	case "OrderItem":
	default:
		return nil
	}
	_, oid, _ := lookupField(fields, "OrderId")
	order := t.st.get(fmt.Sprint(oid))
	if order != nil {
		if _, code, _ := lookupField(order.fields, "StatusCode"); code == statusCodeActivated {
			return newDMLError("FIELD_INTEGRITY_EXCEPTION",
				"You can't add or change order products on an activated order.", "OrderId")
		}
	}
	if !creating {
		return nil
	}
	_, pid, _ := lookupField(fields, "PricebookEntryId")
	pbe := t.st.get(fmt.Sprint(pid))
	if order == nil || pbe == nil {
		return nil // checkValue already reported a bad reference
	}
	_, orderBook, _ := lookupField(order.fields, "Pricebook2Id")
	_, entryBook, _ := lookupField(pbe.fields, "Pricebook2Id")
	if orderBook == nil || orderBook != entryBook {
		return newDMLError("FIELD_INTEGRITY_EXCEPTION",
			"Order Products must have a Price Book Entry that belongs to the Price Book related to the parent Order.", "PricebookEntryId")
	}
	if _, active, ok := lookupField(pbe.fields, "IsActive"); ok && active == false {
		return newDMLError("FIELD_INTEGRITY_EXCEPTION",
			"field integrity exception: PricebookEntryId (pricebook entry is inactive)", "PricebookEntryId")
	}
	// In a multi-currency org (both records carry CurrencyIsoCode) the
	// entry must be in the Order's currency.
	_, orderCur, ok1 := lookupField(order.fields, "CurrencyIsoCode")
	_, entryCur, ok2 := lookupField(pbe.fields, "CurrencyIsoCode")
	if ok1 && ok2 && orderCur != entryCur {
		return newDMLError("FIELD_INTEGRITY_EXCEPTION",
			"field integrity exception: PricebookEntryId (pricebook entry currency code does not match order currency code)", "PricebookEntryId")
	}
	if _, p, ok := lookupField(pbe.fields, "Product2Id"); ok {
		fields["Product2Id"] = p
	}
	if _, lp, ok := lookupField(pbe.fields, "UnitPrice"); ok {
		fields["ListPrice"] = lp
	}
	return nil
}

// isDate accepts exactly YYYY-MM-DD with a valid calendar day.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i, c := range s {
		if i == 4 || i == 7 {
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	y := atoi(s[:4])
	m := atoi(s[5:7])
	d := atoi(s[8:])
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// sameID reports whether v is the id the lookup field already holds.
func sameID(fields map[string]any, field string, v any) bool {
	_, cur, ok := lookupField(fields, field)
	text, isText := v.(string)
	return ok && isText && cur == normalizeID(text)
}

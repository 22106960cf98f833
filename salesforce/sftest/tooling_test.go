package sftest

import (
	"net/url"
	"testing"
)

func toolingQuery(c *client, soql string) result {
	c.t.Helper()
	return c.do("GET", "tooling/query?q="+url.QueryEscape(soql), nil)
}

func TestToolingCreatesCustomFields(t *testing.T) {
	t.Parallel()
	_, c := newOrg(t)
	key := map[string]any{"FullName": "Account.Shop_Key__c",
		"Metadata": map[string]any{"label": "Shop Key", "type": "Text", "length": 80, "externalId": true, "unique": true}}
	res := c.mustStatus(c.do("POST", "tooling/sobjects/CustomField", key), 201).object(t)
	if res["success"] != true || len(res["id"].(string)) != 18 || res["id"].(string)[:3] != "00N" {
		t.Fatalf("create answered %v", res)
	}
	if code := c.mustStatus(c.do("POST", "tooling/sobjects/CustomField", key), 400).errorCode(t); code != "DUPLICATE_VALUE" {
		t.Errorf("second create: %s, want DUPLICATE_VALUE", code)
	}
	money := map[string]any{"FullName": "Opportunity.Refund__c",
		"Metadata": map[string]any{"label": "Refund", "type": "Currency", "precision": 18, "scale": 4}}
	c.mustStatus(c.do("POST", "tooling/sobjects/CustomField", money), 201)

	for name, body := range map[string]any{
		"no __c":         map[string]any{"FullName": "Account.Key", "Metadata": map[string]any{"label": "K", "type": "Text", "length": 10}},
		"no object":      map[string]any{"FullName": "Key__c", "Metadata": map[string]any{"label": "K", "type": "Text", "length": 10}},
		"unknown object": map[string]any{"FullName": "Nope.Key__c", "Metadata": map[string]any{"label": "K", "type": "Text", "length": 10}},
		"unknown type":   map[string]any{"FullName": "Account.K__c", "Metadata": map[string]any{"label": "K", "type": "Blob"}},
		"text too long":  map[string]any{"FullName": "Account.K__c", "Metadata": map[string]any{"label": "K", "type": "Text", "length": 256}},
		"no label":       map[string]any{"FullName": "Account.K__c", "Metadata": map[string]any{"type": "Text", "length": 10}},
		"bad scale":      map[string]any{"FullName": "Account.K__c", "Metadata": map[string]any{"label": "K", "type": "Currency", "precision": 4, "scale": 6}},
		"unique bool":    map[string]any{"FullName": "Account.K__c", "Metadata": map[string]any{"label": "K", "type": "Checkbox", "unique": true}},
		"not json":       "{",
	} {
		if r := c.do("POST", "tooling/sobjects/CustomField", body); r.status != 400 {
			t.Errorf("%s: status %d: %s", name, r.status, r.raw)
		}
	}
	if r := c.do("GET", "tooling/sobjects/CustomField", nil); r.status != 405 {
		t.Errorf("GET CustomField: status %d", r.status)
	}

	rows := c.mustStatus(toolingQuery(c, "SELECT EntityDefinition.QualifiedApiName, QualifiedApiName, DataType, Length FROM FieldDefinition"+
		" WHERE EntityDefinition.QualifiedApiName IN ('Account', 'Opportunity')"), 200).object(t)
	recs := rows["records"].([]any)
	if len(recs) != 2 || rows["done"] != true {
		t.Fatalf("FieldDefinition rows: %s", rows)
	}
	first := recs[0].(map[string]any)
	if first["DataType"] != "Text(80) (External ID) (Unique Case Insensitive)" || first["QualifiedApiName"] != "Shop_Key__c" ||
		first["EntityDefinition"].(map[string]any)["QualifiedApiName"] != "Account" || first["Length"].(interface{ String() string }).String() != "80" {
		t.Errorf("first row %v", first)
	}
	if dt := recs[1].(map[string]any)["DataType"]; dt != "Currency(14, 4)" {
		t.Errorf("money DataType %v", dt)
	}
	one := c.mustStatus(toolingQuery(c, "SELECT DataType FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'Account' AND QualifiedApiName = 'shop_key__c'"), 200).object(t)
	if one["totalSize"].(interface{ String() string }).String() != "1" {
		t.Errorf("filtered query: %v", one)
	}
	cf := c.mustStatus(toolingQuery(c, "SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE TableEnumOrId = 'Opportunity'"), 200).object(t)
	if recs := cf["records"].([]any); len(recs) != 1 || recs[0].(map[string]any)["DeveloperName"] != "Refund" {
		t.Errorf("CustomField rows: %v", cf)
	}

	for soql, code := range map[string]string{
		"SELECT DataType FROM FieldDefinition":                                                     "MALFORMED_QUERY",
		"SELECT Nope FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName = 'Account'":     "INVALID_FIELD",
		"SELECT Id FROM ApexClass":                                                                 "INVALID_TYPE",
		"SELECT DataType FROM FieldDefinition WHERE EntityDefinition.QualifiedApiName LIKE 'Acc%'": "MALFORMED_QUERY",
	} {
		if got := c.mustStatus(toolingQuery(c, soql), 400).errorCode(t); got != code {
			t.Errorf("%s: %s, want %s", soql, got, code)
		}
	}
}

// A custom field created as an external ID is one the org upserts on.
func TestToolingExternalIDIsUsableForUpsert(t *testing.T) {
	t.Parallel()
	_, c := newOrg(t)
	if r := c.do("PATCH", "sobjects/Account/Shop_Key__c/a1", map[string]any{"Name": "A"}); r.status != 404 {
		t.Fatalf("upsert on an unknown field: status %d", r.status)
	}
	c.mustStatus(c.do("POST", "tooling/sobjects/CustomField", map[string]any{"FullName": "Account.Shop_Key__c",
		"Metadata": map[string]any{"label": "Shop Key", "type": "Text", "length": 80, "externalId": true, "unique": true}}), 201)
	c.mustStatus(c.do("PATCH", "sobjects/Account/Shop_Key__c/a1", map[string]any{"Name": "A"}), 201)
	c.mustStatus(c.do("PATCH", "sobjects/Account/Shop_Key__c/a1", map[string]any{"Name": "B"}), 200)
}

func TestFieldAccessRecordsFollowTheOrgRules(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	c.mustStatus(c.do("POST", "tooling/sobjects/CustomField", map[string]any{"FullName": "Account.Shop_Key__c",
		"Metadata": map[string]any{"label": "Shop Key", "type": "Text", "length": 80}}), 201)
	ps := c.mustStatus(c.do("POST", "sobjects/PermissionSet", map[string]any{"Name": "bc2sf_Integration", "Label": "bc2sf"}), 201).object(t)["id"]
	if code := c.mustStatus(c.do("POST", "sobjects/PermissionSet", map[string]any{"Name": "BC2SF_integration", "Label": "x"}), 400).errorCode(t); code != "DUPLICATE_DEVELOPER_NAME" {
		t.Errorf("second permission set: %s", code)
	}
	grant := map[string]any{"ParentId": ps, "SobjectType": "Account", "Field": "Account.Shop_Key__c", "PermissionsRead": true, "PermissionsEdit": true}
	c.mustStatus(c.do("POST", "sobjects/FieldPermissions", grant), 201)
	if code := c.mustStatus(c.do("POST", "sobjects/FieldPermissions", grant), 400).errorCode(t); code != "DUPLICATE_VALUE" {
		t.Errorf("second grant: %s", code)
	}
	for name, body := range map[string]map[string]any{
		"unknown field":  {"ParentId": ps, "SobjectType": "Account", "Field": "Account.Nope__c", "PermissionsRead": true},
		"other object":   {"ParentId": ps, "SobjectType": "Contact", "Field": "Account.Shop_Key__c", "PermissionsRead": true},
		"missing object": {"ParentId": ps, "Field": "Account.Shop_Key__c"},
	} {
		if r := c.do("POST", "sobjects/FieldPermissions", body); r.status != 400 {
			t.Errorf("%s: status %d: %s", name, r.status, r.raw)
		}
	}
	user, err := srv.Seed("User", Record{"Username": "int@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	assign := map[string]any{"AssigneeId": user, "PermissionSetId": ps}
	c.mustStatus(c.do("POST", "sobjects/PermissionSetAssignment", assign), 201)
	if code := c.mustStatus(c.do("POST", "sobjects/PermissionSetAssignment", assign), 400).errorCode(t); code != "DUPLICATE_VALUE" {
		t.Errorf("second assignment: %s", code)
	}
	q := c.mustStatus(c.do("GET", "query?q="+url.QueryEscape("SELECT Id, Field, PermissionsEdit FROM FieldPermissions WHERE ParentId = '"+ps.(string)+"'"), nil), 200).object(t)
	if recs := q["records"].([]any); len(recs) != 1 || recs[0].(map[string]any)["PermissionsEdit"] != true {
		t.Errorf("query FieldPermissions: %v", q)
	}
}

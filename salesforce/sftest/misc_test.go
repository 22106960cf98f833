package sftest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCompositeReferenceForms(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	srv.Seed("Account", Record{"Name": "first", "BigCommerce_Customer_Key__c": "7"})
	reqs := []any{
		sub("GET", "query?q=SELECT+Id,Name+FROM+Account", "q", nil),
		// [n] indexes into arrays; a reference inside a longer string is
		// interpolated as text.
		sub("POST", "sobjects/Contact", "c1", map[string]any{"LastName": "of @{q.records[0].Name}", "AccountId": "@{q.records[0].Id}"}),
		sub("GET", "sobjects/Contact/@{c1.id}", "read", nil),
		sub("POST", "sobjects/Contact", "nonScalar", map[string]any{"LastName": "x @{q.records} y"}),
		sub("POST", "sobjects/Contact", "unknown", map[string]any{"LastName": "@{nobody.id}"}),
		sub("POST", "sobjects/Contact", "outOfRange", map[string]any{"LastName": "@{q.records[5].Id}"}),
		sub("GET", "sobjects/Account/BigCommerce_Customer_Key__c/@{q.totalSize}", "byNumber", nil),
	}
	r := c.mustStatus(c.do("POST", "composite", map[string]any{"compositeRequest": reqs}), 200)
	var body struct{ CompositeResponse []subres }
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	res := body.CompositeResponse
	if res[1].HTTPStatusCode != 201 || res[2].HTTPStatusCode != 200 || res[6].HTTPStatusCode != 404 {
		t.Fatalf("composite %s", r.raw)
	}
	for _, i := range []int{3, 4, 5} {
		if res[i].HTTPStatusCode != 400 || res[i].code(t) != "PROCESSING_HALTED" {
			t.Errorf("subrequest %d: %s", i, res[i].Body)
		}
	}
	contacts := srv.Records("Contact")
	if len(contacts) != 1 || contacts[0]["LastName"] != "of first" || contacts[0]["AccountId"] == nil {
		t.Errorf("contacts %v", contacts)
	}
	// Composite cannot nest a composite; graph nodes must be sObject requests.
	r = c.mustStatus(c.do("POST", "composite", map[string]any{"compositeRequest": []any{
		sub("POST", "composite", "inner", map[string]any{"compositeRequest": []any{}}),
		map[string]any{"method": "GET", "url": "/elsewhere", "referenceId": "outside"},
	}}), 200)
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.CompositeResponse[0].HTTPStatusCode != 400 || body.CompositeResponse[1].HTTPStatusCode != 404 {
		t.Errorf("nested composite %s", r.raw)
	}
}

func TestReadByExternalIDAndDescribe(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	c.mustStatus(c.do("PATCH", "sobjects/Product2/BigCommerce_Product_Key__c/SKU-1", map[string]any{"Name": "Widget"}), 201)
	got := c.mustStatus(c.do("GET", "sobjects/Product2/BigCommerce_Product_Key__c/SKU-1?fields=Name", nil), 200).object(t)
	if got["Name"] != "Widget" {
		t.Errorf("get by external id %v", got)
	}
	if r := c.do("GET", "sobjects/Product2/BigCommerce_Product_Key__c/none", nil); r.status != 404 {
		t.Errorf("missing: %d", r.status)
	}
	srv.Seed("Product2", Record{"Name": "a", "BigCommerce_Product_Key__c": "dup"})
	srv.Seed("Product2", Record{"Name": "b", "BigCommerce_Product_Key__c": "dup"})
	if r := c.do("GET", "sobjects/Product2/BigCommerce_Product_Key__c/dup", nil); r.status != 300 {
		t.Errorf("ambiguous: %d", r.status)
	}
	// A lookup by external ID that matches two records is refused.
	r := c.do("POST", "sobjects/PricebookEntry", map[string]any{"Pricebook2Id": srv.StandardPricebookID(),
		"Product2": map[string]any{"BigCommerce_Product_Key__c": "dup"}, "UnitPrice": 1})
	if r.status != 400 || r.errorCode(t) != "DUPLICATE_EXTERNAL_ID" {
		t.Errorf("ambiguous lookup: %d %s", r.status, r.raw)
	}
	// Setting an external ID another record holds is a DUPLICATE_VALUE.
	other := c.mustStatus(c.do("POST", "sobjects/Product2", map[string]any{"Name": "c"}), 201).object(t)["id"].(string)
	r = c.do("PATCH", "sobjects/Product2/"+other, map[string]any{"BigCommerce_Product_Key__c": "SKU-1"})
	if r.status != 400 || r.errorCode(t) != "DUPLICATE_VALUE" || !strings.Contains(string(r.raw), "BigCommerce_Product_Key__c") {
		t.Errorf("duplicate value: %d %s", r.status, r.raw)
	}
	desc := c.mustStatus(c.do("GET", "sobjects/OrderItem/describe", nil), 200).object(t)
	found := false
	for _, f := range desc["fields"].([]any) {
		m := f.(map[string]any)
		if m["name"] == "PricebookEntryId" {
			found = m["updateable"] == false && m["createable"] == true && m["nillable"] == false
		}
	}
	if !found || desc["keyPrefix"] != "802" {
		t.Errorf("describe %v", desc)
	}
	global := c.mustStatus(c.do("GET", "sobjects", nil), 200).object(t)
	if len(global["sobjects"].([]any)) < 9 {
		t.Errorf("describe global %v", global)
	}
	c.mustStatus(c.do("GET", "sobjects/Account", nil), 200)
}

func TestCollectionsUpsertNumericKeys(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	r := c.mustStatus(c.do("PATCH", "composite/sobjects/Opportunity/BigCommerce_Order_Id__c", map[string]any{"records": []any{
		map[string]any{"attributes": map[string]any{"type": "Opportunity"}, "BigCommerce_Order_Id__c": 250,
			"Name": "Order 250", "StageName": "Closed Won", "CloseDate": "2026-01-15", "Amount": json.Number("10.10")},
		map[string]any{"attributes": map[string]any{"type": "Account"}, "BigCommerce_Order_Id__c": 251, "Name": "wrong type"},
		map[string]any{"attributes": map[string]any{"type": "Opportunity"}, "BigCommerce_Order_Id__c": 252, "Id": "006000000000000AAA"},
	}}), 200)
	res := items(t, r)
	if !res[0].Success || res[1].Errors[0].StatusCode != "INVALID_TYPE" || res[2].Errors[0].StatusCode != "INVALID_FIELD" {
		t.Fatalf("results %s", r.raw)
	}
	// The numeric key is stored as the text the upsert path would use, so a
	// single-record upsert finds it.
	c.mustStatus(c.do("PATCH", "sobjects/Opportunity/BigCommerce_Order_Id__c/250", map[string]any{"StageName": "Closed Lost"}), 200)
	rec, ok := srv.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", "250")
	if !ok || rec["Amount"] != json.Number("10.10") || rec["StageName"] != "Closed Lost" {
		t.Errorf("record %v", rec)
	}
	if r := c.do("PATCH", "composite/sobjects/Opportunity/BigCommerce_Order_Id__c", "{"); r.status != 400 {
		t.Errorf("bad body: %d", r.status)
	}
	if r := c.do("PUT", "composite/sobjects", nil); r.status != 405 {
		t.Errorf("PUT: %d", r.status)
	}
}

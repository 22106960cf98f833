package sftest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestCreateGetUpdateDelete(t *testing.T) {
	t.Parallel()
	_, c := newOrg(t)
	r := c.mustStatus(c.do("POST", "sobjects/Account", map[string]any{"name": "Acme", "Phone": "1"}), 201)
	body := r.object(t)
	id := body["id"].(string)
	if len(id) != 18 || !strings.HasPrefix(id, "001") || body["success"] != true || len(body["errors"].([]any)) != 0 {
		t.Fatalf("create body %s", r.raw)
	}
	if loc := r.header.Get("Location"); loc != "/services/data/v64.0/sobjects/Account/"+id {
		t.Errorf("Location %q", loc)
	}

	got := c.mustStatus(c.do("GET", "sobjects/Account/"+id[:15]+"?fields=Name,Missing", nil), 200).object(t)
	if got["Name"] != "Acme" || got["Id"] != id || got["Missing"] != nil {
		t.Errorf("get %v", got)
	}
	if _, ok := got["Phone"]; ok {
		t.Errorf("fields= not honoured: %v", got)
	}
	attrs := got["attributes"].(map[string]any)
	if attrs["type"] != "Account" || attrs["url"] != "/services/data/v64.0/sobjects/Account/"+id {
		t.Errorf("attributes %v", attrs)
	}

	c.mustStatus(c.do("PATCH", "sobjects/Account/"+id, map[string]any{"Name": "Acme Ltd"}), 204)
	if rec, _ := c.srv.Record(id); rec["Name"] != "Acme Ltd" || rec["Phone"] != "1" {
		t.Errorf("after update %v", rec)
	}
	c.mustStatus(c.do("DELETE", "sobjects/Account/"+id, nil), 204)
	if r := c.do("GET", "sobjects/Account/"+id, nil); r.status != 404 || r.errorCode(t) != "NOT_FOUND" {
		t.Errorf("after delete %d %s", r.status, r.raw)
	}
}

func TestKeyPrefixes(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	pbe := seedPricing(t, c)
	acct := c.mustStatus(c.do("POST", "sobjects/Account", map[string]any{"Name": "A"}), 201).object(t)["id"].(string)
	order := c.mustStatus(c.do("POST", "sobjects/Order", map[string]any{
		"AccountId": acct, "EffectiveDate": "2026-01-15", "Status": "Draft", "Pricebook2Id": srv.StandardPricebookID(),
	}), 201).object(t)["id"].(string)
	item := c.mustStatus(c.do("POST", "sobjects/OrderItem", map[string]any{
		"OrderId": order, "PricebookEntryId": pbe, "Quantity": 2, "UnitPrice": json.Number("19.99"),
	}), 201).object(t)["id"].(string)
	contact := c.mustStatus(c.do("POST", "sobjects/Contact", map[string]any{"LastName": "L"}), 201).object(t)["id"].(string)
	opp := c.mustStatus(c.do("POST", "sobjects/Opportunity", map[string]any{"Name": "O", "StageName": "Closed Won", "CloseDate": "2026-02-28"}), 201).object(t)["id"].(string)
	for id, prefix := range map[string]string{acct: "001", contact: "003", opp: "006", order: "801", item: "802",
		pbe: "01u", srv.StandardPricebookID(): "01s"} {
		if len(id) != 18 || id[:3] != prefix || normalizeID(id[:15]) != id {
			t.Errorf("id %s: want prefix %s and a valid checksum", id, prefix)
		}
	}
	rec, _ := srv.Record(item)
	if rec["ListPrice"] != json.Number("9.99") || rec["UnitPrice"] != json.Number("19.99") || !strings.HasPrefix(rec["Product2Id"].(string), "01t") {
		t.Errorf("order item %v", rec)
	}
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	path := "sobjects/Account/BigCommerce_Customer_Key__c/a%2Fb@example.com"
	r := c.mustStatus(c.do("PATCH", path, map[string]any{"Name": "First"}), 201)
	created := r.object(t)
	if created["created"] != true || created["success"] != true {
		t.Fatalf("insert body %s", r.raw)
	}
	r = c.mustStatus(c.do("PATCH", path, map[string]any{"Name": "Second"}), 200)
	updated := r.object(t)
	if updated["created"] != false || updated["id"] != created["id"] {
		t.Fatalf("update body %s", r.raw)
	}
	recs := srv.Records("Account")
	if len(recs) != 1 || recs[0]["Name"] != "Second" || recs[0]["BigCommerce_Customer_Key__c"] != "a/b@example.com" {
		t.Fatalf("records %v", recs)
	}
	// Case matters for a text external ID unless it is marked case-insensitive.
	c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/A%2FB@example.com", map[string]any{"Name": "Other"}), 201)

	// Before API 46.0 an update answered 204 with no body.
	old := c.do("PATCH", "/services/data/v45.0/"+path, map[string]any{"Name": "Third"})
	if old.status != 204 || len(old.raw) != 0 {
		t.Errorf("v45 update: %d %s", old.status, old.raw)
	}
	if r := c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/new?updateOnly=true", map[string]any{"Name": "X"}); r.status != 404 {
		t.Errorf("updateOnly: %d %s", r.status, r.raw)
	}
}

func TestUpsertErrors(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	id1, _ := srv.Seed("Account", Record{"Name": "One", "BigCommerce_Customer_Key__c": "dup"})
	id2, _ := srv.Seed("Account", Record{"Name": "Two", "BigCommerce_Customer_Key__c": "dup"})
	tests := []struct {
		name, path string
		body       any
		status     int
		code       string
	}{
		{"unknown object", "sobjects/Nope__c/BigCommerce_Customer_Key__c/1", map[string]any{"Name": "x"}, 404, "NOT_FOUND"},
		{"not an external id", "sobjects/Account/Name/1", map[string]any{"Name": "x"}, 404, "NOT_FOUND"},
		{"missing required", "sobjects/Account/BigCommerce_Customer_Key__c/2", map[string]any{"Phone": "x"}, 400, "REQUIRED_FIELD_MISSING"},
		{"Id in body", "sobjects/Account/BigCommerce_Customer_Key__c/3", map[string]any{"Name": "x", "Id": id1}, 400, "INVALID_FIELD"},
		{"bad json", "sobjects/Account/BigCommerce_Customer_Key__c/4", "{", 400, "JSON_PARSER_ERROR"},
		{"too long", "sobjects/Account/BigCommerce_Customer_Key__c/5", map[string]any{"Name": strings.Repeat("x", 256)}, 400, "STRING_TOO_LONG"},
		{"body ext id differs", "sobjects/Account/BigCommerce_Customer_Key__c/6", map[string]any{"Name": "x", "BigCommerce_Customer_Key__c": "7"}, 400, "INVALID_FIELD"},
	}
	for _, tc := range tests {
		r := c.do("PATCH", tc.path, tc.body)
		if r.status != tc.status || r.errorCode(t) != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.raw, tc.status, tc.code)
		}
	}
	r := c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/dup", map[string]any{"Name": "x"})
	if r.status != 300 {
		t.Fatalf("multiple matches: %d %s", r.status, r.raw)
	}
	var urls []string
	if err := json.Unmarshal(r.raw, &urls); err != nil || len(urls) != 2 ||
		!strings.HasSuffix(urls[0], id1) || !strings.HasSuffix(urls[1], id2) {
		t.Errorf("300 body %s", r.raw)
	}
	if len(srv.Records("Account")) != 2 {
		t.Errorf("a failed upsert wrote: %v", srv.Records("Account"))
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	pbe := seedPricing(t, c)
	acct := c.mustStatus(c.do("POST", "sobjects/Account", map[string]any{"Name": "A"}), 201).object(t)["id"].(string)
	order := c.mustStatus(c.do("POST", "sobjects/Order", map[string]any{
		"AccountId": acct, "EffectiveDate": "2026-01-15", "Status": "Draft", "Pricebook2Id": srv.StandardPricebookID(),
	}), 201).object(t)["id"].(string)
	item := c.mustStatus(c.do("POST", "sobjects/OrderItem", map[string]any{
		"OrderId": order, "PricebookEntryId": pbe, "Quantity": 1, "UnitPrice": 1,
	}), 201).object(t)["id"].(string)
	otherBook := c.mustStatus(c.do("POST", "sobjects/Pricebook2", map[string]any{"Name": "Web"}), 201).object(t)["id"].(string)
	bareOrder := c.mustStatus(c.do("POST", "sobjects/Order", map[string]any{
		"AccountId": acct, "EffectiveDate": "2026-01-15", "Status": "Draft", "Pricebook2Id": otherBook,
	}), 201).object(t)["id"].(string)

	tests := []struct {
		name, method, path string
		body               map[string]any
		code               string
		fields             []string
	}{
		{"contact last name", "POST", "sobjects/Contact", map[string]any{"FirstName": "F"}, "REQUIRED_FIELD_MISSING", []string{"LastName"}},
		{"contact last name 81", "POST", "sobjects/Contact", map[string]any{"LastName": strings.Repeat("é", 81)}, "STRING_TOO_LONG", []string{"LastName"}},
		{"opportunity trio", "POST", "sobjects/Opportunity", map[string]any{"Name": "O"}, "REQUIRED_FIELD_MISSING", []string{"StageName", "CloseDate"}},
		{"opportunity name 121", "POST", "sobjects/Opportunity", map[string]any{"Name": strings.Repeat("n", 121), "StageName": "s", "CloseDate": "2026-01-01"}, "STRING_TOO_LONG", []string{"Name"}},
		{"close date format", "POST", "sobjects/Opportunity", map[string]any{"Name": "O", "StageName": "s", "CloseDate": "2026/01/01"}, "JSON_PARSER_ERROR", []string{"CloseDate"}},
		{"close date day", "POST", "sobjects/Opportunity", map[string]any{"Name": "O", "StageName": "s", "CloseDate": "2026-02-29"}, "JSON_PARSER_ERROR", []string{"CloseDate"}},
		{"order required", "POST", "sobjects/Order", map[string]any{"AccountId": acct}, "REQUIRED_FIELD_MISSING", []string{"EffectiveDate", "Status"}},
		{"order account wrong type", "POST", "sobjects/Order", map[string]any{"AccountId": order, "EffectiveDate": "2026-01-01", "Status": "Draft"}, "MALFORMED_ID", []string{"AccountId"}},
		{"order account missing", "POST", "sobjects/Order", map[string]any{"AccountId": "001000000000000AAA", "EffectiveDate": "2026-01-01", "Status": "Draft"}, "INVALID_CROSS_REFERENCE_KEY", []string{"AccountId"}},
		{"order item required", "POST", "sobjects/OrderItem", map[string]any{"OrderId": order}, "REQUIRED_FIELD_MISSING", []string{"PricebookEntryId", "Quantity", "UnitPrice"}},
		{"order item price book", "POST", "sobjects/OrderItem", map[string]any{"OrderId": bareOrder, "PricebookEntryId": pbe, "Quantity": 1, "UnitPrice": 1}, "FIELD_INTEGRITY_EXCEPTION", []string{"PricebookEntryId"}},
		{"pricebook entry create-only", "PATCH", "sobjects/OrderItem/" + item, map[string]any{"PricebookEntryId": pbe}, "INVALID_FIELD_FOR_INSERT_UPDATE", []string{"PricebookEntryId"}},
		{"clear required", "PATCH", "sobjects/Account/" + acct, map[string]any{"Name": nil}, "REQUIRED_FIELD_MISSING", []string{"Name"}},
		{"relationship not found", "POST", "sobjects/Contact", map[string]any{"LastName": "L", "Account": map[string]any{"BigCommerce_Customer_Key__c": "nobody"}}, "INVALID_FIELD", []string{"AccountId"}},
		{"array value", "POST", "sobjects/Account", map[string]any{"Name": []any{"a"}}, "JSON_PARSER_ERROR", nil},
	}
	before := len(srv.Records("Order")) + len(srv.Records("Contact")) + len(srv.Records("Opportunity")) + len(srv.Records("OrderItem"))
	for _, tc := range tests {
		r := c.do(tc.method, tc.path, tc.body)
		arr, ok := r.json(t).([]any)
		if r.status != 400 || !ok {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
			continue
		}
		e := arr[0].(map[string]any)
		var fields []string
		if f, ok := e["fields"].([]any); ok {
			for _, x := range f {
				fields = append(fields, x.(string))
			}
		}
		if e["errorCode"] != tc.code || strings.Join(fields, ",") != strings.Join(tc.fields, ",") {
			t.Errorf("%s: got %s, want %s %v", tc.name, r.raw, tc.code, tc.fields)
		}
	}
	after := len(srv.Records("Order")) + len(srv.Records("Contact")) + len(srv.Records("Opportunity")) + len(srv.Records("OrderItem"))
	if after != before {
		t.Errorf("failed writes left %d records", after-before)
	}
	if rec, _ := srv.Record(acct); rec["Name"] != "A" {
		t.Errorf("failed update changed the account: %v", rec)
	}
}

func TestRelationshipByExternalID(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	acct := c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k1", map[string]any{"Name": "A"}), 201).object(t)["id"]
	r := c.mustStatus(c.do("POST", "sobjects/Contact", map[string]any{
		"LastName": "L", "Account": map[string]any{"BigCommerce_Customer_Key__c": "k1"},
	}), 201)
	rec, _ := srv.Record(r.object(t)["id"].(string))
	if rec["AccountId"] != acct {
		t.Errorf("AccountId %v, want %v", rec["AccountId"], acct)
	}
	if _, ok := rec["Account"]; ok {
		t.Errorf("relationship object stored: %v", rec)
	}
}

func TestUnknownRoutesAndVersions(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t, WithAPIVersions("v64.0"))
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/services/data/v63.0/limits", 404},
		{"GET", "/services/data/vX/limits", 404},
		{"GET", "/services/nothing", 404},
		{"PUT", "sobjects/Account/001000000000000AAA", 405},
		{"GET", "sobjects/Account/notanid", 404},
		{"GET", "sobjects/Nope", 404},
		{"GET", "nothing", 404},
		{"POST", "limits", 405},
	}
	for _, tc := range tests {
		if r := c.do(tc.method, tc.path, nil); r.status != tc.status {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, r.status, tc.status, r.raw)
		}
	}
	r := c.mustStatus(c.do("GET", "/services/data/", nil), 200)
	if arr, ok := r.json(t).([]any); !ok || len(arr) != 1 || arr[0].(map[string]any)["version"] != "64.0" {
		t.Errorf("versions %s", r.raw)
	}
	if r.header.Get("Sforce-Limit-Info") != "" {
		t.Error("versions list carries Sforce-Limit-Info")
	}
	_ = srv
}

func TestErrorBodyShapes(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	srv.Seed("Account", Record{"Name": "a", "BigCommerce_Customer_Key__c": "k"})
	other, _ := srv.Seed("Account", Record{"Name": "b"})
	r := c.do("PATCH", "sobjects/Account/"+other, map[string]any{"BigCommerce_Customer_Key__c": "k"})
	if r.status != 400 || string(r.raw) != `[{"message":"duplicate value found: BigCommerce_Customer_Key__c duplicates value on record with id: `+
		srv.Records("Account")[0]["Id"].(string)+`","errorCode":"DUPLICATE_VALUE","fields":[]}]` {
		t.Errorf("DUPLICATE_VALUE body %s", r.raw)
	}
	r = c.do("GET", "sobjects/Account/BigCommerce_Customer_Key__c/none", nil)
	if string(r.raw) != `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]` {
		t.Errorf("NOT_FOUND body %s", r.raw)
	}
}

// TestActivatedOrderLocksItems checks the activated-Order rule: StatusCode
// follows Status, and an activated Order's products can be neither added
// nor changed, while the Order itself can.
func TestActivatedOrderLocksItems(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	pbe := seedPricing(t, c)
	acct := c.mustStatus(c.do("POST", "sobjects/Account", map[string]any{"Name": "A"}), 201).object(t)["id"].(string)
	order := c.mustStatus(c.do("POST", "sobjects/Order", map[string]any{
		"AccountId": acct, "EffectiveDate": "2026-01-15", "Status": "Draft", "Pricebook2Id": srv.StandardPricebookID(),
	}), 201).object(t)["id"].(string)
	item := c.mustStatus(c.do("POST", "sobjects/OrderItem", map[string]any{
		"OrderId": order, "PricebookEntryId": pbe, "Quantity": 1, "UnitPrice": 1,
	}), 201).object(t)["id"].(string)
	statusCode := func() any {
		rec, _ := srv.Record(order)
		return rec["StatusCode"]
	}
	if got := statusCode(); got != "Draft" {
		t.Fatalf("StatusCode of a draft Order %v, want Draft", got)
	}
	c.mustStatus(c.do("PATCH", "sobjects/Order/"+order, map[string]any{"Status": "Activated"}), 204)
	if got := statusCode(); got != "Activated" {
		t.Fatalf("StatusCode after activation %v, want Activated", got)
	}
	rows := c.mustStatus(c.do("GET", "query?q="+url.QueryEscape("SELECT Id, Order.StatusCode FROM OrderItem"), nil), 200).object(t)
	if !strings.Contains(fmt.Sprint(rows["records"]), "StatusCode:Activated") {
		t.Errorf("Order.StatusCode not queryable through the item: %v", rows["records"])
	}
	if r := c.do("POST", "sobjects/OrderItem", map[string]any{
		"OrderId": order, "PricebookEntryId": pbe, "Quantity": 1, "UnitPrice": 1,
	}); r.status != 400 || r.errorCode(t) != "FIELD_INTEGRITY_EXCEPTION" {
		t.Errorf("new item on an activated Order: %d %s", r.status, r.raw)
	}
	if r := c.do("PATCH", "sobjects/OrderItem/"+item, map[string]any{"Quantity": 2}); r.status != 400 || r.errorCode(t) != "FIELD_INTEGRITY_EXCEPTION" {
		t.Errorf("changed item on an activated Order: %d %s", r.status, r.raw)
	}
	if rec, _ := srv.Record(item); fmt.Sprint(rec["Quantity"]) != "1" {
		t.Errorf("refused update changed the item: %v", rec)
	}
	c.mustStatus(c.do("PATCH", "sobjects/Order/"+order, map[string]any{"Description": "cancelled in the shop"}), 204)
	c.mustStatus(c.do("PATCH", "sobjects/Order/"+order, map[string]any{"Status": "Draft"}), 204)
	c.mustStatus(c.do("PATCH", "sobjects/OrderItem/"+item, map[string]any{"Quantity": 2}), 204)
}

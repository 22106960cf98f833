package sftest

import (
	"encoding/json"
	"fmt"
	"testing"
)

type itemResult struct {
	ID      string `json:"id"`
	Success bool   `json:"success"`
	Created *bool  `json:"created"`
	Errors  []struct {
		StatusCode string   `json:"statusCode"`
		Message    string   `json:"message"`
		Fields     []string `json:"fields"`
	} `json:"errors"`
}

func items(t *testing.T, r result) []itemResult {
	t.Helper()
	var out []itemResult
	if err := json.Unmarshal(r.raw, &out); err != nil {
		t.Fatalf("collection result %s: %v", r.raw, err)
	}
	return out
}

func acctRec(fields map[string]any) map[string]any {
	fields["attributes"] = map[string]any{"type": "Account"}
	return fields
}

func TestCollectionsCreateAndUpdate(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	r := c.mustStatus(c.do("POST", "composite/sobjects", map[string]any{"records": []any{
		acctRec(map[string]any{"Name": "one"}),
		acctRec(map[string]any{"Phone": "no name"}),
		map[string]any{"LastName": "typeless"},
		acctRec(map[string]any{"Name": "two"}),
	}}), 200)
	res := items(t, r)
	if len(res) != 4 || !res[0].Success || res[1].Success || res[2].Success || !res[3].Success {
		t.Fatalf("results %s", r.raw)
	}
	if res[1].Errors[0].StatusCode != "REQUIRED_FIELD_MISSING" || res[1].Errors[0].Fields[0] != "Name" ||
		res[2].Errors[0].StatusCode != "INVALID_TYPE" {
		t.Errorf("errors %s", r.raw)
	}
	if len(srv.Records("Account")) != 2 {
		t.Errorf("allOrNone=false kept %d records, want 2", len(srv.Records("Account")))
	}

	r = c.mustStatus(c.do("PATCH", "composite/sobjects", map[string]any{"allOrNone": true, "records": []any{
		acctRec(map[string]any{"id": res[0].ID, "Name": "one v2"}),
		acctRec(map[string]any{"id": res[3].ID, "Name": nil}),
	}}), 200)
	upd := items(t, r)
	if upd[0].Success || upd[0].Errors[0].StatusCode != "ALL_OR_NONE_OPERATION_ROLLED_BACK" ||
		upd[1].Errors[0].StatusCode != "REQUIRED_FIELD_MISSING" {
		t.Errorf("allOrNone update %s", r.raw)
	}
	if rec, _ := srv.Record(res[0].ID); rec["Name"] != "one" {
		t.Errorf("rolled-back update stuck: %v", rec)
	}
	r = c.mustStatus(c.do("PATCH", "composite/sobjects", map[string]any{"records": []any{
		acctRec(map[string]any{"id": res[0].ID, "Name": "one v2"}),
	}}), 200)
	if !items(t, r)[0].Success {
		t.Errorf("update %s", r.raw)
	}
	r = c.mustStatus(c.do("DELETE", "composite/sobjects?ids="+res[0].ID+","+res[3].ID, nil), 200)
	if del := items(t, r); !del[0].Success || !del[1].Success || len(srv.Records("Account")) != 0 {
		t.Errorf("delete %s", r.raw)
	}
}

func TestCollectionsUpsert(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/old", map[string]any{"Name": "Old"}), 201)
	path := "composite/sobjects/Account/BigCommerce_Customer_Key__c"
	r := c.mustStatus(c.do("PATCH", path, map[string]any{"allOrNone": false, "records": []any{
		acctRec(map[string]any{"BigCommerce_Customer_Key__c": "new", "Name": "New"}),
		acctRec(map[string]any{"BigCommerce_Customer_Key__c": "old", "Name": "Old v2"}),
		acctRec(map[string]any{"BigCommerce_Customer_Key__c": "twice", "Name": "A"}),
		acctRec(map[string]any{"BigCommerce_Customer_Key__c": "twice", "Name": "B"}),
		acctRec(map[string]any{"Name": "no key"}),
	}}), 200)
	res := items(t, r)
	if !res[0].Success || !*res[0].Created || !res[1].Success || *res[1].Created {
		t.Errorf("created flags %s", r.raw)
	}
	for i, code := range map[int]string{2: "DUPLICATE_EXTERNAL_ID", 3: "DUPLICATE_EXTERNAL_ID", 4: "MISSING_ARGUMENT"} {
		if res[i].Success || res[i].Errors[0].StatusCode != code {
			t.Errorf("record %d: %s", i, r.raw)
		}
	}
	if rec, ok := srv.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "old"); !ok || rec["Name"] != "Old v2" {
		t.Errorf("old %v", rec)
	}

	many := make([]any, 201)
	for i := range many {
		many[i] = acctRec(map[string]any{"BigCommerce_Customer_Key__c": fmt.Sprint(i), "Name": "n"})
	}
	if r := c.do("PATCH", path, map[string]any{"records": many}); r.status != 400 || r.errorCode(t) != "EXCEEDED_ID_LIMIT" {
		t.Errorf("201 records: %d %s", r.status, r.raw)
	}
	if r := c.do("PATCH", "composite/sobjects/Account/Name", map[string]any{"records": many[:1]}); r.status != 404 {
		t.Errorf("non external id field: %d %s", r.status, r.raw)
	}
}

func TestCollectionsAllOrNoneCreateWritesNothing(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	recs := make([]any, 0, 200)
	for i := 0; i < 199; i++ {
		recs = append(recs, acctRec(map[string]any{"Name": fmt.Sprint(i)}))
	}
	recs = append(recs, acctRec(map[string]any{}))
	r := c.mustStatus(c.do("POST", "composite/sobjects", map[string]any{"allOrNone": true, "records": recs}), 200)
	res := items(t, r)
	if len(res) != 200 || res[199].Errors[0].StatusCode != "REQUIRED_FIELD_MISSING" || res[0].ID != "" ||
		res[0].Errors[0].StatusCode != "ALL_OR_NONE_OPERATION_ROLLED_BACK" {
		t.Errorf("results %s", r.raw[:200])
	}
	if n := len(srv.Records("Account")); n != 0 {
		t.Errorf("%d records left after allOrNone failure", n)
	}
}

package sftest

import (
	"encoding/json"
	"errors"
	"testing"
)

// dupBody is the DUPLICATES_DETECTED error element, decoded apart from the
// fake's own types.
type dupBody []struct {
	ErrorCode  string `json:"errorCode"`
	Message    string `json:"message"`
	Duplicates *struct {
		AllowSave     bool   `json:"allowSave"`
		DuplicateRule string `json:"duplicateRule"`
		EntityType    string `json:"duplicateRuleEntityType"`
		MatchResults  []struct {
			MatchRecords []struct {
				Record struct {
					ID string `json:"Id"`
				} `json:"record"`
			} `json:"matchRecords"`
		} `json:"matchResults"`
	} `json:"duplicateResut"`
}

func wantDuplicate(t *testing.T, r result, allowSave bool, matchID string) {
	t.Helper()
	var body dupBody
	if err := json.Unmarshal(r.raw, &body); err != nil || r.status != 400 || len(body) != 1 || body[0].ErrorCode != "DUPLICATES_DETECTED" ||
		body[0].Duplicates == nil || body[0].Duplicates.AllowSave != allowSave || body[0].Duplicates.EntityType != "Contact" ||
		len(body[0].Duplicates.MatchResults) != 1 || body[0].Duplicates.MatchResults[0].MatchRecords[0].Record.ID != matchID {
		t.Fatalf("want DUPLICATES_DETECTED (allowSave %v) matching %s, got %d %s", allowSave, matchID, r.status, r.raw)
	}
}

func TestDuplicateRuleAlert(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	if err := srv.AddDuplicateRule(DuplicateRule{Object: "contact", Fields: []string{"email"}}); err != nil {
		t.Fatal(err)
	}
	first := c.mustStatus(c.do("POST", "sobjects/Contact", map[string]any{"LastName": "A", "Email": "Ada@Example.com"}), 201).object(t)["id"].(string)
	// An update of the record itself is no duplicate of it.
	c.mustStatus(c.do("PATCH", "sobjects/Contact/"+first, map[string]any{"FirstName": "Ada"}), 204)
	wantDuplicate(t, c.do("POST", "sobjects/Contact", map[string]any{"LastName": "B", "Email": " ada@example.com"}), true, first)
	wantDuplicate(t, c.do("PATCH", "sobjects/Contact/BigCommerce_Customer_Key__c/k2", map[string]any{"LastName": "B", "Email": "ada@example.com"}), true, first)
	c.mustStatus(c.do("POST", "sobjects/Contact", map[string]any{"LastName": "C"}), 201) // no e-mail: no match
	if n := len(srv.Records("Contact")); n != 2 {
		t.Fatalf("%d contacts after refused saves, want 2", n)
	}

	// allowSave=true lets an Alert rule's duplicate through.
	c.extra = map[string]string{"Sforce-Duplicate-Rule-Header": "allowSave=true; includeRecordDetails=false"}
	c.mustStatus(c.do("PATCH", "sobjects/Contact/BigCommerce_Customer_Key__c/k2", map[string]any{"LastName": "B", "Email": "ada@example.com"}), 201)
	c.extra = nil

	// Collections report it per record.
	r := c.mustStatus(c.do("POST", "composite/sobjects", map[string]any{"records": []any{
		map[string]any{"attributes": map[string]any{"type": "Contact"}, "LastName": "D", "Email": "ADA@example.com"}}}), 200)
	var items []struct {
		Success bool `json:"success"`
		Errors  []struct {
			StatusCode string `json:"statusCode"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.raw, &items); err != nil || len(items) != 1 || items[0].Success || items[0].Errors[0].StatusCode != "DUPLICATES_DETECTED" {
		t.Errorf("collection: %s", r.raw)
	}
}

func TestDuplicateRuleBlockIgnoresAllowSave(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	if err := srv.AddDuplicateRule(DuplicateRule{Name: "No_Twins", Object: "Contact", Fields: []string{"LastName", "Email"}, Block: true}); err != nil {
		t.Fatal(err)
	}
	first := c.mustStatus(c.do("POST", "sobjects/Contact", map[string]any{"LastName": "A", "Email": "a@x.example"}), 201).object(t)["id"].(string)
	c.mustStatus(c.do("POST", "sobjects/Contact", map[string]any{"LastName": "Other", "Email": "a@x.example"}), 201) // one field differs
	c.extra = map[string]string{"Sforce-Duplicate-Rule-Header": "allowSave=true"}
	r := c.do("POST", "sobjects/Contact", map[string]any{"LastName": "a", "Email": "A@X.example"})
	wantDuplicate(t, r, false, first)
}

// In a graph, a node takes the header from its own httpHeaders; the
// top-level header does not reach it.
func TestDuplicateRuleInGraph(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	if err := srv.AddDuplicateRule(DuplicateRule{Object: "Contact", Fields: []string{"Email"}}); err != nil {
		t.Fatal(err)
	}
	c.mustStatus(c.do("POST", "sobjects/Contact", map[string]any{"LastName": "A", "Email": "a@x.example"}), 201)
	graph := func(headers map[string]string) map[string]any {
		node := sub("PATCH", "sobjects/Contact/BigCommerce_Customer_Key__c/k9", "c", map[string]any{"LastName": "B", "Email": "a@x.example"})
		if headers != nil {
			node["httpHeaders"] = headers
		}
		return map[string]any{"graphs": []any{map[string]any{"graphId": "g", "compositeRequest": []any{node}}}}
	}
	ok := func(r result) bool {
		var out struct {
			Graphs []struct {
				IsSuccessful bool `json:"isSuccessful"`
			} `json:"graphs"`
		}
		return json.Unmarshal(r.raw, &out) == nil && len(out.Graphs) == 1 && out.Graphs[0].IsSuccessful
	}
	c.extra = map[string]string{"Sforce-Duplicate-Rule-Header": "allowSave=true"}
	if r := c.mustStatus(c.do("POST", "composite/graph", graph(nil)), 200); ok(r) {
		t.Fatalf("the top-level header reached the node: %s", r.raw)
	}
	c.extra = nil
	if r := c.mustStatus(c.do("POST", "composite/graph", graph(map[string]string{"Sforce-Duplicate-Rule-Header": "allowSave=true"})), 200); !ok(r) {
		t.Fatalf("the node's own header did not pass the Alert rule: %s", r.raw)
	}
	if n := len(srv.Records("Contact")); n != 2 {
		t.Errorf("%d contacts, want 2", n)
	}
}

func TestAddDuplicateRuleValidates(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for name, r := range map[string]DuplicateRule{
		"unknown object": {Object: "Nope__c", Fields: []string{"Name"}},
		"no fields":      {Object: "Contact"},
	} {
		if err := srv.AddDuplicateRule(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

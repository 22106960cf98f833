package sftest

import (
	"encoding/json"
	"testing"
)

// In a Composite Graph an upsert's external ID is always in the node's URL
// path, so a value ending in ".inc" fails the node with 404 NOT_FOUND, in
// the body a real org sends, and rolls the graph back.
func TestExternalIDLikeAFileInAGraphNode(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	graph := map[string]any{"graphs": []any{map[string]any{"graphId": "order_1", "compositeRequest": []any{
		sub("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/ops@studio.inc", "acct", map[string]any{"Name": "Studio"}),
		sub("PATCH", "sobjects/Contact/BigCommerce_Customer_Key__c/ops@studio.inc", "contact",
			map[string]any{"LastName": "Ops", "AccountId": "@{acct.id}"}),
	}}}}
	r := c.mustStatus(c.do("POST", "composite/graph", graph), 200)
	var out struct {
		Graphs []struct {
			IsSuccessful  bool `json:"isSuccessful"`
			GraphResponse struct {
				CompositeResponse []struct {
					Body           []map[string]any `json:"body"`
					HTTPStatusCode int              `json:"httpStatusCode"`
					ReferenceID    string           `json:"referenceId"`
				} `json:"compositeResponse"`
			} `json:"graphResponse"`
		} `json:"graphs"`
	}
	if err := json.Unmarshal(r.raw, &out); err != nil || len(out.Graphs) != 1 || out.Graphs[0].IsSuccessful {
		t.Fatalf("graph %s", r.raw)
	}
	first := out.Graphs[0].GraphResponse.CompositeResponse[0]
	if first.ReferenceID != "acct" || first.HTTPStatusCode != 404 || len(first.Body) != 1 ||
		first.Body[0]["errorCode"] != "NOT_FOUND" || first.Body[0]["message"] != "The requested resource does not exist" {
		t.Errorf("node %+v, want 404 NOT_FOUND", first)
	}
	if n := len(srv.Records("Account")) + len(srv.Records("Contact")); n != 0 {
		t.Errorf("%d records left by a failed graph", n)
	}
}

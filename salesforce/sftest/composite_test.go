package sftest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type subres struct {
	Body           json.RawMessage   `json:"body"`
	HTTPHeaders    map[string]string `json:"httpHeaders"`
	HTTPStatusCode int               `json:"httpStatusCode"`
	ReferenceID    string            `json:"referenceId"`
}

func (s subres) code(t *testing.T) string {
	t.Helper()
	var e []apiError
	if err := json.Unmarshal(s.Body, &e); err != nil || len(e) == 0 {
		t.Fatalf("not an error body: %s", s.Body)
	}
	return e[0].ErrorCode
}

func sub(method, url, ref string, body any) map[string]any {
	m := map[string]any{"method": method, "url": "/services/data/v64.0/" + url, "referenceId": ref}
	if body != nil {
		m["body"] = body
	}
	return m
}

func orderGraph(srv *Server, key, orderID string, pbe string, quantity any) []any {
	return []any{
		sub("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/"+key, "acct", map[string]any{"Name": "Acme " + key}),
		sub("PATCH", "sobjects/Order/BigCommerce_Order_Id__c/"+orderID, "ord", map[string]any{
			"AccountId": "@{acct.id}", "EffectiveDate": "2026-01-15", "Status": "Draft", "Pricebook2Id": srv.StandardPricebookID(),
		}),
		sub("PATCH", "sobjects/OrderItem/BigCommerce_Line_Item_Id__c/"+orderID+"-1", "li1", map[string]any{
			"OrderId": "@{ord.id}", "PricebookEntryId": pbe, "Quantity": quantity, "UnitPrice": json.Number("19.99"),
		}),
	}
}

func TestCompositeReferences(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	pbe := seedPricing(t, c)
	srv.ResetCalls()
	r := c.mustStatus(c.do("POST", "composite", map[string]any{"allOrNone": true, "compositeRequest": append(
		orderGraph(srv, "k1", "100", pbe, 2),
		sub("GET", "sobjects/Order/@{ord.id}?fields=AccountId", "read", nil),
		sub("GET", "query?q=SELECT+Id+FROM+OrderItem", "q", nil),
	)}), 200)
	var body struct{ CompositeResponse []subres }
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	res := body.CompositeResponse
	if len(res) != 5 || res[0].HTTPStatusCode != 201 || res[1].HTTPStatusCode != 201 || res[2].HTTPStatusCode != 201 ||
		res[3].HTTPStatusCode != 200 || res[4].HTTPStatusCode != 200 || res[1].ReferenceID != "ord" {
		t.Fatalf("composite %s", r.raw)
	}
	if res[0].HTTPHeaders["Location"] == "" {
		t.Errorf("201 subrequest without Location: %s", r.raw)
	}
	acct, _ := srv.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "k1")
	ord, _ := srv.RecordByExternalID("Order", "BigCommerce_Order_Id__c", "100")
	if ord["AccountId"] != acct["Id"] {
		t.Errorf("order account %v, want %v", ord["AccountId"], acct["Id"])
	}
	if srv.TotalCalls() != 1 {
		t.Errorf("composite counted as %d calls, want 1", srv.TotalCalls())
	}
}

func TestCompositeAllOrNone(t *testing.T) {
	t.Parallel()
	for _, allOrNone := range []bool{true, false} {
		t.Run(fmt.Sprint("allOrNone=", allOrNone), func(t *testing.T) {
			t.Parallel()
			srv, c := newOrg(t)
			pbe := seedPricing(t, c)
			reqs := orderGraph(srv, "k1", "100", pbe, 1)
			reqs = append(reqs, sub("POST", "sobjects/Contact", "bad", map[string]any{"FirstName": "no last name"}),
				sub("POST", "sobjects/Contact", "after", map[string]any{"LastName": "ok"}),
				sub("POST", "sobjects/Contact", "dependent", map[string]any{"LastName": "x", "AccountId": "@{bad.id}"}))
			r := c.mustStatus(c.do("POST", "composite", map[string]any{"allOrNone": allOrNone, "compositeRequest": reqs}), 200)
			var body struct{ CompositeResponse []subres }
			if err := json.Unmarshal(r.raw, &body); err != nil {
				t.Fatal(err)
			}
			res := body.CompositeResponse
			if len(res) != 6 || res[3].code(t) != "REQUIRED_FIELD_MISSING" || res[5].code(t) != "PROCESSING_HALTED" {
				t.Fatalf("composite %s", r.raw)
			}
			if allOrNone {
				for _, i := range []int{0, 1, 2, 4} {
					if res[i].HTTPStatusCode != 400 || res[i].code(t) != "PROCESSING_HALTED" {
						t.Errorf("subrequest %d: %d %s", i, res[i].HTTPStatusCode, res[i].Body)
					}
				}
				if n := len(srv.Records("Account")) + len(srv.Records("Order")) + len(srv.Records("OrderItem")) + len(srv.Records("Contact")); n != 0 {
					t.Errorf("allOrNone composite left %d records", n)
				}
				return
			}
			if res[0].HTTPStatusCode != 201 || res[4].HTTPStatusCode != 201 || len(srv.Records("Contact")) != 1 || len(srv.Records("OrderItem")) != 1 {
				t.Errorf("partial composite %s", r.raw)
			}
		})
	}
}

func TestCompositeEnvelopeErrors(t *testing.T) {
	t.Parallel()
	_, c := newOrg(t)
	many := make([]any, 26)
	for i := range many {
		many[i] = sub("GET", "limits", fmt.Sprint("r", i), nil)
	}
	tests := []struct {
		name string
		path string
		body any
		code string
	}{
		{"26 subrequests", "composite", map[string]any{"compositeRequest": many}, "LIMIT_EXCEEDED"},
		{"no subrequests", "composite", map[string]any{"compositeRequest": []any{}}, "INVALID_INPUT"},
		{"duplicate reference", "composite", map[string]any{"compositeRequest": []any{sub("GET", "limits", "a", nil), sub("GET", "limits", "a", nil)}}, "INVALID_INPUT"},
		{"bad json", "composite", "[", "JSON_PARSER_ERROR"},
		{"no graphs", "composite/graph", map[string]any{"graphs": []any{}}, "INVALID_INPUT"},
	}
	for _, tc := range tests {
		if r := c.do("POST", tc.path, tc.body); r.status != 400 || r.errorCode(t) != tc.code {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
}

type graphResp struct {
	Graphs []struct {
		GraphID       string
		IsSuccessful  bool
		GraphResponse struct{ CompositeResponse []subres }
	}
}

func TestGraphIsolation(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	pbe := seedPricing(t, c)
	srv.ResetCalls()
	graphs := []any{
		map[string]any{"graphId": "g1", "compositeRequest": orderGraph(srv, "k1", "101", pbe, 1)},
		// Quantity missing: the line item fails, so the account and order of
		// this graph must not stay behind.
		map[string]any{"graphId": "g2", "compositeRequest": orderGraph(srv, "k2", "102", pbe, nil)},
		map[string]any{"graphId": "g3", "compositeRequest": orderGraph(srv, "k3", "103", pbe, 3)},
	}
	r := c.mustStatus(c.do("POST", "composite/graph", map[string]any{"graphs": graphs}), 200)
	var body graphResp
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Graphs) != 3 || !body.Graphs[0].IsSuccessful || body.Graphs[1].IsSuccessful || !body.Graphs[2].IsSuccessful {
		t.Fatalf("graphs %s", r.raw)
	}
	g2 := body.Graphs[1].GraphResponse.CompositeResponse
	if len(g2) != 3 || g2[0].code(t) != "PROCESSING_HALTED" || g2[1].code(t) != "PROCESSING_HALTED" || g2[2].code(t) != "REQUIRED_FIELD_MISSING" {
		t.Errorf("failed graph %s", r.raw)
	}
	for _, key := range []string{"k1", "k3"} {
		if _, ok := srv.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", key); !ok {
			t.Errorf("account %s missing", key)
		}
	}
	if _, ok := srv.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "k2"); ok {
		t.Error("failed graph left its account")
	}
	if _, ok := srv.RecordByExternalID("Order", "BigCommerce_Order_Id__c", "102"); ok {
		t.Error("failed graph left its order")
	}
	if len(srv.Records("Order")) != 2 || len(srv.Records("OrderItem")) != 2 || srv.TotalCalls() != 1 {
		t.Errorf("orders %d, items %d, calls %d", len(srv.Records("Order")), len(srv.Records("OrderItem")), srv.TotalCalls())
	}

	// Re-sending the same graphs upserts: no duplicates, the good graphs
	// update, and the create-only OrderItem fields are refused on update as
	// a real org does, so those graphs now fail and roll back as a unit.
	r = c.mustStatus(c.do("POST", "composite/graph", map[string]any{"graphs": graphs[:1]}), 200)
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	res := body.Graphs[0].GraphResponse.CompositeResponse
	if body.Graphs[0].IsSuccessful || res[2].code(t) != "INVALID_FIELD_FOR_INSERT_UPDATE" || len(srv.Records("Account")) != 2 {
		t.Errorf("re-sent graph %s", r.raw)
	}
}

func TestGraphLimits(t *testing.T) {
	t.Parallel()
	_, c := newOrg(t)
	graphs := make([]any, 76)
	for i := range graphs {
		graphs[i] = map[string]any{"graphId": fmt.Sprint("g", i), "compositeRequest": []any{sub("POST", "sobjects/Account", "a", map[string]any{"Name": "x"})}}
	}
	if r := c.do("POST", "composite/graph", map[string]any{"graphs": graphs}); r.status != 400 || r.errorCode(t) != "LIMIT_EXCEEDED" {
		t.Errorf("76 graphs: %d %s", r.status, r.raw)
	}
	nodes := make([]any, 501)
	for i := range nodes {
		nodes[i] = sub("POST", "sobjects/Account", fmt.Sprint("a", i), map[string]any{"Name": "x"})
	}
	if r := c.do("POST", "composite/graph", map[string]any{"graphs": []any{map[string]any{"graphId": "g", "compositeRequest": nodes}}}); r.status != 400 || r.errorCode(t) != "LIMIT_EXCEEDED" {
		t.Errorf("501 nodes: %d %s", r.status, r.raw)
	}
	r := c.mustStatus(c.do("POST", "composite/graph", map[string]any{"graphs": []any{
		map[string]any{"graphId": "q", "compositeRequest": []any{sub("GET", "query?q=SELECT+Id+FROM+Account", "q", nil)}},
	}}), 200)
	var body graphResp
	if err := json.Unmarshal(r.raw, &body); err != nil || body.Graphs[0].IsSuccessful {
		t.Errorf("query node in graph: %s", r.raw)
	}
}

func TestLenientCreateOnlyResend(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t, WithLenientCreateOnly())
	pbe := seedPricing(t, c)
	graphs := []any{map[string]any{"graphId": "g1", "compositeRequest": orderGraph(srv, "k1", "101", pbe, 1)}}
	for i := 0; i < 2; i++ {
		r := c.mustStatus(c.do("POST", "composite/graph", map[string]any{"graphs": graphs}), 200)
		var body graphResp
		if err := json.Unmarshal(r.raw, &body); err != nil || !body.Graphs[0].IsSuccessful {
			t.Fatalf("send %d: %s", i, r.raw)
		}
	}
	if len(srv.Records("Order")) != 1 || len(srv.Records("OrderItem")) != 1 {
		t.Errorf("re-send duplicated: %d orders, %d items", len(srv.Records("Order")), len(srv.Records("OrderItem")))
	}
	other := seedPricing(t, c)
	item, _ := srv.RecordByExternalID("OrderItem", "BigCommerce_Line_Item_Id__c", "101-1")
	if r := c.do("PATCH", "sobjects/OrderItem/"+item["Id"].(string), map[string]any{"PricebookEntryId": other}); r.status != 400 || r.errorCode(t) != "INVALID_FIELD_FOR_INSERT_UPDATE" {
		t.Errorf("changed create-only field: %d %s", r.status, r.raw)
	}
}

func TestCompositeAllOrNoneOverridesCollections(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	coll := map[string]any{"allOrNone": false, "records": []any{
		acctRec(map[string]any{"Name": "fine"}),
		acctRec(map[string]any{"Phone": "no name"}),
	}}
	for _, outer := range []bool{false, true} {
		r := c.mustStatus(c.do("POST", "composite", map[string]any{"allOrNone": outer, "compositeRequest": []any{
			sub("POST", "composite/sobjects", "coll", coll),
			sub("POST", "sobjects/Contact", "contact", map[string]any{"LastName": "L"}),
		}}), 200)
		var body struct{ CompositeResponse []subres }
		if err := json.Unmarshal(r.raw, &body); err != nil {
			t.Fatal(err)
		}
		res := body.CompositeResponse
		if outer {
			if res[0].HTTPStatusCode != 200 || res[1].code(t) != "PROCESSING_HALTED" {
				t.Errorf("outer allOrNone: %s", r.raw)
			}
			continue
		}
		if res[0].HTTPStatusCode != 200 || res[1].HTTPStatusCode != 201 {
			t.Errorf("outer allOrNone=false: %s", r.raw)
		}
	}
	// Only the first (allOrNone=false) round left records: one account, one contact.
	if len(srv.Records("Account")) != 1 || len(srv.Records("Contact")) != 1 {
		t.Errorf("accounts %d, contacts %d", len(srv.Records("Account")), len(srv.Records("Contact")))
	}
}

// TestGraphHaltsAfterTooManyFailures: once more than 14 graphs of a request
// have failed, the graphs after them are not processed, good or bad: each
// of their nodes answers PROCESSING_HALTED and nothing of them is written.
func TestGraphHaltsAfterTooManyFailures(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	pbe := seedPricing(t, c)
	const bad, good = 16, 4
	var graphs []any
	for i := range bad + good {
		quantity := any(nil) // the line item fails: REQUIRED_FIELD_MISSING
		if i == 3 || i >= bad {
			quantity = 1
		}
		key := fmt.Sprint("k", i)
		graphs = append(graphs, map[string]any{"graphId": "g" + key, "compositeRequest": orderGraph(srv, key, fmt.Sprint(200+i), pbe, quantity)})
	}
	r := c.mustStatus(c.do("POST", "composite/graph", map[string]any{"graphs": graphs}), 200)
	var body graphResp
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Graphs) != bad+good {
		t.Fatalf("%d graph results, want %d", len(body.Graphs), bad+good)
	}
	// Graphs 0-15 run, with graph 3 the only good one: 15 fail, which is
	// more than 14, so graphs 16-19 halt, though they are good.
	for i, g := range body.Graphs {
		res := g.GraphResponse.CompositeResponse
		switch {
		case i == 3:
			if !g.IsSuccessful {
				t.Errorf("graph %d failed: %+v", i, res)
			}
		case i < bad:
			if g.IsSuccessful || len(res) != 3 || res[2].code(t) != "REQUIRED_FIELD_MISSING" {
				t.Errorf("graph %d: %+v, want its line item's REQUIRED_FIELD_MISSING", i, res)
			}
		default:
			if g.IsSuccessful || len(res) != 3 {
				t.Fatalf("graph %d: %+v, want 3 halted nodes", i, res)
			}
			for _, n := range res {
				if n.HTTPStatusCode != 400 || n.code(t) != "PROCESSING_HALTED" {
					t.Errorf("graph %d node %+v, want 400 PROCESSING_HALTED", i, n)
				}
			}
		}
	}
	if got := len(srv.Records("Order")); got != 1 {
		t.Errorf("%d orders written, want only graph 3's", got)
	}
}

// TestGraphNodeKinds: a request may hold at most 15 different kinds of
// node (API version, method, sObject type).
func TestGraphNodeKinds(t *testing.T) {
	t.Parallel()
	_, c := newOrg(t)
	nodes := func(kinds int) []any {
		var out []any
		for i := range kinds {
			out = append(out, sub("PATCH", fmt.Sprintf("sobjects/Obj%d__c/Key__c/%d", i, i), fmt.Sprint("n", i), map[string]any{"Name": "x"}))
		}
		return out
	}
	r := c.do("POST", "composite/graph", map[string]any{"graphs": []any{map[string]any{"graphId": "g", "compositeRequest": nodes(16)}}})
	if r.status != 400 || r.errorCode(t) != "LIMIT_EXCEEDED" {
		t.Errorf("16 kinds of node: %d %s, want 400 LIMIT_EXCEEDED", r.status, r.raw)
	}
	r = c.mustStatus(c.do("POST", "composite/graph", map[string]any{"graphs": []any{map[string]any{"graphId": "g", "compositeRequest": nodes(15)}}}), 200)
	if strings.Contains(string(r.raw), "LIMIT_EXCEEDED") {
		t.Errorf("15 kinds of node refused: %s", r.raw)
	}
}

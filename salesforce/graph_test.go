package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"
)

// orderGraph is one order as the worker writes it: three upserts.
func orderGraph(n int) Graph {
	id := fmt.Sprint(n)
	g, err := NewUpsertGraph("order_"+id, []UpsertRecord{
		{Ref: "acct", SObject: "Account", ExternalIDField: "BigCommerce_Customer_Key__c", ExternalID: "c" + id + "@example.com", Fields: map[string]any{"Name": "Customer " + id}},
		{Ref: "contact", SObject: "Contact", ExternalIDField: "BigCommerce_Customer_Key__c", ExternalID: "c" + id + "@example.com", Fields: map[string]any{"LastName": "L", "AccountId": "@{acct.id}"}},
		{Ref: "opp", SObject: "Opportunity", ExternalIDField: "BigCommerce_Order_Id__c", ExternalID: id, Fields: map[string]any{"Name": "Order " + id, "StageName": "Closed Won", "CloseDate": "2026-11-26", "AccountId": "@{acct.id}"}},
	}, nil)
	if err != nil {
		panic(err)
	}
	return g
}

func TestGraphValidate(t *testing.T) {
	t.Parallel()
	many := func(n, nodes int) GraphRequest {
		var r GraphRequest
		for i := range n {
			g := Graph{GraphID: fmt.Sprint("g", i)}
			for j := range nodes {
				g.CompositeRequest = append(g.CompositeRequest, Subrequest{Method: "GET", URL: "/services/data/v64.0/sobjects/Account/001000000000001AAA", ReferenceID: fmt.Sprint("r", j)})
			}
			r.Graphs = append(r.Graphs, g)
		}
		return r
	}
	dupGraph := many(2, 1)
	dupGraph.Graphs[1].GraphID = "g0"
	dupRef := many(1, 2)
	dupRef.Graphs[0].CompositeRequest[1].ReferenceID = "r0"
	badURL := many(1, 1)
	badURL.Graphs[0].CompositeRequest[0].URL = "https://evil.example/x"
	badMethod := many(1, 1)
	badMethod.Graphs[0].CompositeRequest[0].Method = "TRACE"
	badID := many(1, 1)
	badID.Graphs[0].GraphID = "order-1"
	longID := many(1, 1)
	longID.Graphs[0].GraphID = strings.Repeat("g", 40)
	maxID := many(1, 1)
	maxID.Graphs[0].GraphID = strings.Repeat("g", 39)
	underscoreID := many(1, 1)
	underscoreID.Graphs[0].GraphID = "_g"
	relative := many(1, 1)
	relative.Graphs[0].CompositeRequest[0].URL = "sobjects/Account/Key__c/1"
	relativeQuery := many(1, 1)
	relativeQuery.Graphs[0].CompositeRequest[0].URL = "query?q=SELECT+Id+FROM+Account"
	queryNode := many(1, 1)
	queryNode.Graphs[0].CompositeRequest[0].URL = "/services/data/v64.0/query?q=SELECT+Id+FROM+Account"
	putNode := many(1, 1)
	putNode.Graphs[0].CompositeRequest[0].Method = "PUT"
	tests := []struct {
		name string
		req  GraphRequest
		ok   bool
	}{
		{"75 graphs of 6", many(75, 6), true},
		{"1 graph of 500", many(1, 500), true},
		{"76 graphs", many(76, 1), false},
		{"501 nodes", many(3, 167), false},
		{"no graphs", GraphRequest{}, false},
		{"empty graph", many(1, 0), false},
		{"duplicate graphId", dupGraph, false},
		{"duplicate referenceId", dupRef, false},
		{"absolute URL", badURL, false},
		{"bad method", badMethod, false},
		{"graphId with dash", badID, false},
		{"graphId of 40", longID, false},
		{"graphId of 39", maxID, true},
		{"graphId starting with _", underscoreID, false},
		{"relative sObject URL", relative, true},
		{"relative query URL", relativeQuery, false},
		{"PUT node", putNode, false},
		{"query node", queryNode, false},
	}
	for _, tt := range tests {
		if err := tt.req.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate = %v", tt.name, err)
		}
	}
}

func TestSplitGraphs(t *testing.T) {
	t.Parallel()
	sized := func(sizes ...int) []Graph {
		var gs []Graph
		for i, n := range sizes {
			g := Graph{GraphID: fmt.Sprint("g", i)}
			for j := range n {
				g.CompositeRequest = append(g.CompositeRequest, Subrequest{Method: "GET", URL: "/services/data/v64.0/sobjects/Account/001000000000001AAA", ReferenceID: fmt.Sprint("r", j)})
			}
			gs = append(gs, g)
		}
		return gs
	}
	repeat := func(n, size int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = size
		}
		return s
	}
	tests := []struct {
		name  string
		sizes []int
		want  string // graphs per request
	}{
		{"200 orders of 3", repeat(200, 3), "[75 75 50]"},
		{"node bound", repeat(12, 100), "[5 5 2]"},
		{"mixed", []int{400, 100, 1, 499, 2}, "[2 2 1]"},
		{"none", nil, "[]"},
	}
	for _, tt := range tests {
		reqs, err := SplitGraphs(sized(tt.sizes...))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var counts []int
		var order []string
		for _, r := range reqs {
			if err := r.Validate(); err != nil {
				t.Fatalf("%s: split request invalid: %v", tt.name, err)
			}
			counts = append(counts, len(r.Graphs))
			for _, g := range r.Graphs {
				order = append(order, g.GraphID)
			}
		}
		if fmt.Sprint(counts) != tt.want || len(order) != len(tt.sizes) {
			t.Errorf("%s: split %v, want %s", tt.name, counts, tt.want)
		}
		for i, id := range order {
			if id != fmt.Sprint("g", i) {
				t.Fatalf("%s: order broken at %d: %s", tt.name, i, id)
			}
		}
	}
	if _, err := SplitGraphs(sized(501)); err == nil {
		t.Error("graph of 501 nodes accepted")
	}
	if _, err := SplitGraphs(sized(0)); err == nil {
		t.Error("empty graph accepted")
	}
}

const graphAnswer = `{"graphs":[
 {"graphId":"order_1","isSuccessful":true,"graphResponse":{"compositeResponse":[
  {"body":{"id":"001R00000064wdtIAA","success":true,"errors":[],"created":true},"httpHeaders":{"Location":"/services/data/v64.0/sobjects/Account/001R00000064wdtIAA"},"httpStatusCode":201,"referenceId":"acct"},
  {"body":{"id":"003R00000064wdtIAA","success":true,"errors":[],"created":false},"httpHeaders":{},"httpStatusCode":200,"referenceId":"contact"},
  {"body":{"id":"006R00000064wdtIAA","success":true,"errors":[],"created":true},"httpHeaders":{},"httpStatusCode":201,"referenceId":"opp"}]}},
 {"graphId":"order_2","isSuccessful":false,"graphResponse":{"compositeResponse":[
  {"body":[{"errorCode":"PROCESSING_HALTED","message":"The transaction was rolled back since another operation in the same transaction failed."}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"acct"},
  {"body":[{"errorCode":"DUPLICATE_VALUE","message":"duplicate value found: Email","fields":["Email"]}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"contact"},
  {"body":[{"errorCode":"PROCESSING_HALTED","message":"Invalid reference specified."}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"opp"}]}}]}`

func TestCompositeGraph(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("POST", "/composite/graph"), func(w http.ResponseWriter, r *http.Request) {
		var req GraphRequest
		var raw map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			t.Error(err)
		}
		if err := json.Unmarshal(raw["graphs"], &req.Graphs); err != nil || len(req.Graphs) != 2 || req.Graphs[1].CompositeRequest[2].URL != "/services/data/v64.0/sobjects/Opportunity/BigCommerce_Order_Id__c/2" {
			t.Errorf("request = %+v, %v", req, err)
		}
		writeJSON(w, 200, graphAnswer)
	})
	c := newTestClient(t, mux)
	resp, err := c.CompositeGraph(context.Background(), GraphRequest{Graphs: []Graph{orderGraph(1), orderGraph(2)}})
	if err != nil {
		t.Fatal(err)
	}
	g1, ok := resp.Graph("order_1")
	if !ok || g1.Err() != nil {
		t.Fatalf("order_1 = %+v", g1)
	}
	acct, _ := g1.Result("acct")
	contact, _ := g1.Result("contact")
	if acct.ID() != "001R00000064wdtIAA" || !acct.Created() || contact.Created() || contact.ID() != "003R00000064wdtIAA" {
		t.Fatalf("acct %+v contact %+v", acct, contact)
	}
	g2, _ := resp.Graph("order_2")
	err = g2.Err()
	var ge *GraphError
	if !errors.As(err, &ge) || len(ge.Nodes) != 1 || ge.Nodes[0].ReferenceID != "contact" || !errors.Is(err, ErrDuplicateValue) {
		t.Fatalf("order_2 err = %v", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Errors[0].Fields[0] != "Email" {
		t.Fatalf("node APIError = %+v", apiErr)
	}
	if _, ok := resp.Graph("order_3"); ok {
		t.Fatal("unknown graph found")
	}
}

func TestComposite(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("POST", "/composite"), func(w http.ResponseWriter, r *http.Request) {
		var req CompositeRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !req.AllOrNone || len(req.Subrequests) != 2 || req.Subrequests[1].ReferenceID != "contact" {
			t.Errorf("request = %+v, %v", req, err)
		}
		writeJSON(w, 200, `{"compositeResponse":[
		 {"body":{"id":"001R00000033I6AIAU","success":true,"errors":[]},"httpHeaders":{"Location":"/services/data/v64.0/sobjects/Account/001R00000033I6AIAU"},"httpStatusCode":201,"referenceId":"acct"},
		 {"body":["/services/data/v64.0/sobjects/Contact/003000000000001AAA","/services/data/v64.0/sobjects/Contact/003000000000002AAA"],"httpHeaders":{},"httpStatusCode":300,"referenceId":"contact"}]}`)
	})
	c := newTestClient(t, mux)
	g := orderGraph(1)
	resp, err := c.Composite(context.Background(), CompositeRequest{AllOrNone: true, Subrequests: g.CompositeRequest[:2]})
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := resp.Result("acct")
	var saved SaveResult
	if err := acct.Decode(&saved); err != nil || saved.ID != "001R00000033I6AIAU" || acct.HTTPHeaders["Location"] == "" {
		t.Fatalf("acct = %+v, %v", saved, err)
	}
	contact, _ := resp.Result("contact")
	var apiErr *APIError
	if err := contact.Err(); !errors.Is(err, ErrMultipleMatches) || !errors.As(err, &apiErr) || len(apiErr.MatchedURLs) != 2 {
		t.Fatalf("contact err = %v", err)
	}
	if contact.Decode(&saved) == nil {
		t.Fatal("Decode of a failed result succeeded")
	}

	subs := make([]Subrequest, 26)
	for i := range subs {
		subs[i] = Subrequest{Method: "GET", URL: "/services/data/v64.0/limits", ReferenceID: fmt.Sprint("r", i)}
	}
	if _, err := c.Composite(context.Background(), CompositeRequest{Subrequests: subs}); err == nil {
		t.Fatal("26 subrequests accepted")
	}
}

func TestUpsertPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version, sobject, field, value string
		want                           string // "" for an error
	}{
		{"v64.0", "Opportunity", "BigCommerce_Order_Id__c", "250", "/services/data/v64.0/sobjects/Opportunity/BigCommerce_Order_Id__c/250"},
		{"v64.0", "Account", "Key__c", "a b/c?d#e", "/services/data/v64.0/sobjects/Account/Key__c/a%20b%2Fc%3Fd%23e"},
		{"v64.0", "Account", "Key__c", "...", "/services/data/v64.0/sobjects/Account/Key__c/..."},
		{"v64.0", "Account", "Key__c", "a.b", "/services/data/v64.0/sobjects/Account/Key__c/a.b"},
		{"v64.0", "Account", "Key__c", "%2e%2e", "/services/data/v64.0/sobjects/Account/Key__c/%252e%252e"},
		{"v64.0", "Account", "Key__c", "..", ""},
		{"v64.0", "Account", "Key__c", ".", ""},
		{"v64.0", "Account", "Key__c", "", ""},
		{"64.0", "Account", "Key__c", "1", ""},
		{"v64.0", "Account/x", "Key__c", "1", ""},
		{"v64.0", "Account", "Key__c/..", "1", ""},
	}
	for _, tt := range tests {
		got, err := UpsertPath(tt.version, tt.sobject, tt.field, tt.value)
		if tt.want == "" {
			if err == nil {
				t.Errorf("UpsertPath(%q, %q, %q, %q) = %q, want an error", tt.version, tt.sobject, tt.field, tt.value, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("UpsertPath(%q, %q, %q, %q) = %q, %v; want %q", tt.version, tt.sobject, tt.field, tt.value, got, err, tt.want)
		}
	}
	if _, err := UpsertPath("v64.0", "Account", "Key__c", ".."); err == nil || !strings.Contains(err.Error(), `".."`) {
		t.Errorf("error for .. does not name the value: %v", err)
	}
}

// upsertRecords is an order as an Order target writes it: an Account, an
// Order with create-only fields and two OrderItems with create-only fields.
func upsertRecords() []UpsertRecord {
	return []UpsertRecord{
		{Ref: "account", SObject: "Account", ExternalIDField: "Key__c", ExternalID: "ada@example.com", Fields: map[string]any{"Name": "Ada"}},
		{Ref: "order", SObject: "Order", ExternalIDField: "Order_Id__c", ExternalID: "250",
			Fields:     map[string]any{"Status": "Draft", "Pricebook2Id": "01s000000000001AAA", "AccountId": "@{account.id}"},
			CreateOnly: []string{"Status", "Pricebook2Id"}},
		{Ref: "item1", SObject: "OrderItem", ExternalIDField: "Line_Id__c", ExternalID: "1",
			Fields:     map[string]any{"Quantity": 1, "OrderId": "@{order.id}", "PricebookEntryId": "01u000000000001AAA"},
			CreateOnly: []string{"OrderId", "PricebookEntryId"}},
		{Ref: "item2", SObject: "OrderItem", ExternalIDField: "Line_Id__c", ExternalID: "2",
			Fields:     map[string]any{"Quantity": 2, "OrderId": "@{order.id}", "PricebookEntryId": "01u000000000002AAA"},
			CreateOnly: []string{"OrderId", "PricebookEntryId"}},
	}
}

func TestNewUpsertGraph(t *testing.T) {
	t.Parallel()
	recs := upsertRecords()
	g, err := NewUpsertGraph("order_250", recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g.GraphID != "order_250" || len(g.CompositeRequest) != len(recs) {
		t.Fatalf("graph = %+v", g)
	}
	wantURLs := []string{
		"sobjects/Account/Key__c/ada@example.com",
		"sobjects/Order/Order_Id__c/250",
		"sobjects/OrderItem/Line_Id__c/1",
		"sobjects/OrderItem/Line_Id__c/2",
	}
	for i, s := range g.CompositeRequest {
		if s.Method != http.MethodPatch || s.URL != wantURLs[i] || s.ReferenceID != recs[i].Ref {
			t.Errorf("node %d = %+v", i, s)
		}
		body := s.Body.(map[string]any)
		if len(body) != len(recs[i].Fields) {
			t.Errorf("node %d body %v, want every field of %v", i, body, recs[i].Fields)
		}
	}
	if err := (GraphRequest{Graphs: []Graph{g}}).Validate(); err != nil {
		t.Errorf("built graph does not validate: %v", err)
	}
}

func TestNewUpsertGraphLeavesCreateOnlyOutOfExisting(t *testing.T) {
	t.Parallel()
	recs := upsertRecords()
	// The Order and the first item exist; the second item is new.
	exists := func(r UpsertRecord) bool { return r.SObject == "Order" || r.ExternalID == "1" }
	g, err := NewUpsertGraph("order_250", recs, exists)
	if err != nil {
		t.Fatal(err)
	}
	body := func(i int) map[string]any { return g.CompositeRequest[i].Body.(map[string]any) }
	if _, ok := body(0)["Name"]; !ok {
		t.Errorf("Account body %v lost its field", body(0))
	}
	for _, f := range []string{"Status", "Pricebook2Id"} {
		if _, ok := body(1)[f]; ok {
			t.Errorf("existing Order sent %s: %v", f, body(1))
		}
	}
	if body(1)["AccountId"] != "@{account.id}" {
		t.Errorf("existing Order lost its other fields: %v", body(1))
	}
	for _, f := range []string{"OrderId", "PricebookEntryId"} {
		if _, ok := body(2)[f]; ok {
			t.Errorf("existing item sent %s: %v", f, body(2))
		}
		if _, ok := body(3)[f]; !ok {
			t.Errorf("new item lacks %s: %v", f, body(3))
		}
	}
	if body(2)["Quantity"] != 1 {
		t.Errorf("existing item lost Quantity: %v", body(2))
	}
	// The records themselves are untouched.
	if len(recs[1].Fields) != 3 || len(recs[2].Fields) != 3 {
		t.Errorf("NewUpsertGraph modified its input: %v %v", recs[1].Fields, recs[2].Fields)
	}
}

func TestNewUpsertGraphRefuses(t *testing.T) {
	t.Parallel()
	records := func(n int) []UpsertRecord {
		recs := make([]UpsertRecord, n)
		for i := range recs {
			recs[i] = UpsertRecord{Ref: fmt.Sprint("r", i), SObject: "Account", ExternalIDField: "Key__c", ExternalID: fmt.Sprint(i)}
		}
		return recs
	}
	with := func(f func(*UpsertRecord)) []UpsertRecord {
		recs := records(2)
		f(&recs[1])
		return recs
	}
	tests := []struct {
		name    string
		graphID string
		recs    []UpsertRecord
		ok      bool
	}{
		{"500 records", "g", records(500), true},
		{"501 records", "g", records(501), false},
		{"no records", "g", nil, false},
		{"graphId of 39", strings.Repeat("g", 39), records(1), true},
		{"graphId of 40", strings.Repeat("g", 40), records(1), false},
		{"empty graphId", "", records(1), false},
		{"graphId with dash", "order-1", records(1), false},
		{"graphId starting with _", "_1", records(1), false},
		{"graphId with inner _", "order_1", records(1), true},
		{"external id ..", "g", with(func(r *UpsertRecord) { r.ExternalID = ".." }), false},
		{"external id .", "g", with(func(r *UpsertRecord) { r.ExternalID = "." }), false},
		{"external id ...", "g", with(func(r *UpsertRecord) { r.ExternalID = "..." }), true},
		{"empty external id", "g", with(func(r *UpsertRecord) { r.ExternalID = "" }), false},
		{"duplicate ref", "g", with(func(r *UpsertRecord) { r.Ref = "r0" }), false},
		{"empty ref", "g", with(func(r *UpsertRecord) { r.Ref = "" }), false},
		{"ref with dot", "g", with(func(r *UpsertRecord) { r.Ref = "a.b" }), false},
		{"bad sobject", "g", with(func(r *UpsertRecord) { r.SObject = "Account/../x" }), false},
		{"bad field", "g", with(func(r *UpsertRecord) { r.ExternalIDField = "" }), false},
	}
	for _, tt := range tests {
		g, err := NewUpsertGraph(tt.graphID, tt.recs, nil)
		if tt.ok {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			} else if err := (GraphRequest{Graphs: []Graph{g}}).Validate(); err != nil {
				t.Errorf("%s: built graph does not validate: %v", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidGraph) {
			t.Errorf("%s: err = %v, want ErrInvalidGraph", tt.name, err)
		}
	}
}

// A graph of relative node URLs is completed with each client's own API
// version, and the caller's graph is left as it was.
func TestCompositeGraphCompletesRelativeURLs(t *testing.T) {
	t.Parallel()
	var got []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+basePath+"/services/data/v66.0/composite/graph", func(w http.ResponseWriter, r *http.Request) {
		var req GraphRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Error(err)
		}
		for _, s := range req.Graphs[0].CompositeRequest {
			got = append(got, s.URL)
		}
		writeJSON(w, 200, `{"graphs":[{"graphId":"order_1","isSuccessful":true,"graphResponse":{"compositeResponse":[]}}]}`)
	})
	c := newTestClient(t, mux, WithAPIVersion("v66.0"))
	g := orderGraph(1)
	g.CompositeRequest[0].URL = "/services/data/v66.0/sobjects/Account/BigCommerce_Customer_Key__c/c1@example.com"
	if _, err := c.CompositeGraph(context.Background(), GraphRequest{Graphs: []Graph{g}}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/services/data/v66.0/sobjects/Account/BigCommerce_Customer_Key__c/c1@example.com",
		"/services/data/v66.0/sobjects/Contact/BigCommerce_Customer_Key__c/c1@example.com",
		"/services/data/v66.0/sobjects/Opportunity/BigCommerce_Order_Id__c/1",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sent URLs %q, want %q", got, want)
	}
	if g.CompositeRequest[1].URL != "sobjects/Contact/BigCommerce_Customer_Key__c/c1@example.com" {
		t.Errorf("caller's graph modified: %q", g.CompositeRequest[1].URL)
	}
}

// FuzzUpsertPath: any external ID value either is refused or lands, escaped,
// in exactly the last path segment, which resolves to no dot segment and
// unescapes back to the value.
func FuzzUpsertPath(f *testing.F) {
	for _, s := range []string{"250", "ada@example.com", ".", "..", "...", "/", "a/b", "%2e%2e", "a b", "", "\x00", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		p, err := UpsertPath("v64.0", "Account", "Key__c", value)
		if err != nil {
			return
		}
		const prefix = "/services/data/v64.0/sobjects/Account/Key__c/"
		last, ok := strings.CutPrefix(p, prefix)
		if !ok || strings.Contains(last, "/") || last == "." || last == ".." || last == "" {
			t.Fatalf("UpsertPath(%q) = %q", value, p)
		}
		if back, err := url.PathUnescape(last); err != nil || back != value {
			t.Fatalf("UpsertPath(%q) = %q, which unescapes to %q, %v", value, p, back, err)
		}
		if u, err := url.Parse(p); err != nil || u.EscapedPath() != p || path.Clean(p) != p {
			t.Fatalf("UpsertPath(%q) = %q is not a clean URL path: %v", value, p, err)
		}
	})
}

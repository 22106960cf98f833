package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// orderGraph is one order as the worker writes it: three upserts.
func orderGraph(n int) Graph {
	id := fmt.Sprint(n)
	return Graph{GraphID: "order_" + id, CompositeRequest: []Subrequest{
		{Method: "PATCH", URL: UpsertPath("v64.0", "Account", "BigCommerce_Customer_Key__c", "c"+id+"@example.com"), ReferenceID: "acct", Body: map[string]any{"Name": "Customer " + id}},
		{Method: "PATCH", URL: UpsertPath("v64.0", "Contact", "BigCommerce_Customer_Key__c", "c"+id+"@example.com"), ReferenceID: "contact", Body: map[string]any{"LastName": "L", "AccountId": "@{acct.id}"}},
		{Method: "PATCH", URL: UpsertPath("v64.0", "Opportunity", "BigCommerce_Order_Id__c", id), ReferenceID: "opp", Body: map[string]any{"Name": "Order " + id, "StageName": "Closed Won", "CloseDate": "2026-11-26", "AccountId": "@{acct.id}"}},
	}}
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

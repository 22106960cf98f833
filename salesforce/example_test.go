package salesforce_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/bc2sf/bc2sf/salesforce"
	"golang.org/x/oauth2"
)

// exampleOrg stands in for a Salesforce org: a tiny handler that answers the
// calls the examples make.
func exampleOrg() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("PATCH /services/data/v64.0/sobjects/Opportunity/BigCommerce_Order_Id__c/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Sforce-Limit-Info", "api-usage=1250/100000")
		if r.PathValue("id") == "250" {
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"id":"0068a00001rBqb8AAC","success":true,"errors":[],"created":true}`)
			return
		}
		w.WriteHeader(http.StatusMultipleChoices)
		fmt.Fprint(w, `["/services/data/v64.0/sobjects/Opportunity/006000000000001AAA","/services/data/v64.0/sobjects/Opportunity/006000000000002AAA"]`)
	})
	mux.HandleFunc("GET /services/data/v64.0/query", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v64.0/query/01gXX-2","records":[{"Name":"Bob's BBQ"},{"Name":"Bob's Bikes"}]}`)
	})
	mux.HandleFunc("GET /services/data/v64.0/query/01gXX-2", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"totalSize":3,"done":true,"records":[{"Name":"Bob's Bakery"}]}`)
	})
	mux.HandleFunc("POST /services/data/v64.0/composite/graph", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"graphs":[
		 {"graphId":"order_250","isSuccessful":true,"graphResponse":{"compositeResponse":[
		  {"body":{"id":"0018a00001rBqb8AAC","success":true,"errors":[],"created":false},"httpHeaders":{},"httpStatusCode":200,"referenceId":"acct"},
		  {"body":{"id":"0068a00001rBqb8AAC","success":true,"errors":[],"created":true},"httpHeaders":{},"httpStatusCode":201,"referenceId":"opp"}]}},
		 {"graphId":"order_251","isSuccessful":false,"graphResponse":{"compositeResponse":[
		  {"body":[{"errorCode":"PROCESSING_HALTED","message":"rolled back"}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"acct"},
		  {"body":[{"errorCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [StageName]","fields":["StageName"]}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"opp"}]}}]}`)
	})
	return httptest.NewServer(mux)
}

func exampleClient(org *httptest.Server) *salesforce.Client {
	c, err := salesforce.NewClient(
		salesforce.WithInstanceURL(org.URL),
		// In production: salesforce.WithClientCredentials(id, secret).
		salesforce.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "example"})),
	)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

func ExampleClient_Upsert() {
	org := exampleOrg()
	defer org.Close()
	c := exampleClient(org)
	ctx := context.Background()

	res, err := c.Upsert(ctx, "Opportunity", "BigCommerce_Order_Id__c", "250",
		map[string]any{"Name": "Order 250", "StageName": "Closed Won", "CloseDate": "2026-11-26"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ID, "created:", res.Created)
	usage, _ := c.Usage()
	fmt.Printf("API usage %d/%d\n", usage.APIUsage.Used, usage.APIUsage.Max)

	_, err = c.Upsert(ctx, "Opportunity", "BigCommerce_Order_Id__c", "251", map[string]any{"Name": "Order 251"})
	var apiErr *salesforce.APIError
	if errors.Is(err, salesforce.ErrMultipleMatches) && errors.As(err, &apiErr) {
		fmt.Println("251 matches", len(apiErr.MatchedURLs), "records; retryable:", salesforce.Retryable(err))
	}
	// Output:
	// 0068a00001rBqb8AAC created: true
	// API usage 1250/100000
	// 251 matches 2 records; retryable: false
}

func ExampleClient_Query() {
	org := exampleOrg()
	defer org.Close()
	c := exampleClient(org)

	soql := "SELECT Name FROM Account WHERE Name LIKE " + salesforce.LikePrefix("Bob's")
	fmt.Println(soql)
	type account struct{ Name string }
	for acct, err := range salesforce.QueryAs[account](context.Background(), c, soql) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(acct.Name)
	}
	// Output:
	// SELECT Name FROM Account WHERE Name LIKE 'Bob\'s%'
	// Bob's BBQ
	// Bob's Bikes
	// Bob's Bakery
}

func ExampleClient_CompositeGraph() {
	org := exampleOrg()
	defer org.Close()
	c := exampleClient(org)

	// One graph per order: the Account, then the Opportunity linked to it.
	order := func(id string) salesforce.Graph {
		g, err := salesforce.NewUpsertGraph("order_"+id, []salesforce.UpsertRecord{
			{Ref: "acct", SObject: "Account", ExternalIDField: "BigCommerce_Customer_Key__c", ExternalID: "ann@example.com",
				Fields: map[string]any{"Name": "Ann Example"}},
			{Ref: "opp", SObject: "Opportunity", ExternalIDField: "BigCommerce_Order_Id__c", ExternalID: id,
				Fields: map[string]any{"Name": "Order " + id, "AccountId": "@{acct.id}", "CloseDate": "2026-11-26"}},
		}, nil)
		if err != nil {
			log.Fatal(err)
		}
		return g
	}
	calls, err := salesforce.SplitGraphs([]salesforce.Graph{order("250"), order("251")})
	if err != nil {
		log.Fatal(err)
	}
	for _, req := range calls {
		resp, err := c.CompositeGraph(context.Background(), req)
		if err != nil {
			log.Fatal(err)
		}
		for _, g := range resp.Graphs {
			if err := g.Err(); err != nil {
				fmt.Println(err)
				continue
			}
			opp, _ := g.Result("opp")
			fmt.Println(g.GraphID, "opportunity", opp.ID())
		}
	}
	// Output:
	// order_250 opportunity 0068a00001rBqb8AAC
	// salesforce: graph "order_251" failed: opp: HTTP 400 REQUIRED_FIELD_MISSING: Required fields are missing: [StageName] [StageName]
}

// Build the graph of one order from its records. The Order exists already
// (the caller learned it with a query), so its create-only fields are left
// out; the new OrderItem keeps them. Node URLs are relative to the API
// version: CompositeGraph completes them with the client's.
func ExampleNewUpsertGraph() {
	exists := map[string]bool{"Order/250": true}
	g, err := salesforce.NewUpsertGraph("order_250", []salesforce.UpsertRecord{
		{Ref: "order", SObject: "Order", ExternalIDField: "BigCommerce_Order_Id__c", ExternalID: "250",
			Fields:     map[string]any{"EffectiveDate": "2026-01-15", "Status": "Draft", "Pricebook2Id": "01s5g00000AbCdEAAA"},
			CreateOnly: []string{"Status", "Pricebook2Id"}},
		{Ref: "item1", SObject: "OrderItem", ExternalIDField: "BigCommerce_Line_Item_Id__c", ExternalID: "555",
			Fields:     map[string]any{"Quantity": 2, "OrderId": "@{order.id}", "PricebookEntryId": "01u5g00000XyZaBAAV"},
			CreateOnly: []string{"OrderId", "PricebookEntryId"}},
	}, func(r salesforce.UpsertRecord) bool { return exists[r.SObject+"/"+r.ExternalID] })
	if err != nil {
		log.Fatal(err)
	}
	for _, node := range g.CompositeRequest {
		body, _ := json.Marshal(node.Body)
		fmt.Println(node.Method, node.URL, node.ReferenceID, string(body))
	}
	// Output:
	// PATCH sobjects/Order/BigCommerce_Order_Id__c/250 order {"EffectiveDate":"2026-01-15"}
	// PATCH sobjects/OrderItem/BigCommerce_Line_Item_Id__c/555 item1 {"OrderId":"@{order.id}","PricebookEntryId":"01u5g00000XyZaBAAV","Quantity":2}
}

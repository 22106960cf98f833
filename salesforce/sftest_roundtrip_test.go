package salesforce_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// orderGraph is one order as the worker writes it: Account, Contact and
// Opportunity upserted by external ID, linked by reference.
func orderGraph(t *testing.T, i int, stage string) salesforce.Graph {
	key := fmt.Sprintf("buyer%d@example.com", i)
	order := fmt.Sprint(1000 + i)
	g, err := salesforce.NewUpsertGraph("order_"+order, []salesforce.UpsertRecord{
		{Ref: "account", SObject: "Account", ExternalIDField: "BigCommerce_Customer_Key__c", ExternalID: key,
			Fields: map[string]any{"Name": fmt.Sprintf("Buyer %d", i)}},
		{Ref: "contact", SObject: "Contact", ExternalIDField: "BigCommerce_Customer_Key__c", ExternalID: key,
			Fields: map[string]any{"LastName": fmt.Sprintf("Buyer %d", i), "AccountId": "@{account.id}"}},
		{Ref: "opportunity", SObject: "Opportunity", ExternalIDField: "BigCommerce_Order_Id__c", ExternalID: order,
			Fields: map[string]any{"Name": "BigCommerce order #" + order, "StageName": stage,
				"CloseDate": "2026-03-05", "Amount": 10.5, "AccountId": "@{account.id}"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// A thousand orders of three records each go through Composite Graph in at
// most 14 API calls (ceil(1000/75)), and the one bad order among them fails
// alone: its graph leaves no record behind, every other order lands.
func TestGraphWritesAThousandOrdersInFourteenCalls(t *testing.T) {
	t.Parallel()
	org, err := sftest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(org.Close)
	c, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()))
	if err != nil {
		t.Fatal(err)
	}
	const orders, bad = 1000, 617
	graphs := make([]salesforce.Graph, orders)
	for i := range graphs {
		stage := "Closed Won"
		if i == bad {
			stage = "" // StageName is required: Salesforce refuses this Opportunity
		}
		graphs[i] = orderGraph(t, i, stage)
	}
	reqs, err := salesforce.SplitGraphs(graphs)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]error{}
	for _, req := range reqs {
		resp, err := c.CompositeGraph(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range resp.Graphs {
			if err := g.Err(); err != nil {
				failed[g.GraphID] = err
			}
		}
	}

	if calls := org.Calls(sftest.RouteGraph); calls > 14 {
		t.Errorf("%d API calls for %d orders, want at most 14", calls, orders)
	}
	badID := fmt.Sprint("order_", 1000+bad)
	if len(failed) != 1 || failed[badID] == nil {
		t.Fatalf("failed graphs %v, want only %s", failed, badID)
	}
	var apiErr *salesforce.APIError
	if !errors.As(failed[badID], &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("bad order error %v, want a 400 *APIError", failed[badID])
	}
	for obj, want := range map[string]int{"Account": orders - 1, "Contact": orders - 1, "Opportunity": orders - 1} {
		if got := len(org.Records(obj)); got != want {
			t.Errorf("%d %s records, want %d", got, obj, want)
		}
	}
	if _, ok := org.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", fmt.Sprintf("buyer%d@example.com", bad)); ok {
		t.Error("the failed graph left its Account behind")
	}
}

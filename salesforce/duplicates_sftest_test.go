package salesforce_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

func newDuplicateOrg(t *testing.T, block bool, opts ...salesforce.Option) (*sftest.Server, *salesforce.Client) {
	t.Helper()
	org, err := sftest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(org.Close)
	if err := org.AddDuplicateRule(sftest.DuplicateRule{Object: "Contact", Fields: []string{"Email"}, Block: block}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.Seed("Contact", sftest.Record{"LastName": "Lovelace", "Email": "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	c, err := salesforce.NewClient(append([]salesforce.Option{
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()), salesforce.WithHTTPClient(org.Client()),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return org, c
}

func contactGraph() salesforce.GraphRequest {
	return salesforce.GraphRequest{Graphs: []salesforce.Graph{{GraphID: "order_1", CompositeRequest: []salesforce.Subrequest{{
		Method: "PATCH", URL: "sobjects/Contact/BigCommerce_Customer_Key__c/ada-2", ReferenceID: "contact",
		Body: map[string]any{"LastName": "King", "Email": "ada@example.com"},
	}}}}}
}

// An org's duplicate rule refuses the save with an error the caller can
// tell apart, that is not retryable and says what to change.
func TestDuplicatesDetected(t *testing.T) {
	t.Parallel()
	_, c := newDuplicateOrg(t, false)
	ctx := context.Background()
	_, err := c.Upsert(ctx, "Contact", "BigCommerce_Customer_Key__c", "ada-2", map[string]any{"LastName": "King", "Email": "ada@example.com"})
	if !errors.Is(err, salesforce.ErrDuplicatesDetected) || salesforce.Retryable(err) ||
		!strings.Contains(err.Error(), "WithDuplicateRuleAllowSave") || !strings.Contains(err.Error(), "duplicate rule") {
		t.Fatalf("err = %v, want ErrDuplicatesDetected, not retryable, saying what to change", err)
	}
	resp, err := c.CompositeGraph(ctx, contactGraph())
	if err != nil {
		t.Fatal(err)
	}
	gerr := resp.Graphs[0].Err()
	if !errors.Is(gerr, salesforce.ErrDuplicatesDetected) || salesforce.Retryable(gerr) {
		t.Errorf("graph err = %v, want ErrDuplicatesDetected", gerr)
	}
}

// WithDuplicateRuleAllowSave passes a rule whose action is Alert, in a
// single upsert and in every node of a graph; a Block rule still refuses.
func TestDuplicateRuleAllowSave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	org, c := newDuplicateOrg(t, false, salesforce.WithDuplicateRuleAllowSave())
	if _, err := c.Upsert(ctx, "Contact", "BigCommerce_Customer_Key__c", "ada-1", map[string]any{"LastName": "King", "Email": "ada@example.com"}); err != nil {
		t.Fatalf("upsert: %v", err)
	}
	resp, err := c.CompositeGraph(ctx, contactGraph())
	if err != nil || !resp.Graphs[0].IsSuccessful {
		t.Fatalf("graph: %v %+v", err, resp)
	}
	if n := len(org.Records("Contact")); n != 3 {
		t.Errorf("%d contacts, want 3", n)
	}

	_, blocked := newDuplicateOrg(t, true, salesforce.WithDuplicateRuleAllowSave())
	_, err = blocked.Upsert(ctx, "Contact", "BigCommerce_Customer_Key__c", "ada-1", map[string]any{"LastName": "King", "Email": "ada@example.com"})
	if !errors.Is(err, salesforce.ErrDuplicatesDetected) {
		t.Errorf("a Block rule let the save through: %v", err)
	}
}

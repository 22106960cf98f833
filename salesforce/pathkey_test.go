package salesforce_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// TestExternalIDWithPercentIsStoredVerbatim: the client path-escapes an
// external ID, so a value holding "%2E" (bc2sf's customer keys) reaches the
// org as that very text, by Upsert and in a Composite Graph node alike,
// while the raw value ending in ".inc" is refused with 404 as Salesforce
// documents.
func TestExternalIDWithPercentIsStoredVerbatim(t *testing.T) {
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
	ctx := context.Background()
	const field = "BigCommerce_Customer_Key__c"

	if _, err := c.Upsert(ctx, "Account", field, "ada@studio.inc", map[string]any{"Name": "Ada"}); !errors.Is(err, salesforce.ErrNotFound) {
		t.Fatalf("upsert of a .inc value: %v, want ErrNotFound", err)
	}
	if _, err := c.Upsert(ctx, "Account", field, "ada@studio%2Einc", map[string]any{"Name": "Ada"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := org.RecordByExternalID("Account", field, "ada@studio%2Einc"); !ok {
		t.Fatalf("upsert stored %v", org.Records("Account"))
	}

	g, err := salesforce.NewUpsertGraph("g1", []salesforce.UpsertRecord{
		{Ref: "contact", SObject: "Contact", ExternalIDField: field, ExternalID: "a%2Fb@mail.studio%2Einc",
			Fields: map[string]any{"LastName": "B", "Email": "a/b@mail.studio.inc"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.CompositeGraph(ctx, salesforce.GraphRequest{Graphs: []salesforce.Graph{g}})
	if err != nil {
		t.Fatal(err)
	}
	if gr, _ := resp.Graph("g1"); gr.Err() != nil {
		t.Fatal(gr.Err())
	}
	rec, ok := org.RecordByExternalID("Contact", field, "a%2Fb@mail.studio%2Einc")
	if !ok || rec["Email"] != "a/b@mail.studio.inc" {
		t.Fatalf("graph stored %v", org.Records("Contact"))
	}
}

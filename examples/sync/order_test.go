package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// seedProduct puts the product the test orders sell (key MUG-1) into sf,
// with an active entry in price book pb.
func seedProduct(t *testing.T, sf *sftest.Server, pb string) {
	t.Helper()
	pid, err := sf.Seed("Product2", sftest.Record{"Name": "Mug", "BigCommerce_Product_Key__c": "MUG-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sf.Seed("PricebookEntry", sftest.Record{"Pricebook2Id": pb, "Product2Id": pid, "UnitPrice": 34.92, "IsActive": true}); err != nil {
		t.Fatal(err)
	}
}

// With SYNC_TARGET=order a delivered order becomes an Order with its
// OrderItem, priced from the standard price book, which the program looks
// up at start, or from the one SALESFORCE_PRICEBOOK_ID names; no
// Opportunity is written.
func TestRunSyncsOrderTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		configured bool // SALESFORCE_PRICEBOOK_ID set to a second price book
	}{
		{"standard price book looked up", false},
		{"configured price book", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bc, sf, env := fakes(t)
			env["SYNC_TARGET"] = "order"
			pb := sf.StandardPricebookID()
			if tt.configured {
				var err error
				if pb, err = sf.Seed("Pricebook2", sftest.Record{"Name": "Wholesale", "IsActive": true}); err != nil {
					t.Fatal(err)
				}
				env["SALESFORCE_PRICEBOOK_ID"] = pb
			}
			seedProduct(t, sf, pb)
			p := start(t, env)
			id := addOrder(t, bc)
			deliver(t, bc, p.url+webhookPath, id)

			order := waitForRecord(t, sf, "Order", id, p.logs)
			if got := order["Pricebook2Id"]; got != pb {
				t.Errorf("Order.Pricebook2Id = %v, want %s", got, pb)
			}
			items := sf.Records("OrderItem")
			if len(items) != 1 || items[0]["OrderId"] != order["Id"] || fmt.Sprint(items[0]["Quantity"]) != "2" {
				t.Errorf("order items %v, want one of 2 mugs on Order %v", items, order["Id"])
			}
			if opps := sf.Records("Opportunity"); len(opps) != 0 {
				t.Errorf("the order target wrote Opportunities: %v", opps)
			}
			if code := p.stop(t); code != exitOK {
				t.Errorf("exit code %d, want 0; logs:\n%s", code, p.logs)
			}
			// The standard price book is looked up either way: product
			// syncs keep their entries there.
			if !strings.Contains(p.logs.String(), "using the standard price book") {
				t.Errorf("did not look up the standard price book; logs:\n%s", p.logs)
			}
		})
	}
}

// When the standard price book cannot be looked up the program exits 1,
// so that it is restarted; when the org has none it exits 2 and names the
// variable to set.
func TestRunOrderTargetWithoutPricebook(t *testing.T) {
	t.Parallel()
	t.Run("lookup fails", func(t *testing.T) {
		t.Parallel()
		_, sf, env := fakes(t)
		env["SYNC_TARGET"] = "order"
		if err := sf.FailNext(1, sftest.Fault{Route: sftest.RouteQuery, Status: http.StatusForbidden}); err != nil {
			t.Fatal(err)
		}
		var out logBuffer
		if code := run(t.Context(), mapEnv(env), &out); code != exitFailed {
			t.Fatalf("exit code %d, want %d; logs:\n%s", code, exitFailed, out.String())
		}
		if !strings.Contains(out.String(), "looking up the standard price book") {
			t.Errorf("logs do not say what failed:\n%s", out.String())
		}
		assertNoSecrets(t, out.String(), env)
	})
	t.Run("no standard price book", func(t *testing.T) {
		t.Parallel()
		_, sf, env := fakes(t)
		env["SYNC_TARGET"] = "order"
		unsetStandardPricebook(t, sf, env)
		var out logBuffer
		if code := run(t.Context(), mapEnv(env), &out); code != exitConfig {
			t.Fatalf("exit code %d, want %d; logs:\n%s", code, exitConfig, out.String())
		}
		if !strings.Contains(out.String(), "set SALESFORCE_PRICEBOOK_ID") {
			t.Errorf("logs do not name SALESFORCE_PRICEBOOK_ID:\n%s", out.String())
		}
	})
}

// unsetStandardPricebook makes the fake org's standard price book an
// ordinary one, so that the org has none. (A real org does not let
// IsStandard change; the fake stores any field.)
func unsetStandardPricebook(t *testing.T, sf *sftest.Server, env map[string]string) {
	t.Helper()
	c, err := salesforce.NewClient(
		salesforce.WithClientCredentials(env["SALESFORCE_CLIENT_ID"], env["SALESFORCE_CLIENT_SECRET"]),
		salesforce.WithInstanceURL(sf.URL()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Update(context.Background(), "Pricebook2", sf.StandardPricebookID(), map[string]any{"IsStandard": false}); err != nil {
		t.Fatal(err)
	}
}

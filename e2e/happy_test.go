package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
)

// catalog returns orders of every kind a store produces. The customer keys
// they should map to are in the comments.
func catalog() []bctest.Order {
	created := time.Date(2026, 3, 5, 21, 40, 11, 0, time.UTC)
	addr := func(first, last, email string) bctest.Address {
		return bctest.Address{FirstName: first, LastName: last, Email: email, Street1: "12 Main St",
			City: "Austin", State: "Texas", Zip: "78701", Country: "United States", CountryISO2: "US"}
	}
	mug := []bctest.LineItem{{Name: "Mug", SKU: "MUG-1", ProductID: 7, Quantity: 2, PriceIncTax: "17.4650", TotalIncTax: "34.9300"}}
	return []bctest.Order{
		// registered customer: ada@example.com
		{CustomerID: 1, StatusID: 11, DateCreated: created, TotalIncTax: "34.9300", BillingAddress: addr("Ada", "Lovelace", "ada@example.com"), LineItems: mug},
		// the same customer again: one Account and one Contact for both
		{CustomerID: 1, StatusID: 2, DateCreated: created.Add(time.Hour), TotalIncTax: "120.5000", BillingAddress: addr("Ada", "Lovelace", "ada@example.com"), LineItems: mug},
		// guest: grace@example.org
		{StatusID: 11, DateCreated: created, TotalIncTax: "7.2500", BillingAddress: addr("Grace", "Hopper", "grace@example.org"), LineItems: mug},
		// mixed-case e-mail: alan@example.com
		{CustomerID: 3, StatusID: 10, DateCreated: created, TotalIncTax: "15.0000", BillingAddress: addr("Alan", "Turing", "  Alan@Example.COM "), LineItems: mug},
		// empty SKU: keyed by product id, still one Opportunity
		{StatusID: 11, DateCreated: created, TotalIncTax: "19.9900", BillingAddress: addr("Edsger", "Dijkstra", "edsger@example.nl"),
			LineItems: []bctest.LineItem{{Name: "Custom print", ProductID: 99, Quantity: 1, PriceIncTax: "19.9900", TotalIncTax: "19.9900"}}},
		// Incomplete (an abandoned checkout): skipped
		{StatusID: 0, DateCreated: created, TotalIncTax: "99.0000", BillingAddress: addr("Never", "Paid", "never@example.com"), LineItems: mug},
		// unicode name, euro store
		{StatusID: 11, DateCreated: created, TotalIncTax: "42.4200", CurrencyCode: "EUR", DefaultCurrencyCode: "EUR",
			BillingAddress: addr("Zoë", "Ångström-Ñúñez", "zoe@example.se"), LineItems: mug},
	}
}

// TestHappyPathMemory runs the catalog through the in-memory backend.
func TestHappyPathMemory(t *testing.T) {
	t.Parallel()
	testHappyPath(t, rigConfig{})
}

// TestHappyPathRedis runs the catalog through the Redis backend.
func TestHappyPathRedis(t *testing.T) {
	t.Parallel()
	testHappyPath(t, rigConfig{redis: true})
}

func testHappyPath(t *testing.T, cfg rigConfig) {
	r := newRig(t, cfg)
	ctx := context.Background()
	var orders []bctest.Order
	for _, o := range catalog() {
		orders = append(orders, mustAddOrder(t, r.store, o))
	}
	r.startWorkers()
	var first *bctest.DeliveryResult
	for i, o := range orders {
		d := r.deliver(ctx, o.ID)
		if i == 0 {
			first = d
		}
	}
	// BigCommerce retries a delivery it thinks failed: same body, same
	// webhook-id, a fresh signature. The queue and the Store make it one.
	again, err := r.store.Redeliver(ctx, first)
	if err != nil || !again.Delivered() {
		t.Fatalf("redeliver: %v (status %d)", err, again.StatusCode)
	}
	r.waitSettled(idsOf(orders), time.Minute)

	wantOpps := 0
	for _, o := range orders {
		res, _ := r.rec.result(o.ID)
		if !syncable(o) {
			if res.Outcome != pipeline.OutcomeSkipped || !strings.HasPrefix(res.Reason, string(mapper.SkipStatus)) {
				t.Errorf("order %d (Incomplete): outcome %s %q, want skipped %s", o.ID, res.Outcome, res.Reason, mapper.SkipStatus)
			}
			continue
		}
		wantOpps++
		if res.Outcome != pipeline.OutcomeSynced {
			t.Errorf("order %d: outcome %s %q, want synced", o.ID, res.Outcome, res.Reason)
		}
		r.assertOpportunity(o)
	}
	if n := len(r.org.Records("Opportunity")); n != wantOpps {
		t.Errorf("org holds %d Opportunities, want %d", n, wantOpps)
	}
	for _, key := range []string{"ada@example.com", "grace@example.org", "alan@example.com", "edsger@example.nl", "zoe@example.se"} {
		for _, obj := range []string{"Account", "Contact"} {
			if _, ok := r.org.RecordByExternalID(obj, customerKeyField, mapper.CustomerKey(key, 0, 0)); !ok {
				t.Errorf("no single %s with %s=%s", obj, customerKeyField, mapper.CustomerKey(key, 0, 0))
			}
		}
	}
	if n := len(r.org.Records("Account")); n != 5 {
		t.Errorf("org holds %d Accounts, want 5 (one per distinct e-mail)", n)
	}
	if c, ok := r.org.RecordByExternalID("Contact", customerKeyField, "zoe@example%2Ese"); !ok || c["LastName"] != "Ångström-Ñúñez" {
		t.Errorf("unicode Contact: %v", c)
	}
	if got := r.rec.count(pipeline.OutcomeSynced); got != wantOpps {
		t.Errorf("%d synced results, want %d: the redelivery must not sync again", got, wantOpps)
	}
	if dls := r.deadLetters(); len(dls) != 0 {
		t.Errorf("dead letters: %v", describeDead(dls))
	}
}

// describeDead lists dead letters by key and reason, for failure messages.
func describeDead(dls []idempotency.DeadLetter) string {
	var b strings.Builder
	for _, d := range dls {
		fmt.Fprintf(&b, "\n  %s (attempt %d): %s", d.Key, d.Attempt, d.Reason)
	}
	return b.String()
}

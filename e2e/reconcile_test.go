package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
)

// TestMissedWebhooks loses one delivery in ten, as a receiver outage longer
// than BigCommerce's retry window would, and shows that one run of the
// Reconciler brings every order in, still as one Opportunity each.
func TestMissedWebhooks(t *testing.T) {
	t.Parallel()
	n := 200
	if testing.Short() {
		n = 60
	}
	r := newRig(t, rigConfig{storeOpts: []bctest.Option{bctest.WithRateLimit(100_000, 30*time.Second)}})
	ctx := context.Background()
	orders := make([]bctest.Order, 0, n)
	for i := range n {
		orders = append(orders, mustAddOrder(t, r.store, bctest.Order{
			CustomerID: int64(i%40 + 1), StatusID: 11,
			TotalIncTax:    amount(i),
			BillingAddress: bctest.Address{FirstName: "Pat", LastName: "Doe", Email: fmt.Sprintf("pat%02d@example.com", i%40)},
		}))
	}
	r.startWorkers()
	var sent, missed []int64
	for i, o := range orders {
		if i%10 == 3 {
			missed = append(missed, o.ID)
			continue
		}
		r.deliver(ctx, o.ID)
		sent = append(sent, o.ID)
	}
	r.waitSettled(sent, time.Minute)
	for _, id := range missed {
		if _, ok := r.org.RecordByExternalID("Opportunity", orderKeyField, fmt.Sprint(id)); ok {
			t.Fatalf("order %d is in Salesforce though its webhook was never sent", id)
		}
	}

	rc, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{
		Orders: r.bc.Orders, Queue: r.queue, Checkpoint: &idempotency.MemoryCheckpoint{},
	})
	if err != nil {
		t.Fatal(err)
	}
	enqueued, err := rc.RunOnce(ctx)
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if enqueued < len(missed) {
		t.Errorf("reconciler enqueued %d orders, want at least the %d missed", enqueued, len(missed))
	}
	r.waitSettled(idsOf(orders), time.Minute)
	for _, o := range orders {
		r.assertOpportunity(o)
	}
	if got := len(r.org.Records("Opportunity")); got != n {
		t.Errorf("org holds %d Opportunities, want %d", got, n)
	}
	if dls := r.deadLetters(); len(dls) != 0 {
		t.Errorf("dead letters:%s", describeDead(dls))
	}
	t.Logf("reconcile: %d orders, %d webhooks missed, %d enqueued by one RunOnce", n, len(missed), enqueued)
}

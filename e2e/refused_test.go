package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// TestRefusedData sends orders Salesforce refuses for their data, in one
// batch with good ones: each refused order is dead-lettered at its first
// attempt with Salesforce's reason and leaves no record behind (its graph
// rolls back as a whole), while its neighbours sync, normally in the same
// Composite Graph call.
func TestRefusedData(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigConfig{worker: func(c *pipeline.WorkerConfig) {
		// A merchant names Opportunities after the staff notes, and forgot
		// MaxLength: Salesforce allows 120 characters in Opportunity.Name.
		m, err := mapper.New(mapper.Config{Extra: []mapper.ExtraField{{Object: "Opportunity", Field: "Name", From: "staff_notes"}}})
		if err != nil {
			t.Fatal(err)
		}
		c.Mapper = m
	}})
	for range 2 {
		if _, err := r.org.Seed("Account", sftest.Record{"Name": "Imported twice", customerKeyField: mapper.CustomerKey("dup@example.com", 0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	buyer := func(email string) bctest.Address {
		return bctest.Address{FirstName: "Lee", LastName: "Park", Email: email}
	}
	ambiguous := mustAddOrder(t, r.store, bctest.Order{StatusID: 11, TotalIncTax: "10.0100", BillingAddress: buyer("dup@example.com")})
	tooLong := mustAddOrder(t, r.store, bctest.Order{StatusID: 11, TotalIncTax: "20.0200", BillingAddress: buyer("notes@example.com"),
		StaffNotes: strings.Repeat("Call the customer before shipping. ", 5)})
	var good []bctest.Order
	for i := range 3 {
		good = append(good, mustAddOrder(t, r.store, bctest.Order{StatusID: 11, TotalIncTax: amount(i),
			StaffNotes: fmt.Sprintf("VIP %d", i), BillingAddress: buyer(fmt.Sprintf("good%d@example.com", i))}))
	}
	all := append([]bctest.Order{ambiguous, tooLong}, good...)
	ctx := context.Background()
	for _, o := range all {
		r.deliver(ctx, o.ID)
	}
	r.startWorkers()
	r.waitSettled(idsOf(all), time.Minute)

	for _, o := range good {
		r.assertOpportunity(o)
		if rec, _ := r.org.RecordByExternalID("Opportunity", orderKeyField, strconv.FormatInt(o.ID, 10)); rec["Name"] != o.StaffNotes {
			t.Errorf("order %d: Opportunity Name %v, want the staff notes %q", o.ID, rec["Name"], o.StaffNotes)
		}
	}
	want := map[int64]string{ambiguous.ID: "300", tooLong.ID: "STRING_TOO_LONG"}
	dls := r.deadLetters()
	if len(dls) != len(want) {
		t.Fatalf("%d dead letters, want %d:%s", len(dls), len(want), describeDead(dls))
	}
	for _, dl := range dls {
		task, err := pipeline.DecodeTask(dl.Body)
		if err != nil {
			t.Fatal(err)
		}
		code, ok := want[task.OrderID]
		switch {
		case !ok:
			t.Errorf("order %d dead-lettered: %s", task.OrderID, dl.Reason)
		case !strings.Contains(dl.Reason, code):
			t.Errorf("order %d: reason %q does not name %s", task.OrderID, dl.Reason, code)
		case dl.Attempt != 1:
			t.Errorf("order %d: dead-lettered at attempt %d; a data error is not worth a retry", task.OrderID, dl.Attempt)
		}
		t.Logf("order %d dead-lettered at attempt %d: %s", task.OrderID, dl.Attempt, dl.Reason)
	}
	// Nothing of a refused order stays behind, not even its Account and
	// Contact, written before the Opportunity failed.
	for _, obj := range []string{"Account", "Contact"} {
		if rec, ok := r.org.RecordByExternalID(obj, customerKeyField, mapper.CustomerKey("notes@example.com", 0, 0)); ok {
			t.Errorf("refused order left a %s behind: %v", obj, rec)
		}
	}
	if n := len(r.org.Records("Account")); n != 2+len(good) {
		t.Errorf("org holds %d Accounts, want the 2 seeded and %d new", n, len(good))
	}
	st := r.workerStats()
	t.Logf("%d graph calls carried the %d orders", st.GraphCalls, st.GraphOrders)
}

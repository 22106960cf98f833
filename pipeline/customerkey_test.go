package pipeline_test

import (
	"testing"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
)

// TestFileExtensionEmailSyncs: buyers whose e-mail ends in a top-level
// domain Salesforce takes for a file extension (".inc", which the fake org
// answers with 404 like a real one) sync, a guest and a registered order of
// one such e-mail meet in one Account and Contact, and the Contact keeps
// the e-mail as it is.
func TestFileExtensionEmailSyncs(t *testing.T) {
	e := newEnv(t, mapper.Config{})
	var ids []int64
	for i, cust := range []int64{0, 42} { // a guest order, then a registered one
		o := order(i)
		o.CustomerID = cust
		o.BillingAddress.Email = "Ada@Studio.inc"
		added, err := e.bc.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, added.ID)
	}
	slash := order(2)
	slash.BillingAddress.Email = "a/b@mail.studio.inc"
	added, err := e.bc.AddOrder(slash)
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, added.ID)
	enqueue(t, e.q, ids...)

	var res results
	cfg := e.config()
	cfg.OnResult = res.add
	start(t, newWorker(t, cfg))
	waitFor(t, "every order settled", func() bool { return len(res.list()) == len(ids) })

	for _, r := range res.list() {
		if r.Outcome != pipeline.OutcomeSynced {
			t.Errorf("order %d: %s %s", r.OrderID, r.Outcome, r.Reason)
		}
	}
	for email, key := range map[string]string{"ada@studio.inc": "ada@studio%2Einc", "a/b@mail.studio.inc": "a%2Fb@mail.studio%2Einc"} {
		if got := mapper.CustomerKey(email, 0, 0); got != key {
			t.Fatalf("CustomerKey(%q) = %q, want %q", email, got, key)
		}
		if _, ok := e.sf.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", key); !ok {
			t.Errorf("no single Account keyed %s: %v", key, e.sf.Records("Account"))
		}
		c, ok := e.sf.RecordByExternalID("Contact", "BigCommerce_Customer_Key__c", key)
		if !ok || c["Email"] != email {
			t.Errorf("Contact keyed %s: %v", key, c)
		}
	}
	if n := len(e.sf.Records("Account")); n != 2 {
		t.Errorf("%d Accounts, want 2 (one per e-mail)", n)
	}
	if n := len(e.sf.Records("Opportunity")); n != 3 {
		t.Errorf("%d Opportunities, want 3", n)
	}
}

package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

func TestWorkerOrderTargetResolvesPricebookEntriesOncePerBatch(t *testing.T) {
	t.Parallel()
	// The price book id is known only once the org exists, so the env's
	// mapper is replaced below.
	e := newEnv(t, mapper.Config{})
	pb := e.sf.StandardPricebookID()
	m, err := mapper.New(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: pb})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"SKU-0", "SKU-1", "SKU-2", "it's \"quoted\""} {
		pid, err := e.sf.Seed("Product2", sftest.Record{"Name": key, "BigCommerce_Product_Key__c": key})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sf.Seed("PricebookEntry", sftest.Record{"Pricebook2Id": pb, "Product2Id": pid, "UnitPrice": 10, "IsActive": true}); err != nil {
			t.Fatal(err)
		}
	}
	orders := e.addOrders(t, 6)
	quoted := order(50)
	quoted.LineItems[0].SKU = "it's \"quoted\""
	unknown := order(51)
	unknown.LineItems[0].SKU = "SKU-NONE"
	for _, o := range []bctest.Order{quoted, unknown} {
		added, err := e.bc.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, added)
	}
	for _, o := range orders {
		enqueue(t, e.q, o.ID)
	}
	cfg := e.config()
	cfg.Mapper = m
	cfg.Pricebook = e.sfc
	cfg.BatchSize = len(orders)
	cfg.Linger = time.Minute
	w := newWorker(t, cfg)
	start(t, w)
	waitFor(t, "all settled", func() bool { st := w.Stats(); return st.Synced+st.DeadLettered == int64(len(orders)) })

	st := w.Stats()
	if st.Synced != 7 || st.DeadLettered != 1 || st.PricebookQueries != 1 || st.GraphCalls != 1 {
		t.Errorf("stats %+v; want 7 synced, 1 dead, 1 query, 1 graph call", st)
	}
	if n := len(e.sf.Records("OrderItem")); n != 7 {
		t.Errorf("%d order items, want 7", n)
	}
	dl, _ := e.q.DeadLetters(context.Background(), 0)
	if len(dl) != 1 || !strings.Contains(dl[0].Reason, "SKU-NONE") || !strings.Contains(dl[0].Reason, fmt.Sprintf("order %d", orders[7].ID)) {
		t.Errorf("dead letters %+v", dl)
	}
}

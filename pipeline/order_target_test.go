package pipeline_test

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
	w := newWorker(t, cfg)
	pipeline.SendOnlyFullBatches(w)
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

// orderTargetEnv is an env whose mapper targets Order, with a Product2 and
// a PricebookEntry in the standard price book for each key.
func orderTargetEnv(t *testing.T, link mapper.LinkMode, keys ...string) (*env, pipeline.WorkerConfig) {
	t.Helper()
	e := newEnv(t, mapper.Config{})
	pb := e.sf.StandardPricebookID()
	m, err := mapper.New(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: pb, Link: link})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		pid, err := e.sf.Seed("Product2", sftest.Record{"Name": key, "BigCommerce_Product_Key__c": key})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sf.Seed("PricebookEntry", sftest.Record{"Pricebook2Id": pb, "Product2Id": pid, "UnitPrice": 10, "IsActive": true}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := e.config()
	cfg.Mapper = m
	cfg.Pricebook = e.sfc
	return e, cfg
}

// enqueueKeyed puts a reconcile Task for id on q under key.
func enqueueKeyed(t *testing.T, q idempotency.Queue, key string, id int64) {
	t.Helper()
	body, err := pipeline.EncodeTask(pipeline.Task{OrderID: id, Source: pipeline.SourceReconcile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(context.Background(), idempotency.Message{Key: key, Body: body}); err != nil {
		t.Fatal(err)
	}
}

// TestWorkerOrderTargetResync syncs the same Order-target orders three
// times against an org that refuses create-only fields on update, as a real
// one does: first new, then changed in BigCommerce (one line repriced, one
// line added), then unchanged. Every sync must succeed, update the items in
// place, and spend the documented number of API calls per batch; the
// unchanged orders are not written again at all.
func TestWorkerOrderTargetResync(t *testing.T) {
	t.Parallel()
	for _, link := range []mapper.LinkMode{mapper.LinkByReference, mapper.LinkByExternalID} {
		t.Run(fmt.Sprintf("link=%d", link), func(t *testing.T) {
			t.Parallel()
			testOrderTargetResync(t, link)
		})
	}
}

func testOrderTargetResync(t *testing.T, link mapper.LinkMode) {
	e, cfg := orderTargetEnv(t, link, "SKU-0", "SKU-1", "SKU-2")
	a, b := order(0), order(1)
	a.LineItems = append(a.LineItems, bctest.LineItem{ID: 9001, ProductID: 8, Name: "Gadget", SKU: "SKU-1",
		Quantity: 3, PriceIncTax: "5.0000", PriceExTax: "5.0000", TotalIncTax: "15.0000", TotalExTax: "15.0000"})
	var orders []bctest.Order
	for _, o := range []bctest.Order{a, b} {
		added, err := e.bc.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		orders = append(orders, added)
	}
	cfg.BatchSize = len(orders)
	w := newWorker(t, cfg)
	pipeline.SendOnlyFullBatches(w) // a batch goes when it is full: one batch per round
	start(t, w)

	type round struct {
		name            string
		change          func(t *testing.T)
		apiCalls        int // per batch: queries plus the graph call
		pricebookQ      int
		orderItemsAfter int
		unchanged       bool // both orders skipped as unchanged, no call
	}
	repriced := orders[0].LineItems[0].ID
	rounds := []round{
		{name: "create", change: func(*testing.T) {}, apiCalls: 3, pricebookQ: 1, orderItemsAfter: 3},
		{name: "changed", change: func(t *testing.T) {
			later := orders[0].DateModified.Add(time.Hour)
			if _, err := e.bc.UpdateOrder(orders[0].ID, func(o *bctest.Order) {
				o.LineItems[0].Quantity = 4
				o.LineItems[0].PriceIncTax, o.LineItems[0].PriceExTax = "12.5000", "12.5000"
				o.LineItems[0].TotalIncTax, o.LineItems[0].TotalExTax = "50.0000", "50.0000"
				o.DateModified = later
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.bc.UpdateOrder(orders[1].ID, func(o *bctest.Order) {
				o.LineItems = append(o.LineItems, bctest.LineItem{ProductID: 9, Name: "Gizmo", SKU: "SKU-2",
					Quantity: 1, PriceIncTax: "7.0000", PriceExTax: "7.0000", TotalIncTax: "7.0000", TotalExTax: "7.0000"})
				o.DateModified = later
			}); err != nil {
				t.Fatal(err)
			}
		}, apiCalls: 3, pricebookQ: 1, orderItemsAfter: 4},
		{name: "unchanged", change: func(*testing.T) {}, apiCalls: 0, pricebookQ: 0, orderItemsAfter: 4, unchanged: true},
	}
	var synced int64
	for i, r := range rounds {
		r.change(t)
		before := w.Stats()
		e.sf.ResetCalls()
		for _, o := range orders {
			enqueueKeyed(t, e.q, fmt.Sprintf("order:%d:round%d", o.ID, i), o.ID)
		}
		synced += int64(len(orders))
		waitFor(t, r.name+" settled", func() bool {
			st := w.Stats()
			// Count skips by reason: Skipped is bumped before its reason, and a
			// read between the two would see the batch settled too early.
			var skipped int64
			for _, n := range st.SkipReasons {
				skipped += n
			}
			return st.DeadLettered > 0 || st.Synced+st.DeadLettered+st.Retried+skipped >= synced
		})
		st := w.Stats()
		wantSynced, wantSkipped, calls := synced, int64(0), int64(1)
		if r.unchanged {
			wantSynced, wantSkipped, calls = synced-int64(len(orders)), int64(len(orders)), 0
		}
		if st.DeadLettered != 0 || st.Retried != 0 || st.Skipped != wantSkipped || st.Synced != wantSynced ||
			st.SkipReasons[pipeline.SkipUnchanged] != wantSkipped {
			dl, _ := e.q.DeadLetters(context.Background(), 0)
			t.Fatalf("%s: stats %+v, dead letters %+v", r.name, st, dl)
		}
		if got := e.sf.TotalCalls(); got != r.apiCalls {
			t.Errorf("%s: %d Salesforce API calls for one batch, want %d: %v", r.name, got, r.apiCalls, e.sf.Calls(sftest.RouteGraph))
		}
		if d := st.ExistenceQueries - before.ExistenceQueries; d != calls {
			t.Errorf("%s: %d existence queries, want %d", r.name, d, calls)
		}
		if d := st.PricebookQueries - before.PricebookQueries; d != int64(r.pricebookQ) {
			t.Errorf("%s: %d pricebook queries, want %d", r.name, d, r.pricebookQ)
		}
		if d := st.GraphCalls - before.GraphCalls; d != calls {
			t.Errorf("%s: %d graph calls, want %d", r.name, d, calls)
		}
		if n := len(e.sf.Records("OrderItem")); n != r.orderItemsAfter {
			t.Errorf("%s: %d order items, want %d (one per line)", r.name, n, r.orderItemsAfter)
		}
		if n := len(e.sf.Records("Order")); n != len(orders) {
			t.Errorf("%s: %d orders, want %d", r.name, n, len(orders))
		}
		item, ok := e.sf.RecordByExternalID("OrderItem", "BigCommerce_Line_Item_Id__c", fmt.Sprint(repriced))
		if !ok {
			t.Fatalf("%s: line %d not in Salesforce", r.name, repriced)
		}
		wantQty, wantPrice := "1", "10"
		if i > 0 {
			wantQty, wantPrice = "4", "12.5"
		}
		if fmt.Sprint(item["Quantity"]) != wantQty || fmt.Sprint(item["UnitPrice"]) != wantPrice {
			t.Errorf("%s: line %d has Quantity %v UnitPrice %v, want %s and %s", r.name, repriced, item["Quantity"], item["UnitPrice"], wantQty, wantPrice)
		}
		if i == 1 {
			// An admin activates the first Order; re-syncs must not send it
			// back to Draft, and leave its (locked) items alone.
			ord, _ := e.sf.RecordByExternalID("Order", "BigCommerce_Order_Id__c", fmt.Sprint(orders[0].ID))
			if err := e.sfc.Update(context.Background(), "Order", fmt.Sprint(ord["Id"]), map[string]any{"Status": "Activated"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ord, _ := e.sf.RecordByExternalID("Order", "BigCommerce_Order_Id__c", fmt.Sprint(orders[0].ID))
	if ord["Status"] != "Activated" {
		t.Errorf("re-synced Order has Status %v, want Activated", ord["Status"])
	}
}

// TestWorkerOrderTargetSplitsLongQueries writes a batch whose product keys
// run to 40 KB once URL-encoded (non-ASCII and quotes take three bytes per
// byte): the lookups are split so that no request URI passes the 16,384
// bytes the org accepts (it answers 414 beyond), and every order syncs.
func TestWorkerOrderTargetSplitsLongQueries(t *testing.T) {
	t.Parallel()
	const orders, lines = 3, 20
	keys := make([]string, 0, orders*lines)
	for i := range orders * lines {
		keys = append(keys, fmt.Sprintf("%d-'ü%s'", i, strings.Repeat("é", 100)))
	}
	e, cfg := orderTargetEnv(t, mapper.LinkByReference, keys...)
	for i := range orders {
		o := order(i)
		o.LineItems = nil
		for j := range lines {
			o.LineItems = append(o.LineItems, bctest.LineItem{ProductID: int64(j + 1), Name: "Widget", SKU: keys[i*lines+j],
				Quantity: 1, PriceIncTax: "10.0000", PriceExTax: "10.0000", TotalIncTax: "10.0000", TotalExTax: "10.0000"})
		}
		added, err := e.bc.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		enqueue(t, e.q, added.ID)
	}
	cfg.BatchSize = orders
	w := newWorker(t, cfg)
	pipeline.SendOnlyFullBatches(w)
	start(t, w)
	waitFor(t, "all settled", func() bool { st := w.Stats(); return st.Synced+st.DeadLettered == orders })

	st := w.Stats()
	if st.Synced != orders || st.GraphCalls != 1 || st.PricebookQueries < 3 || st.ExistenceQueries != 1 {
		t.Errorf("stats %+v; want %d synced in 1 graph call, the pricebook lookup split in 3 or more queries, 1 existence query", st, orders)
	}
	if n := len(e.sf.Records("OrderItem")); n != orders*lines {
		t.Errorf("%d order items, want %d", n, orders*lines)
	}
	if dl, _ := e.q.DeadLetters(context.Background(), 0); len(dl) != 0 {
		t.Errorf("dead letters %+v", dl)
	}
}

// A product key with control characters is quoted safely: one holding NUL
// matches nothing and dead-letters its own order with a reason naming the
// key, while the other orders of the batch, one of them keyed with a tab
// and an escape character, sync.
func TestWorkerOrderTargetControlCharacterKeys(t *testing.T) {
	t.Parallel()
	const tabbed = "SKU\t\x1b[0m"
	e, cfg := orderTargetEnv(t, mapper.LinkByReference, "SKU-0", tabbed)
	var ids []int64
	for i, sku := range []string{"SKU-0", "SKU\x00NUL", tabbed} {
		o := order(i)
		o.LineItems[0].SKU = sku
		added, err := e.bc.AddOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, added.ID)
		enqueue(t, e.q, added.ID)
	}
	cfg.BatchSize = len(ids)
	w := newWorker(t, cfg)
	pipeline.SendOnlyFullBatches(w)
	start(t, w)
	waitFor(t, "all settled", func() bool { st := w.Stats(); return st.Synced+st.DeadLettered == int64(len(ids)) })
	if st := w.Stats(); st.Synced != 2 || st.DeadLettered != 1 {
		t.Errorf("stats %+v; want 2 synced, 1 dead", st)
	}
	dl, _ := e.q.DeadLetters(context.Background(), 0)
	if len(dl) != 1 || !strings.Contains(dl[0].Reason, `"SKU\x00NUL"`) || !strings.Contains(dl[0].Reason, fmt.Sprintf("order %d", ids[1])) {
		t.Errorf("dead letters %+v", dl)
	}
}

// TestWorkerOrderTargetActivatedOrder changes an order whose Order an admin
// activated in Salesforce: its status, refund and lines all change in
// BigCommerce. Salesforce refuses any change to an activated Order's items,
// so the sync must write the Order alone (status, refund) with a
// WarnItemsLocked warning, and not dead-letter; once the Order is back in
// Draft, the next sync writes the items too.
func TestWorkerOrderTargetActivatedOrder(t *testing.T) {
	t.Parallel()
	e, cfg := orderTargetEnv(t, mapper.LinkByReference, "SKU-0", "SKU-1")
	added, err := e.bc.AddOrder(order(0))
	if err != nil {
		t.Fatal(err)
	}
	var res results
	cfg.OnResult = res.add
	w := newWorker(t, cfg)
	start(t, w)
	round := 0
	syncOnce := func(name string) pipeline.Result {
		t.Helper()
		round++
		enqueueKeyed(t, e.q, fmt.Sprintf("order:%d:round%d", added.ID, round), added.ID)
		waitFor(t, name, func() bool { return len(res.list()) == round })
		r := res.list()[round-1]
		if r.Outcome != pipeline.OutcomeSynced {
			dl, _ := e.q.DeadLetters(context.Background(), 0)
			t.Fatalf("%s: outcome %s (%s), dead letters %+v", name, r.Outcome, r.Reason, dl)
		}
		return r
	}
	locked := func(r pipeline.Result) bool {
		for _, w := range r.Warnings {
			if w.Code == pipeline.WarnItemsLocked {
				return true
			}
		}
		return false
	}
	if r := syncOnce("create"); locked(r) {
		t.Errorf("create warned %v", r.Warnings)
	}
	ord, _ := e.sf.RecordByExternalID("Order", "BigCommerce_Order_Id__c", fmt.Sprint(added.ID))
	if err := e.sfc.Update(context.Background(), "Order", fmt.Sprint(ord["Id"]), map[string]any{"Status": "Activated"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.bc.UpdateOrder(added.ID, func(o *bctest.Order) {
		o.StatusID, o.RefundedAmount = 5, "3.2500"
		o.LineItems[0].Quantity = 2
		o.LineItems = append(o.LineItems, bctest.LineItem{ProductID: 8, Name: "Gadget", SKU: "SKU-1",
			Quantity: 1, PriceIncTax: "5.0000", PriceExTax: "5.0000", TotalIncTax: "5.0000", TotalExTax: "5.0000"})
	}); err != nil {
		t.Fatal(err)
	}
	before := w.Stats()
	if r := syncOnce("cancelled while activated"); !locked(r) {
		t.Errorf("no %s warning: %v", pipeline.WarnItemsLocked, r.Warnings)
	}
	if d := w.Stats().PricebookQueries - before.PricebookQueries; d != 0 {
		t.Errorf("%d pricebook queries for items that are not written", d)
	}
	ord, _ = e.sf.RecordByExternalID("Order", "BigCommerce_Order_Id__c", fmt.Sprint(added.ID))
	if ord["Status"] != "Activated" || ord["BigCommerce_Status__c"] != "Cancelled" || fmt.Sprint(ord["BigCommerce_Refunded_Amount__c"]) != "3.25" {
		t.Errorf("activated Order after the sync: %v", ord)
	}
	items := e.sf.Records("OrderItem")
	if len(items) != 1 || fmt.Sprint(items[0]["Quantity"]) != "1" {
		t.Errorf("items of the activated Order changed: %v", items)
	}

	if err := e.sfc.Update(context.Background(), "Order", fmt.Sprint(ord["Id"]), map[string]any{"Status": "Draft"}); err != nil {
		t.Fatal(err)
	}
	if r := syncOnce("back in draft"); locked(r) {
		t.Errorf("draft Order warned %v", r.Warnings)
	}
	items = e.sf.Records("OrderItem")
	if len(items) != 2 {
		t.Fatalf("%d items after the Order left activation, want 2", len(items))
	}
	for _, it := range items {
		if it["Description"] == "Widget" && fmt.Sprint(it["Quantity"]) != "2" {
			t.Errorf("Widget quantity %v, want 2", it["Quantity"])
		}
	}
}

// seedEntry adds a Product2 keyed key (once per key) and a PricebookEntry
// for it in the standard price book, and returns the entry's id.
func seedEntry(t *testing.T, e *env, products map[string]string, key, currency string, active bool) string {
	t.Helper()
	pid, ok := products[key]
	if !ok {
		var err error
		if pid, err = e.sf.Seed("Product2", sftest.Record{"Name": key, "BigCommerce_Product_Key__c": key}); err != nil {
			t.Fatal(err)
		}
		products[key] = pid
	}
	entry := sftest.Record{"Pricebook2Id": e.sf.StandardPricebookID(), "Product2Id": pid, "UnitPrice": 10, "IsActive": active}
	if currency != "" {
		entry["CurrencyIsoCode"] = currency
	}
	id, err := e.sf.Seed("PricebookEntry", entry)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// itemEntry returns the PricebookEntryId of the OrderItem of line lineID.
func itemEntry(t *testing.T, e *env, lineID int64) string {
	t.Helper()
	rec, ok := e.sf.RecordByExternalID("OrderItem", "BigCommerce_Line_Item_Id__c", fmt.Sprint(lineID))
	if !ok {
		return ""
	}
	id, _ := rec["PricebookEntryId"].(string)
	return id
}

// addPricedOrder stores order i with one line keyed sku in currency and
// enqueues it.
func addPricedOrder(t *testing.T, e *env, i int, sku, currency string) bctest.Order {
	t.Helper()
	o := order(i)
	o.LineItems[0].SKU = sku
	if currency != "" {
		o.CurrencyCode, o.DefaultCurrencyCode = currency, currency
	}
	added, err := e.bc.AddOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, e.q, added.ID)
	return added
}

// runBatch runs the worker until n orders are settled, all in one batch.
func runBatch(t *testing.T, cfg pipeline.WorkerConfig, n int) *pipeline.Worker {
	t.Helper()
	cfg.BatchSize = n
	w := newWorker(t, cfg)
	pipeline.SendOnlyFullBatches(w)
	start(t, w)
	waitFor(t, "all settled", func() bool { st := w.Stats(); return st.Synced+st.DeadLettered == int64(n) })
	return w
}

// An inactive PricebookEntry is never used: Salesforce refuses an OrderItem
// on one. A product whose only entry is inactive dead-letters its order
// with a reason naming the product; one with an inactive and an active
// entry gets the active one.
func TestWorkerOrderTargetSkipsInactiveEntries(t *testing.T) {
	t.Parallel()
	e, cfg := orderTargetEnv(t, mapper.LinkByReference)
	products := map[string]string{}
	seedEntry(t, e, products, "OLD", "", false)
	seedEntry(t, e, products, "BOTH", "", false)
	active := seedEntry(t, e, products, "BOTH", "", true)
	both := addPricedOrder(t, e, 0, "BOTH", "")
	old := addPricedOrder(t, e, 1, "OLD", "")
	w := runBatch(t, cfg, 2)

	if st := w.Stats(); st.Synced != 1 || st.DeadLettered != 1 || st.PricebookQueries != 1 {
		t.Errorf("stats %+v; want 1 synced, 1 dead, 1 pricebook query", st)
	}
	if got := itemEntry(t, e, both.LineItems[0].ID); got != active {
		t.Errorf("BOTH line has PricebookEntryId %q, want the active entry %s", got, active)
	}
	dl, _ := e.q.DeadLetters(context.Background(), 0)
	if len(dl) != 1 || !strings.Contains(dl[0].Reason, `no active pricebook entry for product key "OLD"`) ||
		!strings.Contains(dl[0].Reason, fmt.Sprintf("order %d", old.ID)) {
		t.Errorf("dead letters %+v", dl)
	}
}

// In a multi-currency org each order's items get the entry in the order's
// currency, and an order in a currency its product has no entry in
// dead-letters with a reason naming the product and the currency, while
// the rest of the batch syncs.
func TestWorkerOrderTargetMultiCurrency(t *testing.T) {
	t.Parallel()
	e, cfg := orderTargetEnv(t, mapper.LinkByReference)
	m, err := mapper.New(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: e.sf.StandardPricebookID(), MultiCurrency: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Mapper = m
	products := map[string]string{}
	usd := seedEntry(t, e, products, "WID", "USD", true)
	seedEntry(t, e, products, "WID", "EUR", false)
	eur := seedEntry(t, e, products, "WID", "EUR", true)
	orders := []bctest.Order{
		addPricedOrder(t, e, 0, "WID", "USD"),
		addPricedOrder(t, e, 1, "WID", "EUR"),
		addPricedOrder(t, e, 2, "WID", "GBP"),
	}
	w := runBatch(t, cfg, len(orders))

	if st := w.Stats(); st.Synced != 2 || st.DeadLettered != 1 || st.PricebookQueries != 1 {
		t.Errorf("stats %+v; want 2 synced, 1 dead, 1 pricebook query", st)
	}
	for i, want := range []string{usd, eur} {
		if got := itemEntry(t, e, orders[i].LineItems[0].ID); got != want {
			t.Errorf("order %d's line has PricebookEntryId %q, want %s", orders[i].ID, got, want)
		}
		rec, _ := e.sf.RecordByExternalID("Order", "BigCommerce_Order_Id__c", fmt.Sprint(orders[i].ID))
		if rec["CurrencyIsoCode"] != []string{"USD", "EUR"}[i] {
			t.Errorf("order %d has CurrencyIsoCode %v", orders[i].ID, rec["CurrencyIsoCode"])
		}
	}
	dl, _ := e.q.DeadLetters(context.Background(), 0)
	if len(dl) != 1 || !strings.Contains(dl[0].Reason, `product key "WID" in currency GBP`) ||
		!strings.Contains(dl[0].Reason, fmt.Sprintf("order %d", orders[2].ID)) {
		t.Errorf("dead letters %+v", dl)
	}
}

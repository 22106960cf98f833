package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// TestOrderLifecycle changes orders after they were created, the way a
// store does: a cancellation, an edit of the total, a partial and a full
// refund, archiving, two changes in quick succession whose events arrive in
// reverse order, an Incomplete order that completes (and one that never
// does), and events that change nothing (a transaction). Every event is
// delivered twice, the whole stream shuffled, with the hash BigCommerce
// documents (the SHA-1 of the data, equal for every event of one order),
// while the workers run and while 5% of the calls to either platform fail.
// Once the queue is empty, Salesforce must hold exactly one Opportunity per
// order that ever left status 0, equal to the order as the store holds it:
// StageName, Amount, status text and refunded amount.
//
// The hooks send their header alone, as classic BigCommerce hooks do: no
// webhook-id tells two events apart, and two events of one scope about one
// order in one second are byte for byte the same delivery.
func TestOrderLifecycle(t *testing.T) {
	t.Parallel()
	testOrderLifecycle(t, rigConfig{headerOnly: true})
}

// TestOrderLifecycleRedis is TestOrderLifecycle on the Redis queue and
// store, with signed deliveries.
func TestOrderLifecycleRedis(t *testing.T) {
	t.Parallel()
	testOrderLifecycle(t, rigConfig{redis: true})
}

// lifecycle is one kind of life an order has after its creation: how it
// starts, and the changes made to it with the events each change fires;
// then, once everything was synced, the changes made by later (nil for
// none).
type lifecycle struct {
	name       string
	incomplete bool // created with status 0
	change     func(t *testing.T, s *bctest.Server, id int64) []event
	later      func(t *testing.T, s *bctest.Server, id int64) []event
}

// event is one webhook event to deliver about an order, at a given
// created_at or, when at is zero, the store's now.
type event struct {
	scope string
	id    int64
	at    time.Time
}

// sameSecond is the created_at of events fired within one second of each
// other: two such events of one scope about one order are byte for byte
// the same delivery, as far as the envelope tells.
var sameSecond = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

// lifecycles are the kinds of life the test gives its orders.
var lifecycles = []lifecycle{
	{name: "cancel", change: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.StatusID = 5 })
		return events(id, "store/order/updated", "store/order/statusUpdated")
	}},
	{name: "edit", change: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.TotalIncTax = bump(o.TotalIncTax, "7.0700") })
		return events(id, "store/order/updated")
	}},
	{name: "partial refund", change: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.StatusID, o.RefundedAmount = 14, "3.3300" })
		return events(id, "store/order/refund/created", "store/order/statusUpdated", "store/order/updated")
	}},
	{name: "full refund", change: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.StatusID, o.RefundedAmount = 4, o.TotalIncTax })
		return events(id, "store/order/refund/created", "store/order/statusUpdated")
	}},
	{name: "archive", change: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.IsDeleted = true })
		return events(id, "store/order/archived")
	}},
	{name: "two quick changes, events reversed", change: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.TotalIncTax = bump(o.TotalIncTax, "1.1100") })
		first := at(sameSecond, events(id, "store/order/updated"))
		mustChange(t, s, id, func(o *bctest.Order) { o.StatusID = 2 })
		second := at(sameSecond, events(id, "store/order/statusUpdated", "store/order/updated"))
		return append(second, first...)
	}, later: func(t *testing.T, s *bctest.Server, id int64) []event {
		// A third change in that second, after the order was synced: its
		// event repeats an earlier one to the byte.
		mustChange(t, s, id, func(o *bctest.Order) { o.StatusID, o.TotalIncTax = 10, bump(o.TotalIncTax, "2.2200") })
		return at(sameSecond, events(id, "store/order/updated"))
	}},
	{name: "incomplete completes", incomplete: true, change: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.StatusID = 11 })
		return events(id, "store/channel/1/order/statusUpdated", "store/order/updated")
	}, later: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.StatusID, o.RefundedAmount = 14, "1.0000" })
		return events(id, "store/order/refund/created", "store/order/statusUpdated")
	}},
	{name: "stays incomplete", incomplete: true, change: func(t *testing.T, s *bctest.Server, id int64) []event {
		return events(id, "store/order/updated")
	}},
	{name: "transaction only", change: func(t *testing.T, s *bctest.Server, id int64) []event {
		return events(id, "store/order/transaction/created", "store/order/transaction/updated")
	}},
	{name: "cancel, then archive", change: func(t *testing.T, s *bctest.Server, id int64) []event {
		mustChange(t, s, id, func(o *bctest.Order) { o.StatusID = 5 })
		evs := events(id, "store/order/statusUpdated")
		mustChange(t, s, id, func(o *bctest.Order) { o.IsDeleted = true })
		return append(evs, events(id, "store/channel/1/order/archived")...)
	}},
}

// at sets the created_at of evs.
func at(when time.Time, evs []event) []event {
	for i := range evs {
		evs[i].at = when
	}
	return evs
}

func events(id int64, scopes ...string) []event {
	out := make([]event, len(scopes))
	for i, s := range scopes {
		out[i] = event{scope: s, id: id}
	}
	return out
}

// lifecycleCopies is how many orders live each lifecycle.
func lifecycleCopies() int {
	if testing.Short() {
		return 3
	}
	return 8
}

func testOrderLifecycle(t *testing.T, cfg rigConfig) {
	cfg.storeOpts = []bctest.Option{bctest.WithDataHash(), bctest.WithRateLimit(1_000_000, 30*time.Second), bctest.WithSeed(3)}
	r := newRig(t, cfg)
	if _, err := r.store.AddHook(bctest.Hook{Scope: "store/channel/*", Destination: r.url, IsActive: true,
		Headers: map[string]string{webhookHeader: webhookSecret}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 9))

	type order struct {
		id   int64
		life lifecycle
	}
	var orders []order
	for c := range lifecycleCopies() {
		for _, l := range lifecycles {
			o := bctest.Order{
				StatusID:    11,
				TotalIncTax: amount(len(orders)),
				DateCreated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
				BillingAddress: bctest.Address{FirstName: "Ada", LastName: "Buyer" + strconv.Itoa(c),
					Email: fmt.Sprintf("buyer%d@example.com", len(orders))},
			}
			if l.incomplete {
				o.StatusID = 0
			}
			added, err := r.store.AddOrder(o)
			if err != nil {
				t.Fatal(err)
			}
			orders = append(orders, order{id: added.ID, life: l})
		}
	}
	if err := r.store.FailRandomly(0.05, bctest.Fault{Route: bctest.RouteGetOrder, Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	if err := r.org.FailRandomly(0.05, sftest.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	r.startWorkers()

	// Creation: every order's created event, twice, shuffled.
	var created []event
	for _, o := range orders {
		created = append(created, events(o.id, "store/order/created")...)
	}
	deliverShuffled(ctx, t, r, created, rng)

	// Their later life, while the workers still sync the creations: each
	// order changes, and the events of all changes arrive twice, shuffled,
	// except that the reversed pair keeps its (reverse) order.
	var later [][]event
	for _, o := range orders {
		evs := o.life.change(t, r.store, o.id)
		if o.life.name == "two quick changes, events reversed" {
			later = append(later, evs, evs)
			continue
		}
		for _, e := range evs {
			later = append(later, []event{e}, []event{e})
		}
	}
	rng.Shuffle(len(later), func(i, j int) { later[i], later[j] = later[j], later[i] })
	for _, group := range later {
		for _, e := range group {
			deliverOne(ctx, t, r, e)
		}
	}

	waitQuiet(t, r, 2*time.Minute)

	// Later changes, once all of the above was synced, each event twice.
	var last []event
	for _, o := range orders {
		if o.life.later != nil {
			last = append(last, o.life.later(t, r.store, o.id)...)
		}
	}
	deliverShuffled(ctx, t, r, last, rng)
	waitQuiet(t, r, 2*time.Minute)
	if dls := r.deadLetters(); len(dls) != 0 {
		t.Fatalf("%d dead letters, want none; first: %s", len(dls), dls[0].Reason)
	}

	synced := 0
	for _, o := range orders {
		want, ok := r.store.Order(o.id)
		if !ok {
			t.Fatalf("order %d vanished from the store", o.id)
		}
		rec, found := r.org.RecordByExternalID("Opportunity", orderKeyField, strconv.FormatInt(o.id, 10))
		if want.StatusID == 0 {
			if found {
				t.Errorf("%s: order %d is Incomplete but has an Opportunity", o.life.name, o.id)
			}
			continue
		}
		synced++
		if !found {
			t.Errorf("%s: order %d has no single Opportunity", o.life.name, o.id)
			continue
		}
		for field, wantValue := range map[string]string{
			"StageName":                      stageOf(want),
			"Amount":                         trimZeros(want.TotalIncTax),
			"BigCommerce_Status__c":          statusTextOf(want),
			"BigCommerce_Refunded_Amount__c": trimZeros(refundedOf(want)),
		} {
			if got := fmt.Sprint(rec[field]); got != wantValue {
				t.Errorf("%s: order %d: %s = %s, want %s", o.life.name, o.id, field, got, wantValue)
			}
		}
	}
	if n := len(r.org.Records("Opportunity")); n != synced {
		t.Errorf("%d Opportunities for %d orders that left status 0", n, synced)
	}
	st := r.workerStats()
	t.Logf("%d orders, %d deliveries; worker stats %+v", len(orders), len(r.store.Deliveries()), st)
}

// deliverShuffled delivers each event twice, in a shuffled order.
func deliverShuffled(ctx context.Context, t *testing.T, r *rig, evs []event, rng *rand.Rand) {
	t.Helper()
	all := append(append([]event(nil), evs...), evs...)
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	for _, e := range all {
		deliverOne(ctx, t, r, e)
	}
}

// deliverOne sends one event with the data BigCommerce sends for its scope,
// kept to {"type":"order","id":...} where that is the documented shape, so
// that the events of one order share one hash.
func deliverOne(ctx context.Context, t *testing.T, r *rig, e event) {
	t.Helper()
	spec := bctest.EventSpec{Scope: e.scope, CreatedAt: e.at, Data: []byte(fmt.Sprintf(`{"type":"order","id":%d}`, e.id))}
	switch {
	case strings.HasPrefix(e.scope, "store/channel/"):
		spec.Data = []byte(fmt.Sprintf(`{"order_id":%d}`, e.id))
	case e.scope == "store/order/transaction/created" || e.scope == "store/order/transaction/updated":
		spec.Data = []byte(fmt.Sprintf(`{"type":"transaction","order_id":"%d","transaction_id":"t-%d"}`, e.id, e.id))
	}
	d, err := r.store.Deliver(ctx, r.url, spec)
	if err != nil || !d.Delivered() {
		t.Fatalf("deliver %s of order %d: %v %v", e.scope, e.id, err, d)
	}
}

// waitQuiet waits until the queue holds nothing ready, delayed or in
// flight, twice in a row 100 ms apart. The limit guards against a hang.
func waitQuiet(t *testing.T, r *rig, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	quiet := 0
	for quiet < 2 {
		st, err := r.queue.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Depth() == 0 {
			quiet++
		} else {
			quiet = 0
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not empty after %v: %+v, worker stats %+v", limit, st, r.workerStats())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func mustChange(t *testing.T, s *bctest.Server, id int64, change func(*bctest.Order)) {
	t.Helper()
	if _, err := s.UpdateOrder(id, change); err != nil {
		t.Fatalf("change order %d: %v", id, err)
	}
}

// bump adds add to the decimal text total, both with four decimals.
func bump(total, add string) string {
	cents := func(s string) int64 {
		whole, frac, _ := strings.Cut(s, ".")
		w, _ := strconv.ParseInt(whole, 10, 64)
		f, _ := strconv.ParseInt((frac + "0000")[:4], 10, 64)
		return w*10000 + f
	}
	sum := cents(total) + cents(add)
	return fmt.Sprintf("%d.%04d", sum/10000, sum%10000)
}

// stageOf is the default mapping's StageName for o.
func stageOf(o bctest.Order) string {
	switch {
	case o.IsDeleted, o.StatusID == 4, o.StatusID == 5, o.StatusID == 6:
		return "Closed Lost"
	}
	return "Closed Won"
}

// statusTextOf is the default mapping's BigCommerce_Status__c for o.
func statusTextOf(o bctest.Order) string {
	if o.IsDeleted {
		return "Archived"
	}
	return o.Status
}

func refundedOf(o bctest.Order) string {
	if o.RefundedAmount == "" {
		return "0"
	}
	return o.RefundedAmount
}

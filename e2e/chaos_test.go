package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// chaosTokenLife is how many Salesforce calls a session lasts in the chaos
// test before the org expires every token, again and again. Batching packs
// up to 75 orders into one call, so a run of 2,000 orders makes only a few
// dozen calls: a session life of 200 would never end one, while 5 ends
// several. The 300 orders of -short make about 5 calls, so there a session
// lasts 2.
func chaosTokenLife() int {
	if testing.Short() {
		return 2
	}
	return 5
}

// orderCount is the size of the chaos and burst runs: 2,000, or 300 with
// -short.
func orderCount() int {
	if testing.Short() {
		return 300
	}
	return 2000
}

// TestChaos syncs thousands of orders while everything goes wrong at once:
// every webhook is delivered twice, 10% of Salesforce calls answer 503, the
// sessions expire every few calls, 5% of BigCommerce calls answer 429, the
// worker pool is stopped and restarted three times, and one order's data is
// refused by Salesforce. Every other syncable order must end up as exactly
// one Opportunity with its exact amount, and the refused order alone in the
// dead letters.
func TestChaos(t *testing.T) {
	t.Parallel()
	testChaos(t, false, orderCount())
}

// TestChaosRedis is TestChaos on the Redis queue and store, with 500 orders
// (300 with -short).
func TestChaosRedis(t *testing.T) {
	t.Parallel()
	testChaos(t, true, min(500, orderCount()))
}

func testChaos(t *testing.T, useRedis bool, n int) {
	r := newRig(t, rigConfig{
		redis: useRedis,
		// A quota that is never spent: the 429s here are the injected ones.
		storeOpts: []bctest.Option{bctest.WithRateLimit(1_000_000, 30*time.Second), bctest.WithSeed(7)},
		orgOpts:   []sftest.Option{sftest.WithSeed(11)},
		tokenLife: chaosTokenLife(),
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	orders, poison := seedChaos(t, r, n)
	ids := idsOf(orders)
	// The refused order is delivered on its own, twice, while no worker
	// runs (below): both deliveries are then one message, as the queue
	// deduplicates the events of one sync generation, and that message is
	// dead-lettered once. Sent among the others, its redelivery could
	// arrive after its sync started and be a message of its own, read
	// again and dead-lettered again: one dead letter or two, by timing.
	others := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == poison })
	if err := r.org.FailRandomly(0.10, sftest.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	// The 429s name no wait (platform-wide load), so the client backs off
	// from twice its 10 ms InitialBackoff, for all its goroutines at once.
	if err := r.store.FailRandomly(0.05, bctest.Fault{Status: http.StatusTooManyRequests, NoRateHeaders: true}); err != nil {
		t.Fatal(err)
	}

	stop := r.startWorkers()
	delivered := make(chan struct{})
	go func() {
		defer close(delivered)
		deliverEach(ctx, t, r, others, 4, true)
	}()
	// A failed wait below ends the test early: stop the senders first.
	defer func() { cancel(); <-delivered }()
	for i := 1; i <= 3; i++ {
		waitSynced(t, r, i*n/5, time.Minute)
		stop()
		st, err := r.queue.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("pool %d stopped after %d syncs; queue: %d ready, %d delayed, %d in flight",
			i, r.rec.count(pipeline.OutcomeSynced), st.Ready, st.Delayed, st.InFlight)
		if i == 1 {
			deliverEach(ctx, t, r, []int64{poison}, 1, true)
		}
		stop = r.startWorkers()
	}
	<-delivered
	r.waitSettled(ids, 2*time.Minute)

	want := 0
	for _, o := range orders {
		if !syncable(o) || o.ID == poison {
			continue
		}
		want++
		r.assertOpportunity(o)
	}
	if got := len(r.org.Records("Opportunity")); got != want {
		t.Errorf("org holds %d Opportunities, want %d", got, want)
	}
	// The refused order's two deliveries were one message: one dead
	// letter, and no other order may have any.
	dls := r.deadLetters()
	if len(dls) != 1 {
		t.Fatalf("%d dead letters, want the refused order %d's one:%s", len(dls), poison, describeDead(dls))
	}
	for _, dl := range dls {
		task, err := pipeline.DecodeTask(dl.Body)
		if err != nil || task.OrderID != poison {
			t.Errorf("dead letter is %+v (%v), want order %d", task, err, poison)
		}
		if !reasonHas(dl.Reason, "several") && !reasonHas(dl.Reason, "300") {
			t.Errorf("dead letter reason %q does not say the key matches several records", dl.Reason)
		}
	}
	t.Logf("dead letter of order %d: %s", poison, dls[0].Reason)
	// Each session lasts exactly chaosTokenLife served calls, so the client
	// must have fetched a new token every chaosTokenLife of them.
	if calls, tokens := dailyUsed(r.org), r.org.TokenRequests(); tokens*chaosTokenLife() < calls || tokens < 2 {
		t.Errorf("%d token requests for %d API calls, want at least one per %d calls and at least 2", tokens, calls, chaosTokenLife())
	}
	if r.org.FaultsInjected() == 0 {
		t.Error("no Salesforce fault was injected")
	}
	st := r.workerStats()
	if r.store.TotalCalls() <= int(st.BigCommerceCalls) {
		t.Errorf("%d BigCommerce calls for the worker's %d: no 429 was injected", r.store.TotalCalls(), st.BigCommerceCalls)
	}
	t.Logf("chaos: %d orders, %d deliveries, %d worker pools; Salesforce: %d API calls, %d token requests, %d faults injected; "+
		"BigCommerce: %d calls; worker: %+v",
		n, len(r.store.Deliveries()), len(r.workers), r.org.TotalCalls(), r.org.TokenRequests(), r.org.FaultsInjected(),
		r.store.TotalCalls(), st)
}

// seedChaos adds n orders: one in twenty Incomplete, 300 customers buying
// again and again, amounts with four decimals, and one order whose customer
// key matches two Accounts in the org (imported twice, when the field was
// not yet Unique), so Salesforce refuses to pick one. It returns the orders
// and the refused order's id.
func seedChaos(t *testing.T, r *rig, n int) ([]bctest.Order, int64) {
	t.Helper()
	for range 2 {
		if _, err := r.org.Seed("Account", sftest.Record{"Name": "Imported twice", customerKeyField: "dup@example%2Ecom"}); err != nil {
			t.Fatal(err)
		}
	}
	orders := make([]bctest.Order, 0, n)
	var poison int64
	for i := range n {
		email := fmt.Sprintf("buyer%03d@example.com", i%300)
		if i == n/2 {
			email = "dup@example.com"
		}
		status := 11
		if i%20 == 7 {
			status = 0
		}
		o := mustAddOrder(t, r.store, bctest.Order{
			CustomerID: int64(i%300 + 1), StatusID: status,
			TotalIncTax:    amount(i),
			BillingAddress: bctest.Address{FirstName: "Buyer", LastName: fmt.Sprintf("No. %d", i%300), Email: email},
			LineItems:      []bctest.LineItem{{Name: "Widget", SKU: fmt.Sprintf("W-%d", i%50), Quantity: 1 + i%3, PriceIncTax: "10.0000"}},
		})
		if email == "dup@example.com" {
			poison = o.ID
		}
		orders = append(orders, o)
	}
	return orders, poison
}

// deliverEach sends the created event of every order, from workers
// goroutines, and with twice sends each one again as BigCommerce's retries
// do (same body and webhook-id, fresh signature).
func deliverEach(ctx context.Context, t *testing.T, r *rig, ids []int64, workers int, twice bool) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ids) || ctx.Err() != nil {
					return
				}
				r.rec.delivered(ids[i])
				d, err := r.store.Deliver(ctx, r.url, bctest.EventSpec{OrderID: ids[i]})
				if err == nil && d.Delivered() && twice {
					d, err = r.store.Redeliver(ctx, d)
				}
				if ctx.Err() != nil {
					return
				}
				if err != nil || !d.Delivered() {
					t.Errorf("deliver order %d: %v %v", ids[i], err, d)
					return
				}
			}
		})
	}
	wg.Wait()
}

// waitSynced waits until at least n orders were synced.
func waitSynced(t *testing.T, r *rig, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for r.rec.count(pipeline.OutcomeSynced) < n {
		if time.Now().After(deadline) {
			t.Fatalf("after %v only %d of %d orders synced; worker stats %+v", limit, r.rec.count(pipeline.OutcomeSynced), n, r.workerStats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// dailyUsed is the calls the org served (and counted against its
// allowance); faulted and refused calls are not among them.
func dailyUsed(org *sftest.Server) int {
	used, _ := org.DailyUsage()
	return used
}

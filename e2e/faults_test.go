package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// TestHeavyFaultMix syncs a burst under the heavy fault mix, all at once:
// 20% of Salesforce calls answer 503, 5% of graph nodes fail with
// UNABLE_TO_LOCK_ROW, 10% of BigCommerce calls answer 429 with a 200 ms
// reset, and every Salesforce session expires after 10 API calls. Every
// order must end up as exactly one Opportunity with its exact amount, with
// no dead letter: none of these failures is any order's fault. How fast it
// drains is measured by internal/bench's BenchmarkFaultyBurst, not here.
func TestHeavyFaultMix(t *testing.T) {
	t.Parallel()
	testHeavyFaultMix(t, false, min(1000, orderCount()))
}

// TestHeavyFaultMixRedis is TestHeavyFaultMix on the Redis queue and store,
// with 300 orders.
func TestHeavyFaultMixRedis(t *testing.T) {
	t.Parallel()
	testHeavyFaultMix(t, true, 300)
}

func testHeavyFaultMix(t *testing.T, useRedis bool, n int) {
	r := newRig(t, rigConfig{
		redis:     useRedis,
		storeOpts: []bctest.Option{bctest.WithRateLimit(1_000_000, 30*time.Second), bctest.WithSeed(3)},
		orgOpts:   []sftest.Option{sftest.WithSeed(5)},
		tokenLife: 10,
		worker: func(c *pipeline.WorkerConfig) {
			c.MaxAttempts = 3 // a failure wrongly blamed on an order shows as a dead letter soon
		},
	})
	orders := seedPlain(t, r, n)
	if err := r.org.FailRandomly(0.20, sftest.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	if err := r.org.FailGraphNodesRandomly(0.05, "UNABLE_TO_LOCK_ROW"); err != nil {
		t.Fatal(err)
	}
	if err := r.store.FailRandomly(0.10, bctest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	r.startWorkers()
	deliverEach(context.Background(), t, r, idsOf(orders), 4, false)
	r.waitSettled(idsOf(orders), 3*time.Minute)

	for _, o := range orders {
		r.assertOpportunity(o) // exactly one, with its amount
	}
	if got := len(r.org.Records("Opportunity")); got != n {
		t.Errorf("org holds %d Opportunities, want %d", got, n)
	}
	if dls := r.deadLetters(); len(dls) != 0 {
		t.Errorf("%d dead letters, want none:%s", len(dls), describeDead(dls))
	}
	st := r.workerStats()
	if r.org.FaultsInjected() == 0 || st.NodeRetries == 0 {
		t.Errorf("faults injected %d, node retries %d: the mix did not bite", r.org.FaultsInjected(), st.NodeRetries)
	}
	t.Logf("heavy fault mix, %d orders: %d Salesforce faults injected, %d token requests; worker %+v",
		n, r.org.FaultsInjected(), r.org.TokenRequests(), st)
}

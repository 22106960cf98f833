package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// faultyBurst is the size of BenchmarkFaultyBurst's bursts.
const faultyBurst = 1000

// BenchmarkFaultyBurst measures how a burst of 1,000 queued orders drains
// under the heavy fault mix, against the same burst without faults in the
// same run, each on fresh fakes with a Worker on the default settings, the
// BigCommerce client's default retry policy and a Salesforce client with
// pipeline.SalesforceRetryPolicy, as examples/sync builds them:
//
//   - 20% of Salesforce calls answer 503 SERVER_UNAVAILABLE;
//   - 5% of Composite Graph nodes fail with UNABLE_TO_LOCK_ROW
//     (sftest.Server.FailGraphNodesRandomly), each rolling back its order;
//   - 10% of BigCommerce calls answer 429 with a 200 ms reset;
//   - every Salesforce session expires after 10 API calls, each new one too.
//
// The drain runs from the Worker's start until every task is settled for
// good (synced, skipped or dead-lettered; a retried task comes back). It
// reports both drain times and their ratio (x-clean), and checks the end
// state of the faulty run: every order exactly once in the org (lost and
// duplicated orders are reported, and fail the benchmark) and no dead
// letter. It runs once whatever b.N is; run it with -benchtime=1x.
func BenchmarkFaultyBurst(b *testing.B) {
	clean := drainBurst(b, false)
	faulty := drainBurst(b, true)
	b.ReportMetric(clean.elapsed.Seconds(), "clean-s")
	b.ReportMetric(faulty.elapsed.Seconds(), "faulty-s")
	b.ReportMetric(faulty.elapsed.Seconds()/clean.elapsed.Seconds(), "x-clean")
	b.ReportMetric(float64(faulty.lost), "lost")
	b.ReportMetric(float64(faulty.duplicated), "duplicated")
	b.ReportMetric(float64(faulty.stats.DeadLettered), "dead")
	b.ReportMetric(float64(faulty.stats.Retried), "retried")
	b.ReportMetric(float64(faulty.faults), "faults-injected")
	b.ReportMetric(float64(faulty.stats.GraphCalls), "faulty-graph-calls")
	b.ReportMetric(float64(clean.stats.GraphCalls), "clean-graph-calls")
	b.ReportMetric(float64(faulty.stats.FailedGraphCalls), "failed-graph-calls")
	b.ReportMetric(float64(faulty.stats.NodeRetries), "node-retries")
}

type drained struct {
	elapsed          time.Duration
	lost, duplicated int
	faults           int
	stats            pipeline.Stats
}

func drainBurst(b *testing.B, withFaults bool) drained {
	b.Helper()
	f := newFakes(b)
	ids := f.addOrders(b, faultyBurst)
	q, s := newBackend(b, false, 2*faultyBurst)
	ctx := context.Background()
	for i, id := range ids {
		body, err := pipeline.EncodeTask(pipeline.Task{OrderID: id, Source: pipeline.SourceWebhook, Scope: bctest.ScopeOrderCreated})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := q.Enqueue(ctx, idempotency.Message{Key: fmt.Sprintf("evt:faulty-%d", i), Body: body}); err != nil {
			b.Fatal(err)
		}
	}
	var tr http.RoundTripper = keepAlive().Transport
	if withFaults {
		injectFaultMix(b, f)
		tr = shortSessions{base: tr, org: f.org, life: 10}
	}
	// The Worker's client, as examples/sync builds it: it repeats a failed
	// call once, at once, and leaves the rest to the Worker.
	sf, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(f.org.URL()), salesforce.WithRetry(pipeline.SalesforceRetryPolicy()),
		salesforce.WithHTTPClient(&http.Client{Transport: tr, Timeout: 30 * time.Second}))
	if err != nil {
		b.Fatal(err)
	}
	f.sf = sf
	var settled atomic.Int64 // every outcome but a retry, which brings the task back
	cfg := f.workerConfig(q, s)
	cfg.OnResult = func(r pipeline.Result) {
		if r.Outcome != pipeline.OutcomeRetried {
			settled.Add(1)
		}
	}
	w := newWorker(b, cfg)
	start := time.Now()
	stop := runWorker(b, w)
	if !waitUntil(10*time.Minute, func() bool { return settled.Load() >= faultyBurst }) {
		b.Errorf("%d of %d tasks settled within 10 minutes (faults %v)", settled.Load(), faultyBurst, withFaults)
	}
	elapsed := time.Since(start)
	stop()

	d := drained{elapsed: elapsed, stats: w.Stats(), faults: f.org.FaultsInjected()}
	for _, id := range ids {
		n := 0
		for _, rec := range f.org.Records("Opportunity") {
			if rec["BigCommerce_Order_Id__c"] == strconv.FormatInt(id, 10) {
				n++
			}
		}
		switch {
		case n == 0:
			d.lost++
		case n > 1:
			d.duplicated += n - 1
		}
	}
	if d.lost > 0 || d.duplicated > 0 || d.stats.DeadLettered > 0 {
		b.Errorf("faults %v: %d orders lost, %d duplicated, %d dead letters", withFaults, d.lost, d.duplicated, d.stats.DeadLettered)
	}
	return d
}

// injectFaultMix arms the heavy fault mix on the fakes; the sessions are
// shortened by the client's transport (shortSessions).
func injectFaultMix(b *testing.B, f *fakes) {
	b.Helper()
	if err := f.org.FailRandomly(0.20, sftest.Fault{Status: http.StatusServiceUnavailable}); err != nil {
		b.Fatal(err)
	}
	if err := f.org.FailGraphNodesRandomly(0.05, "UNABLE_TO_LOCK_ROW"); err != nil {
		b.Fatal(err)
	}
	if err := f.store.FailRandomly(0.10, bctest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 200 * time.Millisecond}); err != nil {
		b.Fatal(err)
	}
}

// shortSessions arms the org's session countdown each time it hands out a
// token, before the client can use it, so every session lasts exactly life
// API calls.
type shortSessions struct {
	base http.RoundTripper
	org  *sftest.Server
	life int
}

func (s shortSessions) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(req.URL.Path, "/services/oauth2/token") {
		s.org.ExpireTokensAfter(s.life)
	}
	return resp, err
}

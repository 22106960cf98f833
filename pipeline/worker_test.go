package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
	"github.com/bc2sf/bc2sf/webhook"
)

// receiver serves the webhook handler over a Sink on q and s.
func receiver(t *testing.T, q idempotency.Queue, s idempotency.Store) string {
	t.Helper()
	h, err := webhook.NewHandler(pipeline.NewSink(q, s))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/webhooks/bigcommerce"
}

func TestWorkerSyncsWebhookEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addOrders(t, 9)
	incomplete := order(99)
	incomplete.StatusID = 0
	inc, err := e.bc.AddOrder(incomplete)
	if err != nil {
		t.Fatal(err)
	}
	url := receiver(t, e.q, e.st)
	for _, o := range append(orders, inc) {
		res, err := e.bc.Deliver(context.Background(), url, bctest.EventSpec{OrderID: o.ID})
		if err != nil || !res.Delivered() {
			t.Fatalf("deliver order %d: %v %v", o.ID, err, res)
		}
	}

	var got results
	cfg := e.config()
	cfg.OnResult = got.add
	w := newWorker(t, cfg)
	r := start(t, w)
	waitFor(t, "10 results", func() bool { return len(got.list()) == 10 })
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v", err)
	}

	opps := e.sf.Records("Opportunity")
	if len(opps) != len(orders) {
		t.Fatalf("%d opportunities, want %d", len(opps), len(orders))
	}
	for _, o := range orders {
		rec, ok := e.sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", fmt.Sprint(o.ID))
		if !ok {
			t.Fatalf("no opportunity for order %d", o.ID)
		}
		if amount := fmt.Sprint(rec["Amount"]); amount != strings.TrimRight(o.TotalIncTax, "0") {
			t.Errorf("order %d: Amount %s, want %s", o.ID, amount, o.TotalIncTax)
		}
	}
	if _, ok := e.sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", fmt.Sprint(inc.ID)); ok {
		t.Error("the incomplete order was written")
	}
	st := w.Stats()
	if st.Synced != 9 || st.Skipped != 1 || st.SkipReasons[string(mapper.SkipStatus)] != 1 ||
		st.DeadLettered != 0 || st.OrdersRead != 10 || st.Dequeued != 10 {
		t.Errorf("stats = %+v", st)
	}
	// The first order is read alone; the others, pending by then, may share
	// a page.
	if st.BigCommerceCalls < 1 || st.BigCommerceCalls > 10 || st.BigCommerceCalls != int64(e.bc.TotalCalls()) {
		t.Errorf("%d BigCommerce calls (the store counted %d) for 10 orders, want 1 to 10", st.BigCommerceCalls, e.bc.TotalCalls())
	}
	for _, res := range got.list() {
		switch {
		case res.OrderID == inc.ID:
			if res.Outcome != pipeline.OutcomeSkipped || res.SkipCode != string(mapper.SkipStatus) {
				t.Errorf("incomplete order: %+v", res)
			}
		case res.Outcome != pipeline.OutcomeSynced || res.Source != pipeline.SourceWebhook || !strings.HasPrefix(res.Key, "sync:"):
			t.Errorf("result %+v", res)
		default:
			if len(res.Records) != 3 || res.Records[2].SObject != "Opportunity" || res.Records[2].ID == "" {
				t.Errorf("order %d records %+v", res.OrderID, res.Records)
			}
		}
	}
	if !drained(e.q)() {
		t.Error("queue not drained")
	}
}

func TestWorkerBatchesABurst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addOrders(t, 200)
	for _, o := range orders {
		enqueue(t, e.q, o.ID)
	}
	cfg := e.config()
	w := newWorker(t, cfg)
	// Only full batches are sent until the shutdown sends the rest, so the
	// count below does not depend on speed.
	pipeline.SendOnlyFullBatches(w)
	r := start(t, w)
	waitFor(t, "200 fetched", func() bool { return w.Stats().OrdersRead == 200 })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}

	if n := len(e.sf.Records("Opportunity")); n != 200 {
		t.Fatalf("%d opportunities, want 200", n)
	}
	st := w.Stats()
	// ceil(200/75) = 3: 75 + 75 + 50.
	if st.GraphCalls != 3 || int64(e.sf.TotalCalls()) != st.GraphCalls || st.GraphOrders != 200 {
		t.Errorf("graph calls %d (org counted %d), orders in them %d; want 3 calls for 200",
			st.GraphCalls, e.sf.TotalCalls(), st.GraphOrders)
	}
	// Dequeued ahead of the fetches, the orders are read in pages: one call
	// for the first, one per 250 after it, and a few more when a run is cut
	// short by the fetches in flight.
	if st.BigCommerceCalls > 10 || st.OrdersRead != 200 {
		t.Errorf("%d BigCommerce calls for %d orders read, want at most 10 for 200", st.BigCommerceCalls, st.OrdersRead)
	}
	t.Logf("200 orders: %d graph calls, %.1f orders per call", st.GraphCalls, st.OrdersPerGraphCall())
}

func TestWorkerQuietStoreSpendsOneCallPerOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addOrders(t, 5)
	w := newWorker(t, e.config())
	start(t, w)
	for i, o := range orders {
		enqueue(t, e.q, o.ID)
		waitFor(t, "order synced", func() bool { return w.Stats().Synced == int64(i+1) })
	}
	if calls := e.sf.TotalCalls(); calls != 5 {
		t.Errorf("%d Salesforce calls for 5 orders one at a time, want 5", calls)
	}
}

func TestWorkerRedelivery(t *testing.T) {
	t.Parallel()
	// Dedup off: the Store alone must keep a repeated message from a second write.
	e := newEnv(t, mapper.Config{}, idempotency.WithDedupWindow(0))
	o := e.addOrders(t, 1)[0]
	enqueue(t, e.q, o.ID)
	w := newWorker(t, e.config())
	start(t, w)
	waitFor(t, "synced", func() bool { return w.Stats().Synced == 1 })
	calls := e.sf.TotalCalls()

	enqueue(t, e.q, o.ID) // the same key again
	waitFor(t, "skipped", func() bool { return w.Stats().Skipped == 1 })
	st := w.Stats()
	if st.SkipReasons[pipeline.SkipAlreadyDone] != 1 || st.BigCommerceCalls != 1 || e.sf.TotalCalls() != calls {
		t.Errorf("second delivery: stats %+v, SF calls %d -> %d", st, calls, e.sf.TotalCalls())
	}
}

func TestSinkDeduplicatesARedeliveredEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	o := e.addOrders(t, 1)[0]
	url := receiver(t, e.q, e.st)
	first, err := e.bc.Deliver(context.Background(), url, bctest.EventSpec{OrderID: o.ID})
	if err != nil || !first.Delivered() {
		t.Fatal(err, first)
	}
	if again, err := e.bc.Redeliver(context.Background(), first); err != nil || !again.Delivered() {
		t.Fatal(err, again)
	}
	w := newWorker(t, e.config())
	start(t, w)
	waitFor(t, "synced", func() bool { return w.Stats().Synced == 1 })
	waitFor(t, "drained", drained(e.q))
	if st := w.Stats(); st.Dequeued != 1 || len(e.sf.Records("Opportunity")) != 1 {
		t.Errorf("dequeued %d, opportunities %d; want 1 and 1", st.Dequeued, len(e.sf.Records("Opportunity")))
	}
}

// dropField is a GraphWriter that removes a field from the Opportunity of one
// order before passing the call on, so the org refuses that graph.
type dropField struct {
	pipeline.GraphWriter
	orderID int64
	field   string
}

func (d dropField) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	for _, g := range req.Graphs {
		if g.GraphID != fmt.Sprintf("order_%d", d.orderID) {
			continue
		}
		for _, n := range g.CompositeRequest {
			if body, ok := n.Body.(map[string]any); ok && n.ReferenceID == "opportunity" {
				delete(body, d.field)
			}
		}
	}
	return d.GraphWriter.CompositeGraph(ctx, req)
}

func TestWorkerDeadLettersADataErrorAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addOrders(t, 5)
	bad := orders[2].ID
	for _, o := range orders {
		enqueue(t, e.q, o.ID)
	}
	var got results
	cfg := e.config()
	cfg.Graphs = dropField{GraphWriter: e.sfc, orderID: bad, field: "Name"}
	cfg.BatchSize = 5
	cfg.OnResult = got.add
	w := newWorker(t, cfg)
	pipeline.SendOnlyFullBatches(w)
	start(t, w)
	waitFor(t, "5 results", func() bool { return len(got.list()) == 5 })

	st := w.Stats()
	if st.Synced != 4 || st.DeadLettered != 1 || st.GraphCalls != 1 || st.Retried != 0 {
		t.Errorf("stats %+v; want 4 synced and 1 dead from one graph call", st)
	}
	dl, err := e.q.DeadLetters(context.Background(), 0)
	if err != nil || len(dl) != 1 {
		t.Fatalf("dead letters %v %v", dl, err)
	}
	for _, want := range []string{fmt.Sprintf("order %d", bad), "REQUIRED_FIELD_MISSING", "opportunity"} {
		if !strings.Contains(dl[0].Reason, want) {
			t.Errorf("reason %q lacks %q", dl[0].Reason, want)
		}
	}
	if _, ok := e.sf.RecordByExternalID("Opportunity", "BigCommerce_Order_Id__c", fmt.Sprint(bad)); ok {
		t.Error("the bad order was written")
	}
}

// TestWorkerRetriesWholeCallFailuresWithoutBlame: a call that fails as a
// whole (503, a lock on the whole request, a rate limit) is written again
// from memory: no order is retried through the queue, none counts an
// attempt, and all are synced.
func TestWorkerRetriesWholeCallFailuresWithoutBlame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault sftest.Fault
	}{
		{"503", sftest.Fault{Status: 503}},
		{"lock", sftest.Fault{Status: 400, Code: "UNABLE_TO_LOCK_ROW"}},
		{"429", sftest.Fault{Status: 429, RetryAfter: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, mapper.Config{})
			orders := e.addOrders(t, 3)
			for _, o := range orders {
				enqueue(t, e.q, o.ID)
			}
			if err := e.sf.FailNext(1, tt.fault); err != nil {
				t.Fatal(err)
			}
			var got results
			cfg := e.config()
			cfg.BatchSize = 3
			cfg.OnResult = got.add
			w := newWorker(t, cfg)
			pipeline.SendOnlyFullBatches(w)
			start(t, w)
			waitFor(t, "3 synced", func() bool { return w.Stats().Synced == 3 })

			if n := len(e.sf.Records("Opportunity")); n != 3 {
				t.Errorf("%d opportunities, want 3", n)
			}
			for _, r := range got.list() {
				if r.Outcome != pipeline.OutcomeSynced || r.Attempt != 1 {
					t.Errorf("result %+v; want synced at the first attempt", r)
				}
			}
			if st := w.Stats(); st.Retried != 0 || st.FailedGraphCalls != 1 || st.GraphCalls != 2 {
				t.Errorf("stats %+v; want one failed call, written again once, and no retry", st)
			}
		})
	}
}

// failingGraphs answers every call with err.
type failingGraphs struct{ err error }

func (f failingGraphs) CompositeGraph(context.Context, salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	return nil, f.err
}

// lockedGraphs answers every graph of every call with UNABLE_TO_LOCK_ROW on
// its first node, counting calls.
type lockedGraphs struct{ calls *atomic.Int64 }

func (l lockedGraphs) CompositeGraph(_ context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	l.calls.Add(1)
	resp := &salesforce.GraphResponse{}
	for _, g := range req.Graphs {
		res := salesforce.GraphResult{GraphID: g.GraphID}
		res.GraphResponse.Results = append(res.GraphResponse.Results, salesforce.SubResult{
			ReferenceID: g.CompositeRequest[0].ReferenceID, HTTPStatusCode: 400,
			Body: json.RawMessage(`[{"errorCode":"UNABLE_TO_LOCK_ROW","message":"unable to obtain exclusive access to this record"}]`)})
		resp.Graphs = append(resp.Graphs, res)
	}
	return resp, nil
}

// TestWorkerGivesUpAfterMaxAttempts: an error about the order itself that
// does not clear (a row that stays locked) is retried from memory, then
// through the queue, and dead-lettered once the delivery reaches
// MaxAttempts.
func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	o := e.addOrders(t, 1)[0]
	enqueue(t, e.q, o.ID)
	cfg := e.config()
	cfg.MaxAttempts = 3
	var calls atomic.Int64
	cfg.Graphs = lockedGraphs{&calls}
	w := newWorker(t, cfg)
	pipeline.SetNodeRetries(w, 1, time.Millisecond)
	start(t, w)
	waitFor(t, "dead letter", func() bool { return w.Stats().DeadLettered == 1 })
	dl, err := e.q.DeadLetters(context.Background(), 0)
	if err != nil || len(dl) != 1 {
		t.Fatal(dl, err)
	}
	if dl[0].Attempt != 3 || !strings.Contains(dl[0].Reason, "gave up after 3 attempts") ||
		!strings.Contains(dl[0].Reason, fmt.Sprintf("order %d", o.ID)) || !strings.Contains(dl[0].Reason, "UNABLE_TO_LOCK_ROW") {
		t.Errorf("dead letter %+v", dl[0])
	}
	// Each of the 3 deliveries is written twice: once, and once more from
	// memory.
	if st := w.Stats(); st.Retried != 2 || st.GraphCalls != 6 || calls.Load() != 6 || st.NodeRetries != 3 {
		t.Errorf("stats %+v, %d calls; want 2 retries through the queue, 3 from memory, 6 calls", st, calls.Load())
	}
}

func TestWorkerDeadLettersAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body []byte
		want []string
	}{
		{"order gone", []byte(`{"order_id":999,"source":"webhook"}`), []string{"order 999", "404"}},
		{"not a task", []byte(`{"order_id":-1`), []string{"invalid task"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, mapper.Config{})
			if _, err := e.q.Enqueue(context.Background(), idempotency.Message{Key: "k", Body: tt.body}); err != nil {
				t.Fatal(err)
			}
			w := newWorker(t, e.config())
			start(t, w)
			waitFor(t, "dead letter", func() bool { return w.Stats().DeadLettered == 1 })
			dl, _ := e.q.DeadLetters(context.Background(), 0)
			if len(dl) != 1 || dl[0].Attempt != 1 {
				t.Fatalf("dead letters %+v", dl)
			}
			for _, s := range tt.want {
				if !strings.Contains(dl[0].Reason, s) {
					t.Errorf("reason %q lacks %q", dl[0].Reason, s)
				}
			}
			// The claim was released: a replay may claim at once.
			if c, err := e.st.Begin(context.Background(), "k", 0); err != nil || c.Status != idempotency.Claimed {
				t.Errorf("Begin after dead letter = %v, %v", c.Status, err)
			}
		})
	}
}

// blockingGraphs blocks every call until its context ends.
type blockingGraphs struct{ called chan struct{} }

func (b blockingGraphs) CompositeGraph(ctx context.Context, _ salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	select {
	case b.called <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestWorkerShutdownGivesWorkBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addOrders(t, 5)
	for _, o := range orders {
		enqueue(t, e.q, o.ID)
	}
	g := blockingGraphs{called: make(chan struct{}, 1)}
	cfg := e.config()
	cfg.Graphs = g
	cfg.BatchSize = 5
	cfg.DrainTimeout = 50 * time.Millisecond
	w := newWorker(t, cfg)
	r := start(t, w)
	<-g.called
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	s, err := e.q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Ready != 5 || s.Dead != 0 || s.InFlight != 0 {
		t.Errorf("queue after shutdown %+v; want 5 ready", s)
	}
	for _, o := range orders {
		c, err := e.st.Begin(context.Background(), fmt.Sprintf("order:%d", o.ID), 0)
		if err != nil || c.Status != idempotency.Claimed {
			t.Errorf("order %d still claimed: %v %v", o.ID, c.Status, err)
		}
	}
}

func TestWorkerShutdownFinishesTheBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orders := e.addOrders(t, 3)
	for _, o := range orders {
		enqueue(t, e.q, o.ID)
	}
	w := newWorker(t, e.config())
	pipeline.SendOnlyFullBatches(w) // only the shutdown sends the batch
	r := start(t, w)
	waitFor(t, "3 fetched", func() bool { return w.Stats().OrdersRead == 3 })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Synced != 3 || st.GraphCalls != 1 {
		t.Errorf("stats %+v; want the 3 orders sent in one call at shutdown", st)
	}
	if !drained(e.q)() {
		t.Error("queue not drained")
	}
}

func TestWorkerStopsWhenTheQueueCloses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	w := newWorker(t, e.config())
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	e.q.Close()
	if err := <-done; !errors.Is(err, idempotency.ErrClosed) {
		t.Errorf("Run = %v, want ErrClosed", err)
	}
}

func TestNewWorkerRejectsBadConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	orderMapper, err := mapper.New(mapper.Config{Target: mapper.TargetOrder, Pricebook2ID: "01s000000000001AAA"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*pipeline.WorkerConfig)
		want   string
	}{
		{"no queue", func(c *pipeline.WorkerConfig) { c.Queue = nil }, "Queue"},
		{"no mapper", func(c *pipeline.WorkerConfig) { c.Mapper = nil }, "Mapper"},
		{"nil orders service", func(c *pipeline.WorkerConfig) { c.Orders = (*bigcommerce.OrdersService)(nil) }, "Orders"},
		{"nil salesforce client", func(c *pipeline.WorkerConfig) { c.Graphs = (*salesforce.Client)(nil) }, "Graphs"},
		{"order target without pricebook", func(c *pipeline.WorkerConfig) { c.Mapper = orderMapper }, "Pricebook"},
		{"batch too big", func(c *pipeline.WorkerConfig) { c.BatchSize = 76 }, "BatchSize"},
		{"SOQL in the pricebook key field", func(c *pipeline.WorkerConfig) {
			c.PricebookKeyField = "Product2.Key__c) OR (Id"
		}, `PricebookKeyField "Product2.Key__c) OR (Id"`},
		{"empty part in the pricebook key field", func(c *pipeline.WorkerConfig) { c.PricebookKeyField = "Product2..Key__c" }, "PricebookKeyField"},
		{"negative wait", func(c *pipeline.WorkerConfig) { c.MaxBatchWait = -1 }, "MaxBatchWait"},
		{"negative calls in flight", func(c *pipeline.WorkerConfig) { c.MaxInFlight = -1 }, "MaxInFlight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := e.config()
			tt.change(&cfg)
			_, err := pipeline.NewWorker(cfg)
			if !errors.Is(err, pipeline.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewWorker = %v, want ErrInvalidConfig naming %s", err, tt.want)
			}
		})
	}
}

// TestWorkerWaitsOutABigCommerceRateLimit: a 429 on an order read pauses
// the pool for the wait the store named, then reads the order again.
func TestWorkerWaitsOutABigCommerceRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	o := e.addOrders(t, 1)[0]
	if err := e.bc.FailNext(1, bctest.Fault{Route: bctest.RouteGetOrder, Status: 429, RetryAfter: time.Second}); err != nil {
		t.Fatal(err)
	}
	enqueue(t, e.q, o.ID)
	var got results
	cfg := e.config()
	cfg.OnResult = got.add
	w := newWorker(t, cfg)
	start(t, w)
	waitFor(t, "synced", func() bool { return w.Stats().Synced == 1 })
	// A rate limit is not the order's failure: the Worker waits and reads
	// it again, with no retry through the queue and no attempt counted.
	rs := got.list()
	if len(rs) != 1 || rs[0].Outcome != pipeline.OutcomeSynced || rs[0].Attempt != 1 {
		t.Errorf("results %+v; want one sync at the first attempt", rs)
	}
	if n := e.bc.Calls(bctest.RouteGetOrder); n != 2 {
		t.Errorf("%d reads of the order, want 2: the refused one and the one after the wait", n)
	}
}

// TestWorkerAcknowledgesACoveredEventUnread: an event tagged before a sync
// that has since finished (another worker's, say) is covered by it, so the
// Worker acknowledges it without reading the order. The tag travels in the
// message key (GenerationInKey), not in the body.
func TestWorkerAcknowledgesACoveredEventUnread(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	o := e.addOrders(t, 1)[0]
	if r, err := e.bc.Deliver(context.Background(), receiver(t, e.q, e.st), bctest.EventSpec{OrderID: o.ID}); err != nil || !r.Delivered() {
		t.Fatal(err, r)
	}
	resource := fmt.Sprintf("order:%d", o.ID)
	c, err := e.st.StartSync(context.Background(), resource, "", time.Minute)
	if err != nil || c.Status != idempotency.Claimed {
		t.Fatalf("StartSync = %+v, %v", c, err)
	}
	if err := e.st.FinishSync(context.Background(), resource, c.Token, ""); err != nil {
		t.Fatal(err)
	}
	calls := e.bc.TotalCalls()
	w := newWorker(t, e.config())
	start(t, w)
	waitFor(t, "dequeued", func() bool { return w.Stats().Dequeued == 1 })
	waitFor(t, "drained", drained(e.q))
	if st := w.Stats(); st.Synced != 0 || e.bc.TotalCalls() != calls || len(e.sf.Records("Opportunity")) != 0 {
		t.Errorf("synced %d, BigCommerce calls %d (before: %d), opportunities %d; want the covered event acknowledged unread",
			st.Synced, e.bc.TotalCalls(), calls, len(e.sf.Records("Opportunity")))
	}
}

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
	"github.com/bc2sf/bc2sf/webhook"
)

// Salesforce field names of the default mapping.
const (
	orderKeyField    = "BigCommerce_Order_Id__c"
	customerKeyField = "BigCommerce_Customer_Key__c"
)

// rigConfig chooses the backend and the knobs of one end-to-end rig.
type rigConfig struct {
	// redis puts the queue and the store on a private redis-server.
	redis bool
	// headerOnly makes the store send, and the receiver want, the hook's
	// header alone, as classic BigCommerce hooks do: no Standard Webhooks
	// signature, hence no webhook-id to tell one event from another.
	headerOnly bool
	// storeOpts and orgOpts are added to the fakes' options.
	storeOpts []bctest.Option
	orgOpts   []sftest.Option
	// tokenLife, when set, makes every Salesforce session expire after that
	// many API calls, each new one too.
	tokenLife int
	// worker adjusts the worker configuration after the rig's defaults.
	worker func(*pipeline.WorkerConfig)
}

// rig is the whole flow of one test: fake store and org, receiver, queue,
// store, real clients, and a worker pool that can be stopped and started.
type rig struct {
	t     testing.TB
	store *bctest.Server
	org   *sftest.Server
	queue queue
	done  idempotency.Store
	url   string // the receiver's webhook URL
	bc    *bigcommerce.Client
	sf    *salesforce.Client
	rec   *recorder
	wcfg  pipeline.WorkerConfig

	mu      sync.Mutex
	workers []*pipeline.Worker
}

// newRig builds a rig; its servers close when the test ends.
func newRig(t testing.TB, cfg rigConfig) *rig {
	t.Helper()
	r := &rig{t: t, rec: newRecorder()}
	r.queue, r.done = newBackend(t, cfg.redis)
	sink := pipeline.NewSink(r.queue, r.done)
	if cfg.headerOnly {
		r.url = startReceiverWith(t, sink, webhook.SharedSecret(webhookHeader, webhookSecret))
		cfg.storeOpts = append(cfg.storeOpts, bctest.WithClientSecret(""))
	} else {
		r.url = startReceiver(t, sink)
	}
	r.store = newStore(t, r.url, cfg.storeOpts...)
	var err error
	if r.org, err = sftest.NewServer(append([]sftest.Option{sftest.WithIDSeed(1)}, cfg.orgOpts...)...); err != nil {
		t.Fatalf("fake org: %v", err)
	}
	t.Cleanup(r.org.Close)

	bcOpts := []bigcommerce.Option{
		bigcommerce.WithBaseURL(r.store.URL()),
		bigcommerce.WithRetry(bigcommerce.RetryPolicy{InitialBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}),
	}
	if r.bc, err = bigcommerce.NewClient(r.store.StoreHash(), r.store.Token(), bcOpts...); err != nil {
		t.Fatalf("bigcommerce client: %v", err)
	}
	var transport http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if cfg.tokenLife > 0 {
		transport = expiringSessions{base: transport, org: r.org, life: cfg.tokenLife}
	}
	r.sf, err = salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(r.org.URL()),
		salesforce.WithHTTPClient(&http.Client{Transport: transport, Timeout: time.Minute}),
		salesforce.WithRetry(salesforce.RetryPolicy{MaxAttempts: 4, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}),
	)
	if err != nil {
		t.Fatalf("salesforce client: %v", err)
	}
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		t.Fatalf("mapper: %v", err)
	}
	r.wcfg = pipeline.WorkerConfig{
		Queue: r.queue, Store: r.done, Orders: r.bc.Orders, Graphs: r.sf, Mapper: m,
		Concurrency:   8,
		Lease:         20 * time.Second,
		Backoff:       pipeline.ExponentialBackoff(20*time.Millisecond, 200*time.Millisecond),
		InFlightDelay: 50 * time.Millisecond,
		// A rate limit that names no delay pauses the whole pool; the
		// fakes recover at once, so a short pause keeps the tests fast.
		RateLimitDelay: 50 * time.Millisecond,
		DrainTimeout:   10 * time.Second,
		OnResult:       r.rec.record,
	}
	if cfg.worker != nil {
		cfg.worker(&r.wcfg)
	}
	return r
}

// expiringSessions arms the org's session countdown each time it hands out
// a token, before the client can use it, so every session lasts exactly
// life API calls.
type expiringSessions struct {
	base http.RoundTripper
	org  *sftest.Server
	life int
}

func (e expiringSessions) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := e.base.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(req.URL.Path, "/services/oauth2/token") {
		e.org.ExpireTokensAfter(e.life)
	}
	return resp, err
}

// queue is what the rig holds of a queue: the worker's side and the
// operator's, which both implementations give on one value.
type queue interface {
	idempotency.Queue
	idempotency.Inspector
}

// newBackend returns the queue and store: in memory, or on a private
// redis-server (skipped or failed per BC2SF_REQUIRE_REDIS when it is
// missing).
func newBackend(t testing.TB, useRedis bool) (queue, idempotency.Store) {
	t.Helper()
	if !useRedis {
		q := idempotency.NewMemoryQueue()
		t.Cleanup(func() { _ = q.Close() })
		return q, idempotency.NewMemoryStore()
	}
	srv := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = client.Close() })
	q, err := idemredis.NewQueue(client, idemredis.WithBlockTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatalf("redis queue: %v", err)
	}
	t.Cleanup(func() { _ = q.Close() })
	s, err := idemredis.NewStore(client)
	if err != nil {
		t.Fatalf("redis store: %v", err)
	}
	return q, s
}

// startWorkers runs a new worker pool until the returned stop is called;
// stop waits for the pool to drain and fails the test on a Run error.
func (r *rig) startWorkers() (stop func()) {
	r.t.Helper()
	w, err := pipeline.NewWorker(r.wcfg)
	if err != nil {
		r.t.Fatalf("new worker: %v", err)
	}
	r.mu.Lock()
	r.workers = append(r.workers, w)
	r.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
				r.t.Errorf("worker run: %v", err)
			}
		})
	}
	r.t.Cleanup(stop)
	return stop
}

// workerStats sums the counters of every pool the rig started.
func (r *rig) workerStats() pipeline.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	sum := pipeline.Stats{SkipReasons: map[string]int64{}}
	for _, w := range r.workers {
		s := w.Stats()
		for k, v := range s.SkipReasons {
			sum.SkipReasons[k] += v
		}
		sum.Dequeued += s.Dequeued
		sum.Synced += s.Synced
		sum.Skipped += s.Skipped
		sum.Retried += s.Retried
		sum.DeadLettered += s.DeadLettered
		sum.BigCommerceCalls += s.BigCommerceCalls
		sum.OrderPages += s.OrderPages
		sum.OrdersRead += s.OrdersRead
		sum.FailedGraphCalls += s.FailedGraphCalls
		sum.NodeRetries += s.NodeRetries
		sum.GraphCalls += s.GraphCalls
		sum.GraphOrders += s.GraphOrders
	}
	return sum
}

// deliver sends the created event of order id through the fake store and
// fails the test unless the receiver accepted it.
func (r *rig) deliver(ctx context.Context, id int64) *bctest.DeliveryResult {
	r.t.Helper()
	r.rec.delivered(id)
	d, err := r.store.Deliver(ctx, r.url, bctest.EventSpec{OrderID: id})
	if err != nil {
		r.t.Fatalf("deliver order %d: %v", id, err)
	}
	if d.StatusCode != http.StatusOK {
		r.t.Fatalf("deliver order %d: status %d, want 200 (%s)", id, d.StatusCode, d.Body)
	}
	return d
}

// waitSettled waits until every order in ids has a final outcome and the
// queue holds nothing ready, delayed or in flight. It fails the test after
// limit, reporting what is missing; the limit guards against a hang and
// says nothing about speed.
func (r *rig) waitSettled(ids []int64, limit time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		missing := r.rec.unsettled(ids)
		st, err := r.queue.Stats(context.Background())
		if err != nil {
			r.t.Fatalf("queue stats: %v", err)
		}
		if len(missing) == 0 && st.Ready+st.Delayed+st.InFlight == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("after %v: %d orders not settled (first: %v), queue %+v, worker stats %+v",
				limit, len(missing), head(missing, 10), st, r.workerStats())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// assertOpportunity checks that the org holds exactly one Opportunity for
// order and that its Amount has the same text as the order's total_inc_tax,
// but for trailing zeros.
func (r *rig) assertOpportunity(o bctest.Order) {
	r.t.Helper()
	id := strconv.FormatInt(o.ID, 10)
	rec, ok := r.org.RecordByExternalID("Opportunity", orderKeyField, id)
	if !ok {
		r.t.Errorf("order %d: no single Opportunity with %s=%s", o.ID, orderKeyField, id)
		return
	}
	if got, want := fmt.Sprint(rec["Amount"]), trimZeros(o.TotalIncTax); got != want {
		r.t.Errorf("order %d: Amount %s, want %s (total_inc_tax %s)", o.ID, got, want, o.TotalIncTax)
	}
}

// deadLetters returns every dead letter of the rig's queue.
func (r *rig) deadLetters() []idempotency.DeadLetter {
	r.t.Helper()
	dls, err := r.queue.DeadLetters(context.Background(), 1000)
	if err != nil {
		r.t.Fatalf("dead letters: %v", err)
	}
	return dls
}

// assertQuiet checks that nothing reached the queue or Salesforce.
func (r *rig) assertQuiet() {
	r.t.Helper()
	st, err := r.queue.Stats(context.Background())
	if err != nil {
		r.t.Fatalf("queue stats: %v", err)
	}
	if st.Depth() != 0 || st.Dead != 0 {
		r.t.Errorf("queue holds %+v, want nothing", st)
	}
	for _, obj := range []string{"Account", "Contact", "Opportunity"} {
		if n := len(r.org.Records(obj)); n != 0 {
			r.t.Errorf("org holds %d %s records, want 0", n, obj)
		}
	}
	if n := r.org.TotalCalls(); n != 0 {
		r.t.Errorf("org counted %d API calls, want 0", n)
	}
}

// trimZeros drops the trailing zeros of a decimal text, and then a
// trailing point: "34.9300" is 34.93, as the mapper writes it.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// amount returns a distinct total for order number i, with four decimals
// as BigCommerce sends them. The last digit is never 0: the mapper writes a
// decimal's shortest exact text, so "10.5000" arrives as 10.5, and a string
// comparison would then need trailing zeros trimmed.
func amount(i int) string { return fmt.Sprintf("%d.%03d%d", 5+i%700, i%1000, 1+i%9) }

// head returns at most n elements of s.
func head[T any](s []T, n int) []T { return s[:min(n, len(s))] }

// syncable reports whether the default mapping writes order o.
func syncable(o bctest.Order) bool { return o.StatusID != 0 }

// idsOf returns the ids of orders.
func idsOf(orders []bctest.Order) []int64 {
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	return ids
}

// reasonHas reports whether a dead letter's reason mentions every word.
func reasonHas(reason string, words ...string) bool {
	for _, w := range words {
		if !strings.Contains(reason, w) {
			return false
		}
	}
	return true
}

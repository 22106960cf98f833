package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/webhook"
	"github.com/shopspring/decimal"
)

// The tests of this file run the Worker on in-memory fakes inside synctest
// bubbles: the order source and the org are channels and maps, so time only
// passes when every goroutine waits, and each step below is decided by the
// test, not by the speed of the machine.

// shop is an order source whose orders the test changes, and which can hold
// a Get until the test releases it.
type shop struct {
	mu     sync.Mutex
	orders map[int64]bigcommerce.Order
	stale  map[int64][]bigcommerce.Order // served before the current order
	hold   chan struct{}                 // when set, Get waits for it to close
	calls  int
	// failing is how many Gets are left to fail.
	failing int
}

func newShop() *shop {
	return &shop{orders: map[int64]bigcommerce.Order{}, stale: map[int64][]bigcommerce.Order{}}
}

// set stores order id with total_inc_tax amount and date_modified modified.
func (s *shop) set(id int64, amount string, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders[id] = bigcommerce.Order{
		ID: id, StatusID: bigcommerce.StatusAwaitingFulfillment, Status: "Awaiting Fulfillment",
		DateCreated: t0, DateModified: modified, TotalIncTax: decimal.RequireFromString(amount),
		BillingAddress: bigcommerce.Address{FirstName: "Ada", LastName: "Lovelace",
			Email: fmt.Sprintf("buyer%d@example.com", id)},
	}
}

// serveStale makes the next Get of id answer an older copy of the order:
// what a read replica behind the primary, or a slow worker, sees.
func (s *shop) serveStale(id int64, amount string, modified time.Time) {
	s.mu.Lock()
	o := s.orders[id]
	s.mu.Unlock()
	o.TotalIncTax, o.DateModified = decimal.RequireFromString(amount), modified
	s.mu.Lock()
	s.stale[id] = append(s.stale[id], o)
	s.mu.Unlock()
}

// holdGets makes every Get wait until release is called.
func (s *shop) holdGets() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.hold = ch
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.hold = nil
		s.mu.Unlock()
		close(ch)
	}
}

// Get reads the order as it is when called; a held Get then waits before
// it answers, as a slow response does.
func (s *shop) Get(ctx context.Context, id int64) (*bigcommerce.Order, error) {
	s.mu.Lock()
	s.calls++
	if s.failing > 0 {
		s.failing--
		s.mu.Unlock()
		return nil, &bigcommerce.APIError{Status: 503}
	}
	hold := s.hold
	o, ok := s.orders[id]
	if st := s.stale[id]; len(st) > 0 {
		s.stale[id] = st[1:]
		o, ok = st[0], true
	}
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if !ok {
		return nil, &bigcommerce.APIError{Status: 404}
	}
	return &o, nil
}

// failNext makes the next n Gets fail with a 503.
func (s *shop) failNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing += n
}

func (s *shop) fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// org records the Opportunity Amount of every write, and can hold the calls
// that write a given amount until the test releases them.
type org struct {
	okGraphs
	mu     sync.Mutex
	writes map[string][]string // order id -> amounts written, in order
	holdAt string
	held   chan struct{}
}

func newOrg() *org { return &org{writes: map[string][]string{}} }

// holdAmount makes calls that write amount wait until release is called.
func (o *org) holdAmount(amount string) (release func()) {
	o.mu.Lock()
	o.holdAt, o.held = amount, make(chan struct{})
	ch := o.held
	o.mu.Unlock()
	return func() { close(ch) }
}

func (o *org) CompositeGraph(ctx context.Context, req salesforce.GraphRequest) (*salesforce.GraphResponse, error) {
	var hold chan struct{}
	var amounts []string
	o.mu.Lock()
	for _, g := range req.Graphs {
		for _, n := range g.CompositeRequest {
			if n.ReferenceID != "opportunity" {
				continue
			}
			amount := fmt.Sprint(n.Body.(map[string]any)["Amount"])
			amounts = append(amounts, strings.TrimPrefix(g.GraphID, "order_")+"="+amount)
			if amount == o.holdAt {
				hold = o.held
			}
		}
	}
	o.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	o.mu.Lock()
	for _, a := range amounts {
		id, amount, _ := strings.Cut(a, "=")
		o.writes[id] = append(o.writes[id], amount)
	}
	o.mu.Unlock()
	return o.okGraphs.CompositeGraph(ctx, req)
}

// amounts returns the amounts written for order id, oldest first.
func (o *org) amounts(id int64) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.writes[fmt.Sprint(id)]...)
}

// guardRig is a Worker pool on a shop and an org, sharing one queue and
// one store, with a Sink in front.
type guardRig struct {
	shop  *shop
	org   *org
	q     *idempotency.MemoryQueue
	store *idempotency.MemoryStore
	sink  webhook.Sink
	res   results
	m     *mapper.Mapper
}

func newGuardRig(t *testing.T) *guardRig {
	t.Helper()
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := &guardRig{shop: newShop(), org: newOrg(), q: idempotency.NewMemoryQueue(), store: idempotency.NewMemoryStore(), m: m}
	r.sink = pipeline.NewSink(r.q, r.store)
	t.Cleanup(func() { r.q.Close() })
	return r
}

// start runs one Worker on the rig; lease is its queue and Store lease.
func (r *guardRig) start(t *testing.T, lease time.Duration) (stop func()) {
	t.Helper()
	return r.startOn(t, r.q, lease)
}

// startOn is start with the Worker dequeuing from q.
func (r *guardRig) startOn(t *testing.T, q idempotency.Queue, lease time.Duration) (stop func()) {
	t.Helper()
	w := newWorker(t, pipeline.WorkerConfig{
		Queue: q, Store: r.store, Orders: r.shop, Graphs: r.org, Mapper: r.m,
		Concurrency: 2, Lease: lease, InFlightDelay: 2 * time.Second,
		Backoff:  func(int) time.Duration { return time.Second },
		OnResult: r.res.add,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}
}

// event hands the Sink an event about order id, as the receiver would.
func (r *guardRig) event(t *testing.T, scope string, id int64) {
	t.Helper()
	e, err := webhook.ParseEvent(fmt.Appendf(nil,
		`{"scope":%q,"data":{"type":"order","id":%d},"hash":"same-for-every-event","created_at":1700000000}`, scope, id))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.sink.Accept(context.Background(), e); err != nil {
		t.Fatalf("Accept = %v", err)
	}
}

// task queues an untagged task of order id under key, as the Reconciler
// does.
func (r *guardRig) task(t *testing.T, key string, id int64) {
	t.Helper()
	body, err := pipeline.EncodeTask(pipeline.Task{OrderID: id, Source: pipeline.SourceReconcile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.q.Enqueue(context.Background(), idempotency.Message{Key: key, Body: body}); err != nil {
		t.Fatal(err)
	}
}

// oneDelivery is a queue from which a Worker takes one message and then
// nothing more: a process that stalls after its first task.
type oneDelivery struct {
	*idempotency.MemoryQueue
	mu    sync.Mutex
	taken bool
}

func (q *oneDelivery) Dequeue(ctx context.Context, lease time.Duration) (*idempotency.Delivery, error) {
	q.mu.Lock()
	taken := q.taken
	q.taken = true
	q.mu.Unlock()
	if taken {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return q.MemoryQueue.Dequeue(ctx, lease)
}

// outcomes returns "outcome/skip" for every result of order id, in order.
func (r *guardRig) outcomes(id int64) []string {
	var out []string
	for _, x := range r.res.list() {
		if x.OrderID == id {
			out = append(out, strings.TrimSuffix(string(x.Outcome)+"/"+x.SkipCode, "/"))
		}
	}
	return out
}

// TestGuardSerializesSyncsOfOneOrder holds the fetch of one order while a
// second task of the same order comes up: the second must not read the
// order until the first sync is done, and then finds nothing new to write.
func TestGuardSerializesSyncsOfOneOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGuardRig(t)
		r.shop.set(1, "10.5", t0)
		release := r.shop.holdGets()
		r.task(t, "a", 1)
		r.task(t, "b", 1)
		stop := r.start(t, time.Minute)
		synctest.Wait()
		if n := r.shop.fetches(); n != 1 {
			t.Fatalf("%d fetches of one order while its first sync runs, want 1", n)
		}
		if got := r.outcomes(1); len(got) != 1 || got[0] != "retried" {
			t.Fatalf("outcomes %v, want the second task retried", got)
		}
		release()
		time.Sleep(5 * time.Second) // past the retry delay
		synctest.Wait()
		stop()
		if got := r.outcomes(1); strings.Join(got, " ") != "retried synced skipped/unchanged" {
			t.Errorf("outcomes %v, want retried, synced, skipped/unchanged", got)
		}
		if got := r.org.amounts(1); len(got) != 1 {
			t.Errorf("writes %v, want one", got)
		}
	})
}

// TestGuardNeverWritesAnOlderSnapshot writes an order, then has
// BigCommerce answer an older copy of it: nothing may be written.
func TestGuardNeverWritesAnOlderSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGuardRig(t)
		r.shop.set(1, "20.5", t0.Add(time.Hour))
		stop := r.start(t, time.Minute)
		r.task(t, "new", 1)
		synctest.Wait()
		r.shop.serveStale(1, "10.5", t0)
		r.task(t, "old", 1)
		synctest.Wait()
		stop()
		if got := r.outcomes(1); strings.Join(got, " ") != "synced skipped/stale" {
			t.Errorf("outcomes %v, want synced then skipped/stale", got)
		}
		if got := r.org.amounts(1); len(got) != 1 || got[0] != "20.5" {
			t.Errorf("writes %v, want only the newer 20.5", got)
		}
	})
}

// TestGuardRepairsAWriteMadeAfterItsClaimWasLost runs two Workers, as two
// processes would. The first fetches the order and stalls in its write past
// its lease; the second takes the order over, reads the newer state and
// writes it; then the stalled write lands, older. The first Worker finds its
// claim lost and syncs the order once more, so Salesforce ends on the
// newest state.
func TestGuardRepairsAWriteMadeAfterItsClaimWasLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGuardRig(t)
		r.shop.set(1, "10.5", t0)
		releaseOld := r.org.holdAmount("10.5")
		r.event(t, "store/order/created", 1)
		stopA := r.startOn(t, &oneDelivery{MemoryQueue: r.q}, 10*time.Second)
		synctest.Wait() // A is writing 10.5, held
		r.shop.set(1, "20.5", t0.Add(time.Minute))
		r.event(t, "store/order/updated", 1)
		stopB := r.start(t, 10*time.Second)
		time.Sleep(30 * time.Second) // A's lease ends; B syncs 20.5
		synctest.Wait()
		if got := r.org.amounts(1); len(got) != 1 || got[0] != "20.5" {
			t.Errorf("writes %v before the stalled call lands, want [20.5]", got)
		}
		releaseOld()
		time.Sleep(30 * time.Second)
		synctest.Wait()
		stopA()
		stopB()
		got := r.org.amounts(1)
		if len(got) < 3 || got[len(got)-1] != "20.5" || got[1] != "10.5" {
			t.Errorf("writes %v; want the stalled 10.5 followed by a repairing 20.5", got)
		}
	})
}

// TestGuardCoalescesEventsAndNeverLosesOne sends events about one order
// with equal hashes: before its sync starts (one sync for all), while it
// runs (one more sync, which reads the change made meanwhile), and after it
// (a redelivery: read again, nothing written).
func TestGuardCoalescesEventsAndNeverLosesOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGuardRig(t)
		r.shop.set(1, "10.5", t0)
		for _, scope := range []string{"store/order/created", "store/order/statusUpdated", "store/order/updated"} {
			r.event(t, scope, 1)
		}
		release := r.shop.holdGets()
		stop := r.start(t, time.Minute)
		synctest.Wait() // the sync of the first three events is reading the order
		r.shop.set(1, "30.5", t0.Add(time.Second))
		r.event(t, "store/order/refund/created", 1)
		r.event(t, "store/order/statusUpdated", 1)
		release()
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if n := r.shop.fetches(); n != 2 {
			t.Errorf("%d fetches for two generations of events, want 2", n)
		}
		if got := r.org.amounts(1); strings.Join(got, " ") != "10.5 30.5" {
			t.Errorf("writes %v, want 10.5 then the change made during the sync, 30.5", got)
		}
		r.event(t, "store/order/statusUpdated", 1) // a late redelivery
		time.Sleep(5 * time.Second)
		synctest.Wait()
		stop()
		if n := r.shop.fetches(); n != 3 {
			t.Errorf("%d fetches after a redelivery, want 3", n)
		}
		if got := r.org.amounts(1); len(got) != 2 {
			t.Errorf("writes %v after a redelivery of an unchanged order, want still 2", got)
		}
		if st, _ := r.q.Stats(context.Background()); st.Depth() != 0 || st.Dead != 0 {
			t.Errorf("queue %+v, want empty", st)
		}
	})
}

// TestGuardWaitingIsNoFailure keeps an order claimed by a stalled sync for
// longer than MaxAttempts retries of a second task take, then lets a
// transient failure hit that task: it must be retried, not dead-lettered,
// because the retries spent waiting were no failure.
func TestGuardWaitingIsNoFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGuardRig(t)
		r.shop.set(1, "10.5", t0)
		// A claim that another task took and never finished, until its
		// lease ends.
		c, err := r.store.StartSync(context.Background(), "order:1", "", time.Minute)
		if err != nil || c.Status != idempotency.Claimed {
			t.Fatalf("StartSync = %+v, %v", c, err)
		}
		r.shop.failNext(1)
		r.task(t, "a", 1)
		stop := r.start(t, 5*time.Minute)
		time.Sleep(90 * time.Second) // about 45 retries at 2 s, then the claim's lease ends
		synctest.Wait()
		stop()
		got := r.outcomes(1)
		if n := len(got); n < 10 || got[n-1] != "synced" || got[n-2] != "retried" {
			t.Errorf("outcomes %v; want many waits, one retried failure, then synced", got)
		}
		if st, _ := r.q.Stats(context.Background()); st.Dead != 0 {
			t.Errorf("%d dead letters, want none", st.Dead)
		}
	})
}

package pipeline_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// The clients satisfy the pipeline's interfaces directly.
var (
	_ pipeline.OrderSource = (*bigcommerce.OrdersService)(nil)
	_ pipeline.OrderLister = (*bigcommerce.OrdersService)(nil)
	_ pipeline.GraphWriter = (*salesforce.Client)(nil)
	_ pipeline.Querier     = (*salesforce.Client)(nil)
)

// env is a fake store and org with real clients, a memory queue and store.
type env struct {
	bc  *bctest.Server
	bcc *bigcommerce.Client
	sf  *sftest.Server
	sfc *salesforce.Client
	q   *idempotency.MemoryQueue
	st  *idempotency.MemoryStore
	m   *mapper.Mapper
}

func newEnv(t testing.TB, mcfg mapper.Config, qopts ...idempotency.Option) *env {
	t.Helper()
	bc, err := bctest.NewServer(bctest.WithBasePath("/proxy"), bctest.WithRateLimit(1_000_000, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bc.Close)
	bcc, err := bigcommerce.NewClient(bc.StoreHash(), bc.Token(), bigcommerce.WithBaseURL(bc.URL()),
		bigcommerce.WithRetry(bigcommerce.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	sf, err := sftest.NewServer(sftest.WithIDSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sf.Close)
	sfc, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(sf.URL()),
		salesforce.WithRetry(salesforce.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mapper.New(mcfg)
	if err != nil {
		t.Fatal(err)
	}
	q := idempotency.NewMemoryQueue(qopts...)
	t.Cleanup(func() { q.Close() })
	return &env{bc: bc, bcc: bcc, sf: sf, sfc: sfc, q: q, st: idempotency.NewMemoryStore(), m: m}
}

// config returns a WorkerConfig on the env with quick retries.
func (e *env) config() pipeline.WorkerConfig {
	return pipeline.WorkerConfig{
		Queue:   e.q,
		Store:   e.st,
		Orders:  e.bcc.Orders,
		Graphs:  e.sfc,
		Mapper:  e.m,
		Backoff: func(int) time.Duration { return 5 * time.Millisecond },
	}
}

// addOrders stores n syncable orders with distinct totals and returns them.
func (e *env) addOrders(t testing.TB, n int) []bctest.Order {
	t.Helper()
	out := make([]bctest.Order, 0, n)
	for i := range n {
		o, err := e.bc.AddOrder(order(i))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func order(i int) bctest.Order {
	return bctest.Order{
		StatusID:    11,
		TotalIncTax: fmt.Sprintf("%d.%04d", 10+i, 1234+i),
		DateCreated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(i) * time.Minute),
		BillingAddress: bctest.Address{
			FirstName: "Ada", LastName: fmt.Sprintf("Buyer%d", i),
			Email: fmt.Sprintf("buyer%d@example.com", i),
		},
		LineItems: []bctest.LineItem{{ProductID: 7, Name: "Widget", SKU: fmt.Sprintf("SKU-%d", i%3),
			Quantity: 1, PriceIncTax: "10.0000", PriceExTax: "10.0000", TotalIncTax: "10.0000", TotalExTax: "10.0000"}},
	}
}

// enqueue puts a Task for each id on q, as a reconcile task would be.
func enqueue(t testing.TB, q idempotency.Queue, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		body, err := pipeline.EncodeTask(pipeline.Task{OrderID: id, Source: pipeline.SourceReconcile})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.Enqueue(context.Background(), idempotency.Message{Key: fmt.Sprintf("order:%d", id), Body: body}); err != nil {
			t.Fatal(err)
		}
	}
}

// results collects OnResult calls.
type results struct {
	mu  sync.Mutex
	all []pipeline.Result
}

func (r *results) add(x pipeline.Result) {
	r.mu.Lock()
	r.all = append(r.all, x)
	r.mu.Unlock()
}

func (r *results) list() []pipeline.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]pipeline.Result(nil), r.all...)
}

// running is a Worker started in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func start(t testing.TB, w *pipeline.Worker) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- w.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the worker and returns Run's error.
func (r *running) stop(t testing.TB) error {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
		return nil
	}
}

// waitFor polls cond until it holds; the deadline only keeps a broken test
// from hanging.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// drained reports whether q holds no live message.
func drained(q idempotency.Inspector) func() bool {
	return func() bool {
		s, err := q.Stats(context.Background())
		return err == nil && s.Depth() == 0
	}
}

func newWorker(t testing.TB, cfg pipeline.WorkerConfig) *pipeline.Worker {
	t.Helper()
	w, err := pipeline.NewWorker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

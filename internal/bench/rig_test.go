package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
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

// Credentials of the fake store's hook and app, known to the receiver.
const (
	hookSecret   = "bench-hook-secret"
	clientSecret = "bench-client-secret"
)

// keepAlive returns an HTTP client that keeps up to 512 idle loopback
// connections, so that concurrent senders reuse them instead of opening
// one per request.
func keepAlive() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 512, 512
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// fakes is a fake store and org with real clients on them.
type fakes struct {
	store *bctest.Server
	org   *sftest.Server
	bc    *bigcommerce.Client
	sf    *salesforce.Client
	m     *mapper.Mapper
}

// newFakes starts the fakes with no rate limit in the way: the figures are
// about bc2sf's own cost, not about a quota.
func newFakes(b testing.TB) *fakes {
	b.Helper()
	store, err := bctest.NewServer(bctest.WithRateLimit(1<<30, time.Hour),
		bctest.WithClientSecret(clientSecret), bctest.WithHTTPClient(keepAlive()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(store.Close)
	org, err := sftest.NewServer(sftest.WithIDSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(org.Close)
	bc, err := bigcommerce.NewClient(store.StoreHash(), store.Token(),
		bigcommerce.WithBaseURL(store.URL()), bigcommerce.WithHTTPClient(keepAlive()))
	if err != nil {
		b.Fatal(err)
	}
	sf, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()), salesforce.WithHTTPClient(keepAlive()))
	if err != nil {
		b.Fatal(err)
	}
	m, err := mapper.New(mapper.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return &fakes{store: store, org: org, bc: bc, sf: sf, m: m}
}

// addOrders stores n syncable orders, each with its own buyer, and returns
// their ids.
func (f *fakes) addOrders(b testing.TB, n int) []int64 {
	b.Helper()
	return f.addOrdersFrom(b, n, time.Time{})
}

// addOrdersFrom is addOrders with the orders created a minute apart from
// start, as a store's history is; a zero start creates them all now.
func (f *fakes) addOrdersFrom(b testing.TB, n int, start time.Time) []int64 {
	b.Helper()
	ids := make([]int64, 0, n)
	for i := range n {
		var created time.Time
		if !start.IsZero() {
			created = start.Add(time.Duration(i) * time.Minute)
		}
		o, err := f.store.AddOrder(bctest.Order{
			DateCreated: created,
			StatusID:    11,
			TotalIncTax: fmt.Sprintf("%d.%02d", 10+i%500, i%100),
			BillingAddress: bctest.Address{FirstName: "Ada", LastName: fmt.Sprintf("Buyer%d", i),
				Email: fmt.Sprintf("buyer%d@example.com", i)},
			LineItems: []bctest.LineItem{{ProductID: 7, Name: "Widget", SKU: fmt.Sprintf("SKU-%d", i%10),
				Quantity: 1, PriceIncTax: "10.0000", PriceExTax: "10.0000", TotalIncTax: "10.0000", TotalExTax: "10.0000"}},
		})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	return ids
}

// workerConfig is the Worker on the fakes with the package defaults
// (4 fetchers, batches of up to 75, up to 4 calls in flight).
func (f *fakes) workerConfig(q idempotency.Queue, s idempotency.Store) pipeline.WorkerConfig {
	return pipeline.WorkerConfig{
		Queue: q, Store: s, Orders: f.bc.Orders, Graphs: f.sf, Mapper: f.m,
	}
}

// newRedis starts a private redis-server and returns a client on it.
func newRedis(b testing.TB) *redis.Client {
	b.Helper()
	srv := redistest.Start(b)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 64})
	b.Cleanup(func() { _ = c.Close() })
	return c
}

// newBackend returns a queue and a store in memory or on Redis, with room
// for capacity messages.
func newBackend(b testing.TB, onRedis bool, capacity int) (queue, idempotency.Store) {
	b.Helper()
	opts := []idempotency.Option{idempotency.WithCapacity(capacity)}
	if !onRedis {
		q := idempotency.NewMemoryQueue(opts...)
		b.Cleanup(func() { _ = q.Close() })
		return q, idempotency.NewMemoryStore()
	}
	return redisBackend(b, newRedis(b), "bench", opts...)
}

// redisBackend returns a queue and store on client under prefix.
func redisBackend(b testing.TB, client *redis.Client, prefix string, opts ...idempotency.Option) (queue, idempotency.Store) {
	b.Helper()
	q, err := idemredis.NewQueue(client, idemredis.WithPrefix(prefix), idemredis.WithOptions(opts...),
		idemredis.WithBlockTimeout(100*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = q.Close() })
	s, err := idemredis.NewStore(client, idemredis.WithPrefix(prefix))
	if err != nil {
		b.Fatal(err)
	}
	return q, s
}

// queue is a queue with its Inspector, as both implementations give them.
type queue interface {
	idempotency.Queue
	idempotency.Inspector
}

// receiverHandler is what a bc2sf receiver serves: the verifying
// middleware (hook header plus Standard Webhooks signature), the handler and
// the pipeline's sink on q, tagging events with their generation in s, with
// opts for the sink.
func receiverHandler(b testing.TB, q idempotency.Queue, s idempotency.Store, opts ...pipeline.SinkOption) http.Handler {
	b.Helper()
	verifier, err := webhook.NewVerifier([]webhook.Scheme{
		webhook.SharedSecret(webhook.DefaultSecretHeader, hookSecret),
		webhook.StandardWebhooks([]byte(clientSecret)),
	})
	if err != nil {
		b.Fatal(err)
	}
	h, err := webhook.NewHandler(pipeline.NewSink(q, s, opts...))
	if err != nil {
		b.Fatal(err)
	}
	return verifier.Middleware(h)
}

// serve starts a loopback server for h, closed when the benchmark ends.
func serve(b testing.TB, h http.Handler) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv
}

// bareHandler is the baseline receiver: it reads the body and answers 200.
func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 4096)
		for {
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// syncTimes records when each order was reported synced.
type syncTimes struct {
	mu     sync.Mutex
	at     map[int64]time.Time
	synced atomic.Int64
	other  atomic.Int64
}

func newSyncTimes() *syncTimes { return &syncTimes{at: map[int64]time.Time{}} }

// record is a WorkerConfig.OnResult.
func (s *syncTimes) record(r pipeline.Result) {
	if r.Outcome != pipeline.OutcomeSynced {
		s.other.Add(1)
		return
	}
	now := time.Now()
	s.mu.Lock()
	if _, seen := s.at[r.OrderID]; !seen {
		s.at[r.OrderID] = now
	}
	s.mu.Unlock()
	s.synced.Add(1)
}

func (s *syncTimes) get(id int64) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.at[id]
	return t, ok
}

// runWorker starts w and returns a stop that cancels it and waits for Run.
func runWorker(b testing.TB, w *pipeline.Worker) (stop func()) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				b.Errorf("worker: %v", err)
			}
		})
	}
	b.Cleanup(stop)
	return stop
}

// waitUntil polls cond every 5 ms until it holds or limit passes, and
// reports whether it held. The limit keeps a broken run bounded.
func waitUntil(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// newWorker builds a Worker or fails the benchmark.
func newWorker(b testing.TB, cfg pipeline.WorkerConfig) *pipeline.Worker {
	b.Helper()
	w, err := pipeline.NewWorker(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// registerHook points the fake store's order hook at url with the shared
// secret header, so that Deliver signs and authenticates like BigCommerce.
func (f *fakes) registerHook(b testing.TB, url string) {
	b.Helper()
	if _, err := f.store.AddHook(bctest.Hook{Scope: "store/order/*", Destination: url, IsActive: true,
		Headers: map[string]string{webhook.DefaultSecretHeader: hookSecret}}); err != nil {
		b.Fatal(err)
	}
}

// scope is a testing.TB whose Cleanup functions run when the scope closes
// rather than at the end of the benchmark, so that a benchmark of many
// rounds releases each round's fakes, servers and queues before the next
// one: kept alive, they grow the heap every later round scans.
type scope struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
}

func newScope(tb testing.TB) *scope { return &scope{TB: tb} }

// Cleanup registers f to run when the scope closes, last registered first.
func (s *scope) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, f)
}

// close runs the cleanups registered so far, last registered first.
func (s *scope) close() {
	s.mu.Lock()
	fns := s.cleanups
	s.cleanups = nil
	s.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

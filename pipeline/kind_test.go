package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/webhook"
)

func TestTaskKinds(t *testing.T) {
	t.Parallel()
	// A body written before tasks had kinds is an order's task.
	old, err := pipeline.DecodeTask([]byte(`{"order_id":250,"source":"webhook","received_at":"2026-01-02T03:04:05Z"}`))
	if err != nil || old.EntityKind() != pipeline.KindOrder || old.ID() != 250 {
		t.Fatalf("old body: %+v, %v", old, err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		task pipeline.Task
		json string
	}{
		{pipeline.Task{OrderID: 250, Source: pipeline.SourceWebhook, ReceivedAt: at},
			`{"order_id":250,"source":"webhook","received_at":"2026-01-02T03:04:05Z"}`},
		{pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: 7, Source: pipeline.SourceReconcile, ReceivedAt: at},
			`{"kind":"customer","order_id":0,"customer_id":7,"source":"reconcile","received_at":"2026-01-02T03:04:05Z"}`},
		{pipeline.Task{Kind: pipeline.KindProduct, ProductID: 174, Source: pipeline.SourceWebhook, Generation: "3", ReceivedAt: at},
			`{"kind":"product","order_id":0,"product_id":174,"source":"webhook","generation":"3","received_at":"2026-01-02T03:04:05Z"}`},
	} {
		b, err := pipeline.EncodeTask(c.task)
		if err != nil || string(b) != c.json {
			t.Errorf("EncodeTask(%+v) = %s, %v\nwant %s", c.task, b, err, c.json)
			continue
		}
		back, err := pipeline.DecodeTask(b)
		if err != nil || back != c.task {
			t.Errorf("DecodeTask(%s) = %+v, %v", b, back, err)
		}
	}
	for body, want := range map[string]string{
		`{"kind":"customer","order_id":0,"source":"webhook"}`:                    "customer_id 0 is not positive",
		`{"kind":"customer","order_id":5,"customer_id":7,"source":"webhook"}`:    "carries another kind's id",
		`{"kind":"product","product_id":3,"customer_id":7,"source":"webhook"}`:   "carries another kind's id",
		`{"order_id":5,"product_id":3,"source":"webhook"}`:                       "carries another kind's id",
		`{"kind":"invoice","order_id":5,"source":"webhook"}`:                     `unknown kind "invoice"`,
		`{"kind":"product","product_id":-3,"source":"webhook"}`:                  "product_id -3 is not positive",
		`{"kind":"order","order_id":5,"source":"webhook","customer_id":"seven"}`: "cannot unmarshal",
	} {
		if _, err := pipeline.DecodeTask([]byte(body)); !errors.Is(err, pipeline.ErrInvalidTask) || !strings.Contains(err.Error(), want) {
			t.Errorf("DecodeTask(%s) = %v; want %q", body, err, want)
		}
	}
}

func TestIsSyncedScope(t *testing.T) {
	t.Parallel()
	for scope, want := range map[string]bool{
		"store/order/created": true, "store/order/refund/created": true, "store/channel/1/order/updated": true,
		"store/customer/created": true, "store/customer/updated": true, "store/customer/address/created": true,
		"store/customer/address/updated": true, "store/customer/address/deleted": true,
		"store/customer/deleted": false, "store/customer/payment/instrument/default/updated": false,
		"store/product/created": true, "store/product/updated": true, "store/product/deleted": false,
		"store/product/inventory/updated": false, "store/cart/created": false,
	} {
		if got := pipeline.IsSyncedScope(scope); got != want {
			t.Errorf("IsSyncedScope(%q) = %v", scope, got)
		}
	}
	for _, s := range pipeline.SyncedScopes() {
		if !strings.HasSuffix(s, "*") && !pipeline.IsSyncedScope(s) {
			t.Errorf("SyncedScopes lists %q, which IsSyncedScope refuses", s)
		}
	}
}

// TestSinkEntityEvents: customer and product events become tasks of their
// kind, keyed by the entity's sync generation; an address event is about
// its customer; deletions are dropped.
func TestSinkEntityEvents(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue()
	t.Cleanup(func() { q.Close() })
	st := idempotency.NewMemoryStore()
	sink := pipeline.NewSink(q, st)
	store, err := bctest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	ctx := context.Background()
	accept := func(ev bctest.EventSpec) {
		t.Helper()
		_, body, err := store.BuildEvent(ev)
		if err != nil {
			t.Fatal(err)
		}
		e, err := webhook.ParseEvent(body)
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.Accept(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	accept(bctest.CustomerEvent(bctest.ScopeCustomerUpdated, 7))
	accept(bctest.CustomerAddressEvent(bctest.ScopeCustomerAddressCreated, 60, 7)) // absorbed: same customer, same generation
	accept(bctest.ProductEvent(bctest.ScopeProductUpdated, 174))
	accept(bctest.CustomerEvent(bctest.ScopeCustomerDeleted, 8))
	accept(bctest.ProductEvent(bctest.ScopeProductDeleted, 9))
	stats, err := q.Stats(ctx)
	if err != nil || stats.Ready != 2 {
		t.Fatalf("queue %+v, %v; want 2 messages", stats, err)
	}
	got := map[string]pipeline.Task{}
	for range 2 {
		d, err := q.Dequeue(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		task, err := pipeline.DecodeTask(d.Body)
		if err != nil {
			t.Fatal(err)
		}
		got[d.Key] = task
	}
	c, ok := got["sync:customer:7:0"]
	if !ok || c.EntityKind() != pipeline.KindCustomer || c.CustomerID != 7 || c.Scope != bctest.ScopeCustomerUpdated || !c.GenerationInKey || c.Generation != "" {
		t.Errorf("customer task %v", got)
	}
	if p, ok := got["sync:product:174:0"]; !ok || p.EntityKind() != pipeline.KindProduct || p.ProductID != 174 {
		t.Errorf("product task %v", got)
	}
}

// TestReconcilerCustomers: customers modified since the customers'
// checkpoint are enqueued once per version, apart from the orders.
func TestReconcilerCustomers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var ids []int64
	for i := range 3 {
		c, err := e.bc.AddCustomer(bctest.Customer{Email: "c" + string(rune('a'+i)) + "@example.com", LastName: "C", DateCreated: base.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	ccp := &idempotency.MemoryCheckpoint{}
	r, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{Orders: e.bcc.Orders, Queue: e.q, Checkpoint: &idempotency.MemoryCheckpoint{},
		Customers: e.bcc.Customers, CustomerCheckpoint: ccp, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if n, err := r.RunOnce(ctx); err != nil || n != 3 {
		t.Fatalf("first run: %d, %v; want 3", n, err)
	}
	saved, _ := ccp.Load(ctx)
	if want := base.Add(2*time.Minute - pipeline.DefaultOverlap); !saved.Equal(want) {
		t.Errorf("checkpoint %v, want %v", saved, want)
	}
	if n, err := r.RunOnce(ctx); err != nil || n != 0 {
		t.Errorf("second run: %d, %v; want 0 (unchanged)", n, err)
	}
	if _, err := e.bc.UpdateCustomer(ids[0], func(c *bctest.Customer) { c.LastName = "Changed" }); err != nil {
		t.Fatal(err)
	}
	if n, err := r.RunOnce(ctx); err != nil || n != 1 {
		t.Errorf("after an edit: %d, %v; want 1", n, err)
	}
	w := newWorker(t, e.entityConfig())
	start(t, w)
	waitFor(t, "synced", func() bool { return w.Stats().Synced+w.Stats().Skipped == 4 })
	if n := len(e.sf.Records("Contact")); n != 3 {
		t.Errorf("%d contacts, want 3", n)
	}
	if _, err := pipeline.NewReconciler(pipeline.ReconcilerConfig{Orders: e.bcc.Orders, Queue: e.q,
		Checkpoint: &idempotency.MemoryCheckpoint{}, Customers: e.bcc.Customers}); !errors.Is(err, pipeline.ErrInvalidConfig) {
		t.Errorf("Customers without CustomerCheckpoint: %v", err)
	}
}

func TestWorkerProductSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, mapper.Config{})
	for name, change := range map[string]func(*pipeline.WorkerConfig){
		"no price book":  func(c *pipeline.WorkerConfig) { c.StandardPricebookID = "" },
		"bad price book": func(c *pipeline.WorkerConfig) { c.StandardPricebookID = "nope" },
		"no querier":     func(c *pipeline.WorkerConfig) { c.Pricebook = nil },
		"bad currency":   func(c *pipeline.WorkerConfig) { c.StoreCurrency = "euro" },
	} {
		cfg := e.entityConfig()
		change(&cfg)
		if _, err := pipeline.NewWorker(cfg); !errors.Is(err, pipeline.ErrInvalidConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTaskSyncGeneration(t *testing.T) {
	t.Parallel()
	order := pipeline.Task{OrderID: 250, Source: pipeline.SourceWebhook, GenerationInKey: true}
	customer := pipeline.Task{Kind: pipeline.KindCustomer, CustomerID: 7, Source: pipeline.SourceWebhook, GenerationInKey: true}
	product := pipeline.Task{Kind: pipeline.KindProduct, ProductID: 174, Source: pipeline.SourceWebhook, GenerationInKey: true}
	inBody := order
	inBody.Generation = "9.1"
	untagged := order
	untagged.GenerationInKey = false
	tests := []struct {
		name string
		task pipeline.Task
		key  string
		want string
	}{
		{"order", order, "sync:250:1765000000000000.3", "1765000000000000.3"},
		{"order without a record", order, "sync:250:0", "0"},
		{"customer", customer, "sync:customer:7:17.2", "17.2"},
		{"product", product, "sync:product:174:17.0", "17.0"},
		{"another order's key", order, "sync:2500:1.1", ""},
		{"a customer key on a product task", product, "sync:customer:174:1.1", ""},
		{"a repair key", order, "repair:250:token", ""},
		{"the generation in the body wins", inBody, "sync:250:1.1", "9.1"},
		{"a task not tagged in its key", untagged, "sync:250:1.1", ""},
		{"an overlong generation", order, "sync:250:" + strings.Repeat("1", 300), ""},
	}
	for _, tt := range tests {
		if got := tt.task.SyncGeneration(tt.key); got != tt.want {
			t.Errorf("%s: SyncGeneration(%q) = %q, want %q", tt.name, clipKey(tt.key), got, tt.want)
		}
	}
}

func clipKey(k string) string {
	if len(k) > 40 {
		return k[:40] + "..."
	}
	return k
}

package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/webhook"
)

func event(t *testing.T, body string) webhook.Event {
	t.Helper()
	e, err := webhook.ParseEvent([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSink(t *testing.T) {
	t.Parallel()
	received := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name     string
		body     string
		webhook  string // Event.WebhookID
		wantKey  string // "" when nothing is enqueued
		wantTask pipeline.Task
	}{
		{
			name:     "order created",
			body:     `{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":250},"hash":"h1","created_at":1700000000}`,
			wantKey:  "sync:250:0",
			wantTask: pipeline.Task{OrderID: 250, Scope: "store/order/created", Source: pipeline.SourceWebhook, EventHash: "envelope:store/order/created:1700000000:h1", GenerationInKey: true, ReceivedAt: received},
		},
		{
			name:     "transaction, id as string",
			body:     `{"scope":"store/order/transaction/created","data":{"type":"transaction","id":9,"order_id":"251"},"hash":"h2","created_at":1700000002}`,
			wantKey:  "sync:251:0",
			wantTask: pipeline.Task{OrderID: 251, Scope: "store/order/transaction/created", Source: pipeline.SourceWebhook, EventHash: "envelope:store/order/transaction/created:1700000002:h2", GenerationInKey: true, ReceivedAt: received},
		},
		{
			name:     "no hash: webhook-id",
			body:     `{"scope":"store/order/updated","data":{"type":"order","id":252}}`,
			webhook:  "msg_1",
			wantKey:  "sync:252:0",
			wantTask: pipeline.Task{OrderID: 252, Scope: "store/order/updated", Source: pipeline.SourceWebhook, EventHash: "webhook-id:msg_1", GenerationInKey: true, ReceivedAt: received},
		},
		{
			name:     "channel form",
			body:     `{"scope":"store/channel/2/order/statusUpdated","data":{"order_id":253,"status":{"previous_status_id":11,"new_status_id":5}},"created_at":1700000001}`,
			wantKey:  "sync:253:0",
			wantTask: pipeline.Task{OrderID: 253, Scope: "store/channel/2/order/statusUpdated", Source: pipeline.SourceWebhook, GenerationInKey: true, ReceivedAt: received},
		},
		{
			name: "delivery exception",
			body: `{"scope":"store/hook/deliveryException","data":{"id":5,"error_code":90001,"message":"failing"},"hash":"h3"}`,
		},
		{
			name: "deleted product",
			body: `{"scope":"store/product/deleted","data":{"type":"product","id":5},"hash":"h4"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := idempotency.NewMemoryQueue()
			defer q.Close()
			s := pipeline.NewSink(q, idempotency.NewMemoryStore(),
				pipeline.WithClock(func() time.Time { return received }), pipeline.WithLogger(slog.New(slog.DiscardHandler)))
			e := event(t, tt.body)
			e.WebhookID = tt.webhook
			if err := s.Accept(context.Background(), e); err != nil {
				t.Fatalf("Accept = %v", err)
			}
			st, _ := q.Stats(context.Background())
			if tt.wantKey == "" {
				if st.Depth() != 0 {
					t.Fatalf("enqueued %d messages, want none", st.Depth())
				}
				return
			}
			if st.ReadyByPriority[idempotency.PriorityHigh] != 1 {
				t.Fatalf("stats %+v; want one high-priority message", st)
			}
			d, err := q.Dequeue(context.Background(), 0)
			if err != nil {
				t.Fatal(err)
			}
			task, err := pipeline.DecodeTask(d.Body)
			if d.Key != tt.wantKey || err != nil || task != tt.wantTask {
				t.Errorf("message %q %+v (%v); want %q %+v", d.Key, task, err, tt.wantKey, tt.wantTask)
			}
		})
	}
}

// TestSinkAcceptsEveryOrderScope sends every documented order scope, in the
// store-wide and the channel forms, each about an order of its own: each
// must become one message about that order.
func TestSinkAcceptsEveryOrderScope(t *testing.T) {
	t.Parallel()
	store := []struct{ scope, data string }{
		{"store/order/created", `{"type":"order","id":%d}`},
		{"store/order/updated", `{"type":"order","id":%d}`},
		{"store/order/archived", `{"type":"order","id":%d}`},
		{"store/order/statusUpdated", `{"type":"order","id":%d,"status":{"previous_status_id":11,"new_status_id":5}}`},
		{"store/order/refund/created", `{"type":"order","id":%d,"refund":{"refund_id":7}}`},
		{"store/order/message/created", `{"type":"order","id":%d,"message":{"order_message_id":3}}`},
		{"store/order/transaction/created", `{"type":"transaction","order_id":"%d","transaction_id":"t1"}`},
		{"store/order/transaction/updated", `{"type":"transaction","order_id":"%d","transaction_id":"t1"}`},
		{"store/order/metafield/updated", `{"metafield_id":4,"resource_id":"%d"}`},
		{"store/channel/1/order/created", `{"order_id":%d}`},
		{"store/channel/1/order/updated", `{"order_id":%d}`},
		{"store/channel/1/order/archived", `{"order_id":%d}`},
		{"store/channel/1/order/statusUpdated", `{"order_id":%d,"status":{"previous_status_id":0,"new_status_id":11}}`},
		{"store/channel/1/order/refund/created", `{"order_id":%d,"refund":{"refund_id":7}}`},
		{"store/channel/1/order/message/created", `{"order_id":%d}`},
	}
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	url := receiver(t, q, idempotency.NewMemoryStore())
	for i, ev := range store {
		id := 300 + i
		body := fmt.Sprintf(`{"scope":%q,"store_id":"1","data":`+ev.data+`,"hash":"h","created_at":1700000000}`, ev.scope, id)
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", ev.scope, resp.StatusCode)
		}
	}
	seen := map[int64]string{}
	for range store {
		d, err := q.Dequeue(context.Background(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		task, err := pipeline.DecodeTask(d.Body)
		if err != nil {
			t.Fatal(err)
		}
		seen[task.OrderID] = task.Scope
	}
	for i, ev := range store {
		if got := seen[int64(300+i)]; got != ev.scope {
			t.Errorf("order %d: message from scope %q, want %q", 300+i, got, ev.scope)
		}
	}
	if st, _ := q.Stats(context.Background()); st.Ready != 0 {
		t.Errorf("%d messages more than events", st.Ready)
	}
}

// BigCommerce's hash is the SHA-1 of the payload data, so events about one
// order can share it (a refund's refund/created and statusUpdated, two
// edits). Events that arrive before the order's sync starts share one
// message; an event that arrives once the sync started gets a message of
// its own however equal its hash, and a later one joins that message while
// it waits.
func TestSinkCoalescesUntilTheSyncStarts(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	store := idempotency.NewMemoryStore()
	s := pipeline.NewSink(q, store)
	accept := func(scope string) {
		t.Helper()
		e := event(t, `{"scope":"`+scope+`","data":{"type":"order","id":250},"hash":"same","created_at":1700000000}`)
		if err := s.Accept(context.Background(), e); err != nil {
			t.Fatalf("Accept(%s) = %v", scope, err)
		}
	}
	depth := func() int {
		st, _ := q.Stats(context.Background())
		return st.Depth()
	}
	accept("store/order/refund/created")
	accept("store/order/statusUpdated")
	accept("store/order/statusUpdated") // a redelivery
	if d := depth(); d != 1 {
		t.Fatalf("depth %d before the sync started, want 1", d)
	}
	first, err := q.Dequeue(context.Background(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := pipeline.DecodeTask(first.Body)
	if g := task.SyncGeneration(first.Key); g != "0" {
		t.Fatalf("the first message %q is tagged %q, want \"0\" (no sync record yet)", first.Key, g)
	}
	c, err := store.StartSync(context.Background(), "order:250", task.SyncGeneration(first.Key), time.Minute)
	if err != nil || c.Status != idempotency.Claimed {
		t.Fatalf("StartSync = %+v, %v", c, err)
	}
	accept("store/order/updated") // during the sync: one more sync
	accept("store/order/updated") // joins it
	if d := depth(); d != 2 {
		t.Fatalf("depth %d after events during the sync, want 2 (the running one and one more)", d)
	}
	if err := store.FinishSync(context.Background(), "order:250", c.Token, ""); err != nil {
		t.Fatal(err)
	}
	accept("store/order/archived") // after it: joins the waiting one
	if d := depth(); d != 2 {
		t.Fatalf("depth %d, want 2", d)
	}
	second, err := q.Dequeue(context.Background(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if second.Key == first.Key {
		t.Fatalf("the second message reuses the key %q", first.Key)
	}
	next, _ := pipeline.DecodeTask(second.Body)
	if c, _ := store.StartSync(context.Background(), "order:250", task.SyncGeneration(first.Key), time.Minute); c.Status != idempotency.Done {
		t.Errorf("the first message again after its sync finished: %v, want done", c.Status)
	}
	if c, _ := store.StartSync(context.Background(), "order:250", next.SyncGeneration(second.Key), time.Minute); c.Status != idempotency.Claimed {
		t.Errorf("the sync after the first one: %v, want claimed (it must read the order again)", c.Status)
	}
}

// failingGeneration is a Store whose Generation fails.
type failingGeneration struct{ idempotency.Store }

func (failingGeneration) Generation(context.Context, string) (string, error) {
	return "", errors.New("store down")
}

func TestSinkErrors(t *testing.T) {
	t.Parallel()
	e := event(t, `{"scope":"store/order/created","data":{"type":"order","id":250},"hash":"h1","created_at":1700000000}`)
	q := idempotency.NewMemoryQueue()
	store := idempotency.NewMemoryStore()
	if err := pipeline.NewSink(q, failingGeneration{store}).Accept(context.Background(), e); err == nil || !strings.Contains(err.Error(), "store down") {
		t.Errorf("Accept with a failing store = %v", err)
	}
	if st, _ := q.Stats(context.Background()); st.Depth() != 0 {
		t.Errorf("a failed Accept enqueued %d messages", st.Depth())
	}
	q.Close()
	if err := pipeline.NewSink(q, store).Accept(context.Background(), e); !errors.Is(err, idempotency.ErrClosed) || !strings.Contains(err.Error(), "order 250") {
		t.Errorf("Accept on a closed queue = %v", err)
	}
	if err := pipeline.NewSink(nil, store).Accept(context.Background(), e); err == nil {
		t.Error("Accept with a nil queue succeeded")
	}
	var nilStore *idempotency.MemoryStore
	if err := pipeline.NewSink(q, nilStore).Accept(context.Background(), e); err == nil {
		t.Error("Accept with a nil store succeeded")
	}
}

func TestSinkFullQueueAnswers503(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue(idempotency.WithCapacity(1))
	defer q.Close()
	url := receiver(t, q, idempotency.NewMemoryStore())
	for i, want := range []int{http.StatusOK, http.StatusServiceUnavailable, http.StatusOK} {
		body := fmt.Sprintf(`{"scope":"store/order/created","data":{"type":"order","id":%d},"hash":"h%d","created_at":1700000000}`, i%2+1, i%2)
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// The third delivery is about the first order, whose sync is queued.
		if resp.StatusCode != want {
			t.Errorf("delivery %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

// The trace context the option reads from the request goes into the task;
// what does not fit a task is left out, and the event is still enqueued.
func TestSinkTraceContext(t *testing.T) {
	t.Parallel()
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	type ctxKey struct{}
	tests := []struct {
		name                  string
		parent, state         string
		wantParent, wantState string
	}{
		{"both", parent, "v=1", parent, "v=1"},
		{"parent only", parent, "", parent, ""},
		{"none", "", "", "", ""},
		{"state without parent", "", "v=1", "", ""},
		{"long parent", strings.Repeat("0", 257), "v=1", "", ""},
		{"long state", parent, strings.Repeat("v", 513), parent, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := idempotency.NewMemoryQueue()
			defer q.Close()
			var seen any
			s := pipeline.NewSink(q, idempotency.NewMemoryStore(), pipeline.WithTraceContext(func(ctx context.Context) (string, string) {
				seen = ctx.Value(ctxKey{})
				return tt.parent, tt.state
			}))
			ctx := context.WithValue(context.Background(), ctxKey{}, "request")
			e := event(t, fmt.Sprintf(`{"scope":"store/order/created","data":{"type":"order","id":%d},"hash":"h","created_at":1700000000}`, 250+i))
			if err := s.Accept(ctx, e); err != nil {
				t.Fatalf("Accept = %v", err)
			}
			if seen != "request" {
				t.Errorf("the option saw context value %v, want the request's", seen)
			}
			d, err := q.Dequeue(context.Background(), 0)
			if err != nil {
				t.Fatal(err)
			}
			task, err := pipeline.DecodeTask(d.Body)
			if err != nil || task.TraceParent != tt.wantParent || task.TraceState != tt.wantState {
				t.Errorf("task %+v, %v; want traceparent %q, tracestate %q", task, err, tt.wantParent, tt.wantState)
			}
		})
	}
}

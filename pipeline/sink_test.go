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
			wantKey:  "evt:envelope:store/order/created:1700000000:h1",
			wantTask: pipeline.Task{OrderID: 250, Scope: "store/order/created", Source: pipeline.SourceWebhook, EventHash: "envelope:store/order/created:1700000000:h1", ReceivedAt: received},
		},
		{
			name:     "transaction, id as string",
			body:     `{"scope":"store/order/transaction/created","data":{"type":"transaction","id":9,"order_id":"251"},"hash":"h2","created_at":1700000002}`,
			wantKey:  "evt:envelope:store/order/transaction/created:1700000002:h2",
			wantTask: pipeline.Task{OrderID: 251, Scope: "store/order/transaction/created", Source: pipeline.SourceWebhook, EventHash: "envelope:store/order/transaction/created:1700000002:h2", ReceivedAt: received},
		},
		{
			name:     "no hash: webhook-id",
			body:     `{"scope":"store/order/updated","data":{"type":"order","id":252}}`,
			webhook:  "msg_1",
			wantKey:  "evt:webhook-id:msg_1",
			wantTask: pipeline.Task{OrderID: 252, Scope: "store/order/updated", Source: pipeline.SourceWebhook, EventHash: "webhook-id:msg_1", ReceivedAt: received},
		},
		{
			name:     "no hash, no id: scope, order and time",
			body:     `{"scope":"store/order/updated","data":{"type":"order","id":253},"created_at":1700000001}`,
			wantKey:  "evt:store/order/updated:253:1700000001",
			wantTask: pipeline.Task{OrderID: 253, Scope: "store/order/updated", Source: pipeline.SourceWebhook, ReceivedAt: received},
		},
		{
			name: "delivery exception",
			body: `{"scope":"store/hook/deliveryException","data":{"id":5,"error_code":90001,"message":"failing"},"hash":"h3"}`,
		},
		{
			name: "product event",
			body: `{"scope":"store/product/updated","data":{"type":"product","id":5},"hash":"h4"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := idempotency.NewMemoryQueue()
			defer q.Close()
			s := pipeline.NewSink(q, pipeline.WithClock(func() time.Time { return received }), pipeline.WithLogger(slog.New(slog.DiscardHandler)))
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

func TestSinkDuplicateAndErrors(t *testing.T) {
	t.Parallel()
	e := event(t, `{"scope":"store/order/created","data":{"type":"order","id":250},"hash":"h1","created_at":1700000000}`)
	q := idempotency.NewMemoryQueue()
	s := pipeline.NewSink(q)
	for range 2 {
		if err := s.Accept(context.Background(), e); err != nil {
			t.Fatalf("Accept = %v", err)
		}
	}
	if st, _ := q.Stats(context.Background()); st.Depth() != 1 {
		t.Errorf("depth %d after a duplicate, want 1", st.Depth())
	}
	q.Close()
	if err := s.Accept(context.Background(), e); !errors.Is(err, idempotency.ErrClosed) || !strings.Contains(err.Error(), "order 250") {
		t.Errorf("Accept on a closed queue = %v", err)
	}
	if err := pipeline.NewSink(nil).Accept(context.Background(), e); err == nil {
		t.Error("Accept with a nil queue succeeded")
	}
}

func TestSinkFullQueueAnswers503(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue(idempotency.WithCapacity(1))
	defer q.Close()
	url := receiver(t, q)
	for i, want := range []int{http.StatusOK, http.StatusServiceUnavailable, http.StatusOK} {
		body := fmt.Sprintf(`{"scope":"store/order/created","data":{"type":"order","id":%d},"hash":"h%d","created_at":1700000000}`, i%2+1, i%2)
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// The third delivery repeats the first event: a duplicate is accepted.
		if resp.StatusCode != want {
			t.Errorf("delivery %d: status %d, want %d", i+1, resp.StatusCode, want)
		}
	}
}

// BigCommerce's hash is the SHA-1 of the payload data, so a refund's
// refund/created and statusUpdated events carry one hash: they are two
// events, and the queue must keep both.
func TestSinkEqualHashesAreDistinctEvents(t *testing.T) {
	t.Parallel()
	q := idempotency.NewMemoryQueue()
	defer q.Close()
	s := pipeline.NewSink(q)
	for _, scope := range []string{"store/order/refund/created", "store/order/statusUpdated"} {
		e := event(t, `{"scope":"`+scope+`","data":{"type":"order","id":250},"hash":"same","created_at":1700000000}`)
		if err := s.Accept(context.Background(), e); err != nil {
			t.Fatalf("Accept = %v", err)
		}
	}
	if st, _ := q.Stats(context.Background()); st.Depth() != 2 {
		t.Errorf("depth %d, want 2 messages for 2 events", st.Depth())
	}
}

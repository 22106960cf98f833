package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// memorySink keeps accepted events in memory, or fails with err.
type memorySink struct {
	mu     sync.Mutex
	events []Event
	err    error
}

func (s *memorySink) Accept(_ context.Context, e Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.events = append(s.events, e)
	return nil
}

func (s *memorySink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

func TestHandlerStandalone(t *testing.T) {
	t.Parallel()
	errQueueDown := errors.New("queue down: redis at 10.0.0.1 refused")
	tests := []struct {
		name       string
		method     string
		body       string
		sinkErr    error
		filter     func(string) bool
		wantCode   int
		wantHanded bool
		wantLog    string
	}{
		{"order created", http.MethodPost, docOrderCreated, nil, nil, http.StatusOK, true, ""},
		{"channel order", http.MethodPost, `{"scope":"store/channel/2/order/created","data":{"order_id":127}}`, nil, nil, http.StatusOK, true, ""},
		{"transaction", http.MethodPost, `{"scope":"store/order/transaction/created","data":{"order_id":"5"}}`, nil, nil, http.StatusOK, true, ""},
		{"product filtered out", http.MethodPost, `{"scope":"store/product/updated","data":{"id":1}}`, nil, nil, http.StatusOK, false, ""},
		{"channel cart filtered out", http.MethodPost, `{"scope":"store/channel/1/cart/created","data":{}}`, nil, nil, http.StatusOK, false, ""},
		{"custom filter admits delivery exceptions", http.MethodPost, `{"scope":"store/hook/deliveryException","data":{"id":1}}`, nil,
			func(s string) bool { return s == ScopeDeliveryException }, http.StatusOK, true, ""},
		{"custom filter drops orders", http.MethodPost, docOrderCreated, nil,
			func(s string) bool { return s == ScopeDeliveryException }, http.StatusOK, false, ""},
		{"malformed JSON", http.MethodPost, `{"scope":`, nil, nil, http.StatusBadRequest, false, "status=400"},
		{"missing scope", http.MethodPost, `{"data":{"id":1}}`, nil, nil, http.StatusBadRequest, false, "missing scope"},
		{"sink failure", http.MethodPost, docOrderCreated, errQueueDown, nil, http.StatusServiceUnavailable, false, "queue down"},
		{"GET", http.MethodGet, "", nil, nil, http.StatusMethodNotAllowed, false, "status=405"},
		{"too large", http.MethodPost, `{"scope":"store/order/created","pad":"` + strings.Repeat("x", 300) + `"}`, nil, nil, http.StatusRequestEntityTooLarge, false, "status=413"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			sink := &memorySink{err: tt.sinkErr}
			opts := []HandlerOption{WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), WithMaxBodyBytes(256)}
			if tt.filter != nil {
				opts = append(opts, WithScopeFilter(tt.filter))
			}
			h, err := NewHandler(sink, opts...)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(tt.method, "/webhooks/bigcommerce", strings.NewReader(tt.body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantCode)
			}
			if tt.wantCode == http.StatusOK && rec.Body.Len() != 0 {
				t.Errorf("200 body = %q, want empty", rec.Body.String())
			}
			if handed := sink.count() == 1; handed != tt.wantHanded {
				t.Errorf("handed on = %v, want %v", handed, tt.wantHanded)
			}
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q: %s", tt.wantLog, logs.String())
			}
		})
	}
}

func TestHandlerBehindMiddleware(t *testing.T) {
	t.Parallel()
	now := time.Now() // real sockets, so real time; well within the window
	key := []byte(testClientSecret)
	sink := &memorySink{}
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := NewHandler(sink, WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	v := mustVerifier(t, []Scheme{SharedSecret(DefaultSecretHeader, testHeaderSecret), OptionalStandardWebhooks(key)},
		WithLogger(logger))
	srv := httptest.NewServer(http.StripPrefix("/base", v.Middleware(h)))
	t.Cleanup(srv.Close)

	post := func(body string, sign bool, secret string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/base/webhooks", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(DefaultSecretHeader, secret)
		if sign {
			SetStandardHeaders(req.Header, key, "msg_dedup", now, []byte(body))
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusOK && len(b) != 0 {
			t.Errorf("200 with body %q", b)
		}
		return resp.StatusCode
	}
	noHash := `{"scope":"store/order/created","store_id":"1","data":{"type":"order","id":9}}`
	if code := post(noHash, true, testHeaderSecret); code != http.StatusOK {
		t.Fatalf("signed delivery: status %d", code)
	}
	if code := post(docOrderCreated, false, testHeaderSecret); code != http.StatusOK {
		t.Fatalf("header-only delivery: status %d", code)
	}
	if code := post(docOrderCreated, false, "wrong"); code != http.StatusUnauthorized {
		t.Fatalf("wrong secret: status %d", code)
	}
	if code := post(`{"nope"`, true, testHeaderSecret); code != http.StatusBadRequest {
		t.Fatalf("malformed but signed: status %d", code)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.events) != 2 {
		t.Fatalf("sink got %d events, want 2", len(sink.events))
	}
	first, second := sink.events[0], sink.events[1]
	if first.WebhookID != "msg_dedup" || first.DeliveryKey() != "webhook-id:msg_dedup" {
		t.Errorf("signed event WebhookID %q DeliveryKey %q", first.WebhookID, first.DeliveryKey())
	}
	if want := "envelope:store/order/created:1561479335:dd70c0976e06b67aaf671e73f49dcb79230ebf9d"; second.WebhookID != "" || second.DeliveryKey() != want {
		t.Errorf("unsigned event WebhookID %q DeliveryKey %q, want %q", second.WebhookID, second.DeliveryKey(), want)
	}
	for _, s := range secretForms() {
		if strings.Contains(logs.String(), s) {
			t.Fatalf("secret %q in logs: %s", s, logs.String())
		}
	}
}

// TestHandlerUsesVerifiedBytes shows the handler parses what the middleware
// verified even if something between them swaps r.Body.
func TestHandlerUsesVerifiedBytes(t *testing.T) {
	t.Parallel()
	sink := &memorySink{}
	h, err := NewHandler(sink)
	if err != nil {
		t.Fatal(err)
	}
	mw := mustVerifier(t, []Scheme{SharedSecret("X-S", "v")}).Middleware
	swap := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(`{"scope":"store/order/created","data":{"id":666}}`))
		h.ServeHTTP(w, r)
	})
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(docOrderCreated)))
	req.Header.Set("X-S", "v")
	rec := httptest.NewRecorder()
	mw(swap).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || sink.count() != 1 {
		t.Fatalf("status %d, %d events", rec.Code, sink.count())
	}
	if id, _ := sink.events[0].OrderID(); id != 250 {
		t.Errorf("order id %d, want the verified 250", id)
	}
}

func TestNewHandlerErrors(t *testing.T) {
	t.Parallel()
	sink := SinkFunc(func(context.Context, Event) error { return nil })
	tests := []struct {
		name string
		sink Sink
		opts []HandlerOption
	}{
		{"nil sink", nil, nil},
		{"nil option", sink, []HandlerOption{nil}},
		{"nil filter", sink, []HandlerOption{WithScopeFilter(nil)}},
		{"negative limit", sink, []HandlerOption{WithMaxBodyBytes(-1)}},
	}
	for _, tt := range tests {
		if h, err := NewHandler(tt.sink, tt.opts...); !errors.Is(err, ErrInvalidConfig) || h != nil {
			t.Errorf("%s: NewHandler = %v, %v; want ErrInvalidConfig", tt.name, h, err)
		}
	}
}

package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// anyResource admits every order, customer and product scope.
func anyResource(scope string) bool {
	return IsOrderScope(scope) || IsCustomerScope(scope) || IsProductScope(scope)
}

// serve posts body to h without a verifier and returns the response.
func serve(h http.Handler, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhooks/bigcommerce", strings.NewReader(body)))
	return rec
}

// An event whose resource id is unusable is answered 200 (a redelivery
// would carry the same id), never handed to the sink, logged at Warn with
// its scope and raw id, and counted.
func TestHandlerDropsUnusableIDs(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", 500)
	tests := []struct {
		name, scope, data string
		wantRaw           string // in the log, as JSON text
	}{
		{"order id 1.5", "store/order/created", `{"type":"order","id":1.5}`, `1.5`},
		{"order id text", "store/order/updated", `{"type":"order","id":"abc"}`, `"abc"`},
		{"order id negative", "store/order/statusUpdated", `{"type":"order","id":-4}`, `-4`},
		{"order id zero", "store/order/archived", `{"type":"order","id":0}`, `0`},
		{"order id missing", "store/order/created", `{"type":"order"}`, ``},
		{"no data", "store/order/created", ``, ``},
		{"transaction order_id text", "store/order/transaction/created", `{"type":"transaction","order_id":"x1"}`, `"x1"`},
		{"channel order_id object", "store/channel/1/order/created", `{"order_id":{"a":1}}`, `{"a":1}`},
		{"customer id 1.5", "store/customer/updated", `{"type":"customer","id":1.5}`, `1.5`},
		{"address without customer", "store/customer/address/created", `{"type":"customer","id":60}`, ``},
		{"product id negative", "store/product/updated", `{"type":"product","id":-2}`, `-2`},
		{"product id too long", "store/product/created", `{"type":"product","id":` + long + `}`, long[:maxLoggedBytes] + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			sink := &memorySink{}
			h, err := NewHandler(sink, WithScopeFilter(anyResource), WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			body := `{"scope":"` + tt.scope + `","store_id":"1","hash":"h","created_at":1700000000`
			if tt.data != "" {
				body += `,"data":` + tt.data
			}
			rec := serve(h, body+`}`)
			if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
				t.Errorf("status %d body %q, want 200 and no body", rec.Code, rec.Body)
			}
			if n := sink.count(); n != 0 {
				t.Errorf("sink got %d events, want none", n)
			}
			if st := h.Stats(); st != (HandlerStats{Dropped: 1}) {
				t.Errorf("Stats = %+v, want one dropped", st)
			}
			var rec0 struct {
				Level, Msg, Scope string
				RawID             string `json:"raw_id"`
			}
			if err := json.Unmarshal([]byte(logs.String()), &rec0); err != nil {
				t.Fatalf("log %q: %v", logs.String(), err)
			}
			if rec0.Level != "WARN" || rec0.Scope != tt.scope || rec0.RawID != tt.wantRaw {
				t.Errorf("log record %+v, want WARN with scope %q and raw_id %q", rec0, tt.scope, tt.wantRaw)
			}
		})
	}
}

// Stats counts every outcome of a parsed delivery once.
func TestHandlerStats(t *testing.T) {
	t.Parallel()
	var fail bool
	sink := SinkFunc(func(context.Context, Event) error {
		if fail {
			return errors.New("queue down")
		}
		return nil
	})
	h, err := NewHandler(sink)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		docOrderCreated, // accepted
		`{"scope":"store/channel/1/order/created","data":{"order_id":127}}`, // accepted
		`{"scope":"store/product/updated","data":{"id":1}}`,                 // ignored by the default filter
		`{"scope":"store/order/created","data":{"id":"abc"}}`,               // dropped
		`{"data":{}}`, // malformed
	} {
		serve(h, body)
	}
	fail = true
	if rec := serve(h, docOrderCreated); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("failing sink: status %d", rec.Code)
	}
	want := HandlerStats{Accepted: 2, Ignored: 1, Dropped: 1, Malformed: 1, Failed: 1}
	if got := h.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

// Two events about one order may carry one hash: nothing in the handler
// treats the second as a duplicate of the first.
func TestHandlerPassesEventsWithEqualHashes(t *testing.T) {
	t.Parallel()
	sink := &memorySink{}
	h, err := NewHandler(sink)
	if err != nil {
		t.Fatal(err)
	}
	const hash = "3f786850e387550fdab836ed7e6dc881de23001b"
	for _, scope := range []string{"store/order/refund/created", "store/order/statusUpdated", "store/order/updated", "store/order/statusUpdated"} {
		body := `{"scope":"` + scope + `","data":{"type":"order","id":7},"hash":"` + hash + `","created_at":1700000000}`
		if rec := serve(h, body); rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", scope, rec.Code)
		}
	}
	if n := sink.count(); n != 4 {
		t.Fatalf("sink got %d events, want all 4", n)
	}
	keys := map[string]bool{}
	for _, e := range sink.events {
		keys[e.DeliveryKey()] = true
	}
	// The second statusUpdated is a redelivery of the first: same scope,
	// data and created_at.
	if len(keys) != 3 {
		t.Errorf("delivery keys %v, want 3 distinct", keys)
	}
}

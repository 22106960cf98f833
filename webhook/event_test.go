package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// docOrderCreated is the verbatim example of BigCommerce's webhook events page.
const docOrderCreated = `{
  "scope": "store/order/created",
  "store_id": "1025646",
  "data": {
    "type": "order",
    "id": 250
  },
  "hash": "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
  "created_at": 1561479335,
  "producer": "stores/{store_hash}"
}`

func TestParseEventDocExample(t *testing.T) {
	t.Parallel()
	e, err := ParseEvent([]byte(docOrderCreated))
	if err != nil {
		t.Fatalf("ParseEvent: %v", err)
	}
	want := Event{
		Scope:     "store/order/created",
		StoreID:   "1025646",
		Hash:      "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
		CreatedAt: time.Date(2019, 6, 25, 16, 15, 35, 0, time.UTC),
		Producer:  "stores/{store_hash}",
	}
	got := e
	got.Data = nil
	if got.Scope != want.Scope || got.StoreID != want.StoreID || got.Hash != want.Hash ||
		!got.CreatedAt.Equal(want.CreatedAt) || got.CreatedAt.Location() != time.UTC || got.Producer != want.Producer {
		t.Errorf("event = %+v, want %+v", got, want)
	}
	var data struct {
		Type string `json:"type"`
		ID   int    `json:"id"`
	}
	if err := json.Unmarshal(e.Data, &data); err != nil || data.Type != "order" || data.ID != 250 {
		t.Errorf("data = %s (%v)", e.Data, err)
	}
	if id, err := e.OrderID(); err != nil || id != 250 {
		t.Errorf("OrderID = %d, %v; want 250", id, err)
	}
	if got, want := e.DeliveryKey(), "envelope:store/order/created:1561479335:"+want.Hash; got != want {
		t.Errorf("DeliveryKey = %q, want %q", got, want)
	}
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		in          string
		wantErr     bool
		wantStore   string
		wantCreated int64
	}{
		{"store_id as number (older payloads)", `{"scope":"store/order/created","store_id":11111,"created_at":1}`, false, "11111", 1},
		{"store_id as string", `{"scope":"s","store_id":"11111"}`, false, "11111", 0},
		{"created_at as string", `{"scope":"s","created_at":"1561479335"}`, false, "", 1561479335},
		{"missing store_id and created_at", `{"scope":"s"}`, false, "", 0},
		{"null data", `{"scope":"s","data":null}`, false, "", 0},
		{"unknown fields ignored", `{"scope":"s","extra":[1,2]}`, false, "", 0},
		{"leading whitespace", " \n{\"scope\":\"s\"}", false, "", 0},
		{"missing scope", `{"store_id":"1"}`, true, "", 0},
		{"empty scope", `{"scope":""}`, true, "", 0},
		{"scope not a string", `{"scope":5}`, true, "", 0},
		{"bad JSON", `{"scope":"s"`, true, "", 0},
		{"trailing garbage", `{"scope":"s"} x`, true, "", 0},
		{"array", `[{"scope":"s"}]`, true, "", 0},
		{"empty body", ``, true, "", 0},
		{"null", `null`, true, "", 0},
		{"store_id bool", `{"scope":"s","store_id":true}`, true, "", 0},
		{"store_id text", `{"scope":"s","store_id":"abc"}`, true, "", 0},
		{"store_id float", `{"scope":"s","store_id":1.5}`, true, "", 0},
		{"created_at float", `{"scope":"s","created_at":1.5}`, true, "", 0},
		{"created_at huge", `{"scope":"s","created_at":99999999999999999999999}`, true, "", 0},
		{"data array", `{"scope":"s","data":[1]}`, true, "", 0},
		{"data string", `{"scope":"s","data":"x"}`, true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := ParseEvent([]byte(tt.in))
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidEvent) {
					t.Fatalf("err = %v, want ErrInvalidEvent", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEvent: %v", err)
			}
			if e.StoreID != tt.wantStore {
				t.Errorf("StoreID = %q, want %q", e.StoreID, tt.wantStore)
			}
			if tt.wantCreated == 0 && !e.CreatedAt.IsZero() || tt.wantCreated != 0 && e.CreatedAt.Unix() != tt.wantCreated {
				t.Errorf("CreatedAt = %v, want %d", e.CreatedAt, tt.wantCreated)
			}
		})
	}
}

func TestParseEventDoesNotAliasBody(t *testing.T) {
	t.Parallel()
	body := []byte(`{"scope":"store/order/created","data":{"id":1}}`)
	e, err := ParseEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] = ' '
	}
	if string(e.Data) != `{"id":1}` {
		t.Errorf("Data changed with the body: %q", e.Data)
	}
}

func TestScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scope     string
		isOrder   bool
		channel   int64
		isChannel bool
	}{
		{"store/order/created", true, 0, false},
		{"store/order/transaction/updated", true, 0, false},
		{"store/order/*", true, 0, false},
		{"store/channel/1/order/created", true, 1, true},
		{"store/channel/987/order/refund/created", true, 987, true},
		{"store/channel/1/cart/created", false, 1, true},
		{"store/channel/created", false, 0, false},
		{"store/channel/x/order/created", false, 0, false},
		{"store/channel//order/created", false, 0, false},
		{"store/channel/-1/order/created", false, 0, false},
		{"store/channel/99999999999999999999/order/created", false, 0, false},
		{"store/product/created", false, 0, false},
		{"store/orders/created", false, 0, false},
		{"", false, 0, false},
	}
	for _, tt := range tests {
		if got := IsOrderScope(tt.scope); got != tt.isOrder {
			t.Errorf("IsOrderScope(%q) = %v, want %v", tt.scope, got, tt.isOrder)
		}
		id, ok := Event{Scope: tt.scope}.ChannelID()
		if id != tt.channel || ok != tt.isChannel {
			t.Errorf("ChannelID(%q) = %d, %v; want %d, %v", tt.scope, id, ok, tt.channel, tt.isChannel)
		}
	}
}

func TestStatusChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scope, data string
		want        StatusChange
		ok          bool
	}{
		{"store/order/statusUpdated", `{"type":"order","id":1,"status":{"previous_status_id":0,"new_status_id":11}}`, StatusChange{0, 11}, true},
		{"store/channel/1/order/statusUpdated", `{"order_id":1,"status":{"previous_status_id":11,"new_status_id":2}}`, StatusChange{11, 2}, true},
		{"store/order/updated", `{"type":"order","id":1,"status":{"previous_status_id":0,"new_status_id":11}}`, StatusChange{}, false},
		{"store/order/statusUpdated", `{"type":"order","id":1}`, StatusChange{}, false},
		{"store/order/statusUpdated", `{"status":"x"}`, StatusChange{}, false},
	}
	for _, tt := range tests {
		got, ok := Event{Scope: tt.scope, Data: json.RawMessage(tt.data)}.StatusChange()
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s %s: StatusChange = %+v, %v; want %+v, %v", tt.scope, tt.data, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDeliveryException(t *testing.T) {
	t.Parallel()
	e, err := ParseEvent([]byte(`{"scope":"store/hook/deliveryException","store_id":"1","data":{"type":"webhook","id":18048287,"error_code":90002,"message":"disabled"},"hash":"h","created_at":1}`))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := e.DeliveryException()
	want := DeliveryException{HookID: 18048287, ErrorCode: DeliveryHookDisable, Message: "disabled"}
	if !ok || got != want {
		t.Errorf("DeliveryException = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := (Event{Scope: "store/order/created", Data: e.Data}).DeliveryException(); ok {
		t.Error("DeliveryException ok for an order scope")
	}
	if _, ok := (Event{Scope: ScopeDeliveryException, Data: json.RawMessage(`{"id":"x"}`)}).DeliveryException(); ok {
		t.Error("DeliveryException ok for malformed data")
	}
}

func TestDeliveryKey(t *testing.T) {
	t.Parallel()
	at := time.Unix(1561479335, 0)
	const hash = "dd70c0976e06b67aaf671e73f49dcb79230ebf9d"
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{"webhook-id first", Event{Scope: "store/order/created", Hash: hash, CreatedAt: at, WebhookID: "msg_1"}, "webhook-id:msg_1"},
		{"webhook-id alone", Event{WebhookID: "msg_1"}, "webhook-id:msg_1"},
		{"envelope", Event{Scope: "store/order/created", Hash: hash, CreatedAt: at}, "envelope:store/order/created:1561479335:" + hash},
		{"hash without created_at", Event{Scope: "store/order/created", Hash: hash}, ""},
		{"created_at without hash", Event{Scope: "store/order/created", CreatedAt: at}, ""},
		{"nothing", Event{}, ""},
	}
	for _, tt := range tests {
		if got := tt.e.DeliveryKey(); got != tt.want {
			t.Errorf("%s: DeliveryKey = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// BigCommerce's hash is the SHA-1 of the data, so distinct events about one
// order can share it: a refund fires refund/created and statusUpdated, and
// the order changes again later. Only a redelivery of one event may give
// the same delivery key.
func TestDeliveryKeyEqualHashes(t *testing.T) {
	t.Parallel()
	const hash = "3f786850e387550fdab836ed7e6dc881de23001b" // one value for every event below
	at := time.Unix(1_700_000_000, 0)
	event := func(scope string, created time.Time) Event {
		return Event{Scope: scope, Hash: hash, CreatedAt: created, Data: json.RawMessage(`{"type":"order","id":7}`)}
	}
	refund := event("store/order/refund/created", at)
	status := event("store/order/statusUpdated", at)
	later := event("store/order/statusUpdated", at.Add(time.Minute))
	if refund.DeliveryKey() == status.DeliveryKey() || status.DeliveryKey() == later.DeliveryKey() ||
		refund.DeliveryKey() == later.DeliveryKey() {
		t.Errorf("distinct events share a key: %q, %q, %q", refund.DeliveryKey(), status.DeliveryKey(), later.DeliveryKey())
	}
	if again := event("store/order/statusUpdated", at); again.DeliveryKey() != status.DeliveryKey() {
		t.Errorf("a redelivery got another key: %q, %q", again.DeliveryKey(), status.DeliveryKey())
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(docOrderCreated))
	f.Add([]byte(`{"scope":"store/order/transaction/created","store_id":1,"data":{"order_id":"12"},"created_at":"1"}`))
	f.Add([]byte(`{"scope":"store/order/metafield/updated","data":{"resource_id":"9","metafield_id":1}}`))
	f.Add([]byte(`{"scope":"store/channel/3/order/statusUpdated","data":{"order_id":5,"status":{"previous_status_id":1,"new_status_id":2}}}`))
	f.Add([]byte(`{"scope":"store/hook/deliveryException","data":{"type":"webhook","id":1,"error_code":90001,"message":"m"}}`))
	f.Add([]byte(`{"scope":"store/customer/address/created","data":{"type":"customer","id":60,"address":{"customer_id":32}}}`))
	f.Add([]byte(`{"scope":"store/product/inventory/order/updated","data":{"type":"product","id":1.5}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"scope":"\u0000","store_id":-0,"created_at":-9223372036854775808}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ParseEvent(body)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("error %v does not wrap ErrInvalidEvent", err)
			}
			return
		}
		if e.Scope == "" {
			t.Fatal("accepted an event without scope")
		}
		if len(e.Data) > 0 && !json.Valid(e.Data) {
			t.Fatalf("Data is not valid JSON: %q", e.Data)
		}
		id, err := e.OrderID()
		if err == nil && id <= 0 {
			t.Fatalf("OrderID = %d without error", id)
		}
		if err != nil && !errors.Is(err, ErrNoOrderID) && !errors.Is(err, ErrInvalidEvent) {
			t.Fatalf("OrderID error %v wraps no sentinel", err)
		}
		for name, get := range map[string]struct {
			id     func() (int64, error)
			absent error
		}{
			"CustomerID": {e.CustomerID, ErrNoCustomerID},
			"ProductID":  {e.ProductID, ErrNoProductID},
		} {
			id, err := get.id()
			if err == nil && id <= 0 {
				t.Fatalf("%s = %d without error", name, id)
			}
			if err != nil && !errors.Is(err, get.absent) && !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("%s error %v wraps no sentinel", name, err)
			}
		}
		if k := e.DeliveryKey(); k != "" && !strings.Contains(k, e.Hash) {
			t.Fatalf("DeliveryKey %q ignores the hash %q", k, e.Hash)
		}
		e.ChannelID()
		e.StatusChange()
		e.DeliveryException()
		_ = e.DeliveryKey()
		// What a queue stores must read back as the same event.
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var back Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if !eventsEqual(back, e) {
			t.Fatalf("round trip %+v != %+v", back, e)
		}
	})
}

func TestEventJSONRoundTrip(t *testing.T) {
	t.Parallel()
	e, err := ParseEvent([]byte(docOrderCreated))
	if err != nil {
		t.Fatal(err)
	}
	e.WebhookID = "msg_7"
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/{store_hash}","webhook_id":"msg_7"}`
	if string(b) != want {
		t.Errorf("Marshal = %s\nwant      %s", b, want)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !eventsEqual(back, e) {
		t.Errorf("round trip = %+v, want %+v", back, e)
	}
	if parsed, err := ParseEvent(b); err != nil || parsed.WebhookID != "" {
		t.Errorf("ParseEvent read webhook_id from a body: %+v, %v", parsed, err)
	}
	if err := json.Unmarshal([]byte(`{"data":{}}`), &back); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("Unmarshal without scope err = %v", err)
	}
	if err := json.Unmarshal([]byte(`{"scope":"s","webhook_id":5}`), &back); !errors.Is(err, ErrInvalidEvent) {
		t.Errorf("Unmarshal with numeric webhook_id err = %v", err)
	}
	var empty Event
	empty.Scope = "s"
	if b, _ := json.Marshal(empty); string(b) != `{"scope":"s"}` {
		t.Errorf("Marshal(minimal) = %s", b)
	}
}

// eventsEqual compares Data as JSON values: encoding compacts it.
func eventsEqual(a, b Event) bool {
	return a.Scope == b.Scope && a.StoreID == b.StoreID && jsonEqual(a.Data, b.Data) && a.Hash == b.Hash &&
		a.CreatedAt.Equal(b.CreatedAt) && a.Producer == b.Producer && a.WebhookID == b.WebhookID
}

func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	dx, dy := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	dx.UseNumber()
	dy.UseNumber()
	if dx.Decode(&x) != nil || dy.Decode(&y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

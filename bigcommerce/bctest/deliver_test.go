package bctest_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/webhook"
)

const (
	clientSecret = "app-client-secret"
	headerName   = "X-Webhook-Secret"
	headerValue  = "shared-secret-value"
)

// receiver is a webhook endpoint that checks both credentials with its own
// code (not the fake's) and remembers what it accepted.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	accepted []received
	rejected int
}

type received struct {
	body      []byte
	webhookID string
}

func newReceiver(t *testing.T, requireSignature bool) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		ok := err == nil && r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/json" &&
			hmac.Equal([]byte(r.Header.Get(headerName)), []byte(headerValue))
		if requireSignature {
			ok = ok && validSignature(r.Header, body)
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if !ok {
			rc.rejected++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		rc.accepted = append(rc.accepted, received{body: body, webhookID: r.Header.Get("webhook-id")})
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// validSignature recomputes the Standard Webhooks signature independently:
// HMAC-SHA256 keyed by the raw client secret over "id.timestamp.body",
// standard base64, "v1," prefix.
func validSignature(h http.Header, body []byte) bool {
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return false
	}
	if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

func (rc *receiver) counts() (int, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.accepted), rc.rejected
}

type envelopeJSON struct {
	Scope     string          `json:"scope"`
	StoreID   json.RawMessage `json:"store_id"`
	Data      json.RawMessage `json:"data"`
	Hash      string          `json:"hash"`
	CreatedAt int64           `json:"created_at"`
	Producer  string          `json:"producer"`
}

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

func TestDeliverSignedEvent(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithClientSecret(clientSecret), bctest.WithStoreID("1025646"))
	rc := newReceiver(t, true)
	if _, err := s.AddHook(bctest.Hook{Scope: "store/order/*", Destination: rc.URL, IsActive: true,
		Headers: map[string]string{headerName: headerValue}}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{OrderID: 250})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Delivered() || res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", res.StatusCode)
	}
	if n, _ := rc.counts(); n != 1 {
		t.Fatalf("receiver accepted %d", n)
	}
	var env envelopeJSON
	if err := json.Unmarshal(rc.accepted[0].body, &env); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"scope", env.Scope, "store/order/created"},
		{"store_id is a string", string(env.StoreID), `"1025646"`},
		{"data", string(env.Data), `{"id":250,"type":"order"}`},
		{"hash", hex40.MatchString(env.Hash), true},
		{"producer", env.Producer, "stores/" + s.StoreHash()},
		{"created_at recent", time.Since(time.Unix(env.CreatedAt, 0)).Abs() < time.Minute, true},
		{"webhook-id sent", rc.accepted[0].webhookID, res.WebhookID},
		{"result envelope", res.Envelope.Hash, env.Hash},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestRedeliverKeepsIdentity(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithClientSecret(clientSecret))
	rc := newReceiver(t, true)
	if _, err := s.AddHook(bctest.Hook{Scope: bctest.ScopeOrderCreated, Destination: rc.URL, IsActive: true,
		Headers: map[string]string{headerName: headerValue}}); err != nil {
		t.Fatal(err)
	}
	first, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{OrderID: 7, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Redeliver(t.Context(), first)
	if err != nil {
		t.Fatal(err)
	}
	if n, rej := rc.counts(); n != 2 || rej != 0 {
		t.Fatalf("accepted %d, rejected %d", n, rej)
	}
	a, b := rc.accepted[0], rc.accepted[1]
	if string(a.body) != string(b.body) || a.webhookID != b.webhookID || a.webhookID == "" {
		t.Errorf("redelivery differs:\n%s %s\n%s %s", a.body, a.webhookID, b.body, b.webhookID)
	}
	if first.Envelope.Hash != second.Envelope.Hash {
		t.Errorf("hashes differ")
	}
	// Another event of the same order is a different event.
	other, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{OrderID: 7, CreatedAt: t0.Add(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if other.Envelope.Hash == first.Envelope.Hash || other.WebhookID == first.WebhookID {
		t.Errorf("distinct events share hash %s or id %s", other.Envelope.Hash, other.WebhookID)
	}
	if got := len(s.Deliveries()); got != 3 {
		t.Errorf("Deliveries = %d, want 3", got)
	}
}

func TestForgedDeliveryIsRejected(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithClientSecret(clientSecret))
	rc := newReceiver(t, true)
	_, _ = s.AddHook(bctest.Hook{Scope: bctest.ScopeOrderCreated, Destination: rc.URL, IsActive: true,
		Headers: map[string]string{headerName: headerValue}})
	res, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{OrderID: 1, Forge: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered() || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged delivery status = %d", res.StatusCode)
	}
	again, err := s.Redeliver(t.Context(), res)
	if err != nil || again.StatusCode != http.StatusUnauthorized {
		t.Errorf("forged redelivery = %v, %v", again, err)
	}
	if n, rej := rc.counts(); n != 0 || rej != 2 {
		t.Errorf("accepted %d, rejected %d", n, rej)
	}
	// Each credential alone must fail too: a receiver checking only the
	// signature rejects the forged one.
	if validSignature(res.Header, res.Payload) {
		t.Error("forged signature verifies")
	}
	if res.Header.Get(headerName) == headerValue {
		t.Error("forged header carries the real secret")
	}
}

func TestDeliveryVerifiesWithWebhookPackage(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithClientSecret(clientSecret))
	dest := newReceiver(t, true)
	_, _ = s.AddHook(bctest.Hook{Scope: bctest.ScopeOrderCreated, Destination: dest.URL, IsActive: true,
		Headers: map[string]string{headerName: headerValue}})
	v, err := webhook.NewVerifier([]webhook.Scheme{
		webhook.SharedSecret(headerName, headerValue),
		webhook.StandardWebhooks([]byte(clientSecret)),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, forge := range []bool{false, true} {
		res, err := s.Deliver(t.Context(), dest.URL, bctest.EventSpec{OrderID: 3, Forge: forge})
		if err != nil {
			t.Fatal(err)
		}
		_, verr := v.Verify(res.Header, res.Payload)
		if (verr == nil) == forge {
			t.Errorf("forge=%v: Verify err = %v", forge, verr)
		}
	}
}

func TestDeliverToHooks(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	wild, exact, inactive, otherScope := newReceiver(t, false), newReceiver(t, false), newReceiver(t, false), newReceiver(t, false)
	headers := map[string]string{headerName: headerValue}
	for _, h := range []bctest.Hook{
		{Scope: "store/order/*", Destination: wild.URL, IsActive: true, Headers: headers},
		{Scope: bctest.ScopeOrderStatusUpdated, Destination: exact.URL, IsActive: true, Headers: headers},
		{Scope: bctest.ScopeOrderStatusUpdated, Destination: inactive.URL, IsActive: false, Headers: headers},
		{Scope: "store/cart/*", Destination: otherScope.URL, IsActive: true, Headers: headers},
	} {
		if _, err := s.AddHook(h); err != nil {
			t.Fatal(err)
		}
	}
	results, err := s.DeliverToHooks(t.Context(), bctest.EventSpec{
		Scope: bctest.ScopeOrderStatusUpdated, OrderID: 9, PreviousStatusID: 0, NewStatusID: 11,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0].URL != wild.URL || results[1].URL != exact.URL {
		t.Fatalf("results = %v", results)
	}
	for name, rc := range map[string]*receiver{"wild": wild, "exact": exact, "inactive": inactive, "other": otherScope} {
		want := 0
		if name == "wild" || name == "exact" {
			want = 1
		}
		if n, _ := rc.counts(); n != want {
			t.Errorf("%s received %d, want %d", name, n, want)
		}
	}
	var env envelopeJSON
	_ = json.Unmarshal(exact.accepted[0].body, &env)
	if string(env.Data) != `{"id":9,"status":{"new_status_id":11,"previous_status_id":0},"type":"order"}` {
		t.Errorf("data = %s", env.Data)
	}
	if exact.accepted[0].webhookID != "" {
		t.Errorf("unsigned delivery carries webhook-id %q", exact.accepted[0].webhookID)
	}
}

func TestDeliverErrors(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	rc := newReceiver(t, false)
	if _, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{}); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("no order id: %v", err)
	}
	if _, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{Data: json.RawMessage(`[1]`)}); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("array data: %v", err)
	}
	if _, err := s.Redeliver(t.Context(), nil); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("nil redelivery: %v", err)
	}
	if _, err := s.Deliver(t.Context(), "://bad", bctest.EventSpec{OrderID: 1}); err == nil {
		t.Error("bad URL delivered")
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	if _, err := s.Deliver(t.Context(), closed.URL, bctest.EventSpec{OrderID: 1}); err == nil {
		t.Error("delivery to a closed server succeeded")
	}
	// Without a matching hook, no shared-secret header is sent.
	res, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{OrderID: 1})
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("hookless delivery = %v, %v", res, err)
	}
	custom, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{Scope: "store/order/transaction/created",
		Data: json.RawMessage(`{"type": "transaction", "order_id": "5"}`)})
	if err != nil || string(custom.Envelope.Data) != `{"type":"transaction","order_id":"5"}` {
		t.Errorf("custom data = %s, %v", custom.Envelope.Data, err)
	}
}

func TestDeliveryResultHidesCredentials(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithClientSecret(clientSecret))
	rc := newReceiver(t, true)
	_, _ = s.AddHook(bctest.Hook{Scope: bctest.ScopeOrderCreated, Destination: rc.URL, IsActive: true,
		Headers: map[string]string{headerName: headerValue}})
	res, err := s.Deliver(t.Context(), rc.URL, bctest.EventSpec{OrderID: 1})
	if err != nil {
		t.Fatal(err)
	}
	sig := res.Header.Get("webhook-signature")
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, res) + fmt.Sprintf(format, *res) + fmt.Sprintf(format, []*bctest.DeliveryResult{res})
		if strings.Contains(out, headerValue) || strings.Contains(out, sig) || strings.Contains(out, clientSecret) {
			t.Errorf("%s of DeliveryResult leaks a credential: %s", format, out)
		}
	}
}

func TestScopeMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		hook, event string
		want        bool
	}{
		{"store/order/created", "store/order/created", true},
		{"store/order/created", "store/order/updated", false},
		{"store/order/*", "store/order/statusUpdated", true},
		{"store/order/*", "store/orders/created", false},
		{"store/*", "store/order/created", true},
		{"*", "store/order/created", false},
	}
	for _, tc := range tests {
		if got := bctest.ScopeMatches(tc.hook, tc.event); got != tc.want {
			t.Errorf("ScopeMatches(%q, %q) = %v", tc.hook, tc.event, got)
		}
	}
}

func TestDeliverToHooksReportsUnreachableHooks(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithStoreHash("store9"), bctest.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	good := newReceiver(t, false)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	for _, dest := range []string{gone.URL, good.URL} {
		if _, err := s.AddHook(bctest.Hook{Scope: bctest.ScopeOrderCreated, Destination: dest, IsActive: true,
			Headers: map[string]string{headerName: headerValue}}); err != nil {
			t.Fatal(err)
		}
	}
	results, err := s.DeliverToHooks(t.Context(), bctest.EventSpec{OrderID: 4})
	if err == nil || !strings.Contains(err.Error(), "hook 1000") {
		t.Errorf("err = %v, want one naming hook 1000", err)
	}
	if len(results) != 1 || results[0].URL != good.URL || !results[0].Delivered() {
		t.Fatalf("results = %v", results)
	}
	if results[0].Envelope.Producer != "stores/store9" {
		t.Errorf("producer = %q", results[0].Envelope.Producer)
	}
	if _, err := s.DeliverToHooks(t.Context(), bctest.EventSpec{}); !errors.Is(err, bctest.ErrInvalid) {
		t.Errorf("bad event err = %v", err)
	}
}

// TestDataHash checks the documented hash: the SHA-1 of the data object.
// Two updates of one order share it, a status change (other data) does not,
// and every event keeps a webhook-id of its own.
func TestDataHash(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithClientSecret(clientSecret), bctest.WithDataHash())
	rc := newReceiver(t, true)
	if _, err := s.AddHook(bctest.Hook{Scope: "store/order/*", Destination: rc.URL, IsActive: true,
		Headers: map[string]string{headerName: headerValue}}); err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1700000000, 0)
	specs := []bctest.EventSpec{
		{Scope: bctest.ScopeOrderUpdated, OrderID: 250, CreatedAt: at},
		{Scope: bctest.ScopeOrderUpdated, OrderID: 250, CreatedAt: at.Add(time.Second)},
		{Scope: bctest.ScopeOrderArchived, OrderID: 250, CreatedAt: at},
		{Scope: bctest.ScopeOrderStatusUpdated, OrderID: 250, PreviousStatusID: 11, NewStatusID: 5, CreatedAt: at},
	}
	var res []*bctest.DeliveryResult
	for _, sp := range specs {
		r, err := s.Deliver(t.Context(), rc.URL, sp)
		if err != nil || !r.Delivered() {
			t.Fatalf("deliver %+v: %v %v", sp, err, r)
		}
		res = append(res, r)
	}
	sum := sha1.Sum([]byte(`{"id":250,"type":"order"}`))
	want := hex.EncodeToString(sum[:])
	for i := range 3 {
		if res[i].Envelope.Hash != want {
			t.Errorf("event %d: hash %s, want the SHA-1 of the data, %s", i, res[i].Envelope.Hash, want)
		}
	}
	if res[3].Envelope.Hash == want || !hex40.MatchString(res[3].Envelope.Hash) {
		t.Errorf("status change: hash %s, want another SHA-1", res[3].Envelope.Hash)
	}
	ids := map[string]bool{}
	for _, r := range res {
		ids[r.WebhookID] = true
	}
	if len(ids) != len(res) {
		t.Errorf("webhook-ids %v: want one per event", ids)
	}
	again, err := s.Redeliver(t.Context(), res[0])
	if err != nil || again.Envelope.Hash != want || again.WebhookID != res[0].WebhookID {
		t.Errorf("redelivery: %v %+v", err, again)
	}
}

package webhook

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func FuzzMiddleware(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	key := []byte(testClientSecret)
	body := []byte(docOrderCreated)
	f.Add(body, testHeaderSecret, "msg_1", strconv.FormatInt(now.Unix(), 10), SignStandard(key, "msg_1", now, body), true)
	f.Add(body, testHeaderSecret, "", "", "", false)
	f.Add([]byte{}, "x", "msg", "-1", "v1,==== v1,", true)
	f.Add(bytes.Repeat([]byte{0xff}, 600), testHeaderSecret, "m", "0", "v1", false)
	// One middleware for every input: it is safe for concurrent use, and
	// building it per input would dominate the run.
	v, err := NewVerifier([]Scheme{
		SharedSecret("X-Webhook-Secret", testHeaderSecret),
		OptionalStandardWebhooks(key),
	}, WithMaxBodyBytes(512))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, secret, id, ts, sig string, post bool) {
		next := &recordingNext{}
		method := http.MethodPost
		if !post {
			method = http.MethodPatch
		}
		req := httptest.NewRequest(method, "/", bytes.NewReader(body))
		for name, v := range map[string]string{"X-Webhook-Secret": secret, HeaderWebhookID: id, HeaderWebhookTimestamp: ts, HeaderWebhookSignature: sig} {
			if v != "" {
				req.Header[http.CanonicalHeaderKey(name)] = []string{v}
			}
		}
		rec := httptest.NewRecorder()
		// At the seeds' time, so that their signatures are in the window.
		runAt(t, now, func(*testing.T) { v.Middleware(next).ServeHTTP(rec, req) })
		switch rec.Code {
		case http.StatusNoContent:
			if !post || secret != testHeaderSecret || !bytes.Equal(next.body, body) {
				t.Fatalf("passed: post=%v secret ok=%v body equal=%v", post, secret == testHeaderSecret, bytes.Equal(next.body, body))
			}
			signed := id != "" || ts != "" || sig != ""
			if signed && (!next.ver.StandardWebhooks || next.ver.WebhookID != id) {
				t.Fatalf("signed delivery passed without verification: %+v", next.ver)
			}
		case http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusMethodNotAllowed:
			if next.calls != 0 {
				t.Fatalf("status %d but next was called", rec.Code)
			}
		default:
			t.Fatalf("unexpected status %d", rec.Code)
		}
	})
}

// FuzzHandler feeds envelopes to a handler that admits every order,
// customer and product scope: each parsed delivery is answered 200 or 400,
// counted once, and handed to the sink exactly when its resource id is
// usable (or its scope names none); an unusable id is dropped, never
// handed on.
func FuzzHandler(f *testing.F) {
	f.Add([]byte(docOrderCreated))
	for _, data := range []string{`{"id":1.5}`, `{"id":"abc"}`, `{"id":-1}`, `{}`, `{"order_id":"7"}`, `{"address":{"customer_id":3}}`} {
		for _, scope := range []string{"store/order/created", "store/order/transaction/updated", "store/channel/2/order/updated",
			"store/customer/address/created", "store/product/metafield/created", "store/product/variant/metafield/created"} {
			f.Add([]byte(`{"scope":"` + scope + `","data":` + data + `,"hash":"h","created_at":1}`))
		}
	}
	f.Add([]byte(`{"scope":"store/hook/deliveryException","data":{"id":"x"}}`))
	f.Add([]byte(`{"scope":"store/order/created","data":{"id":1e3}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var handed []Event
		sink := SinkFunc(func(_ context.Context, e Event) error {
			handed = append(handed, e)
			return nil
		})
		h, err := NewHandler(sink, WithScopeFilter(func(string) bool { return true }))
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
		st := h.Stats()
		if st.Accepted+st.Ignored+st.Dropped+st.Malformed+st.Failed != 1 {
			t.Fatalf("Stats %+v count one delivery other than once", st)
		}
		e, perr := ParseEvent(body)
		switch {
		case perr != nil:
			if rec.Code != http.StatusBadRequest || st.Malformed != 1 || len(handed) != 0 {
				t.Fatalf("malformed: status %d, stats %+v, handed %d", rec.Code, st, len(handed))
			}
			return
		case rec.Code != http.StatusOK:
			t.Fatalf("status %d for a parsed envelope", rec.Code)
		}
		_, _, _, idErr := e.resourceID()
		if usable := idErr == nil; usable != (len(handed) == 1) || !usable != (st.Dropped == 1) {
			t.Fatalf("id error %v, handed %d, stats %+v", idErr, len(handed), st)
		}
		if len(handed) == 1 && handed[0].Scope != e.Scope {
			t.Fatalf("handed scope %q, parsed %q", handed[0].Scope, e.Scope)
		}
	})
}

package webhook

import (
	"bytes"
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

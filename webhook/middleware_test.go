package webhook

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer lets parallel requests share one log sink.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// recordingNext records what reached the next handler.
type recordingNext struct {
	mu     sync.Mutex
	calls  int
	body   []byte
	ver    Verification
	hasVer bool
}

func (n *recordingNext) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	v, ok := VerificationFromContext(r.Context())
	n.mu.Lock()
	n.calls++
	n.body, n.ver, n.hasVer = b, v, ok
	n.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

const (
	testHeaderSecret = "hdr-secret-7f3a9c"
	testClientSecret = "client-secret-b41d0e"
	testRelaySecret  = "relay-secret-5e2c88"
)

// secretForms lists every spelling of the test secrets that must never show.
func secretForms() []string {
	var out []string
	for _, s := range []string{testHeaderSecret, testClientSecret, testRelaySecret} {
		out = append(out, s, base64.StdEncoding.EncodeToString([]byte(s)), hex.EncodeToString([]byte(s)))
	}
	return out
}

func TestMiddlewareResponses(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	const limit = 256
	body := []byte(`{"scope":"store/order/created","data":{"type":"order","id":250}}`)
	good := func(b []byte) http.Header {
		h := http.Header{}
		h.Set("X-Webhook-Secret", testHeaderSecret)
		SetStandardHeaders(h, []byte(testClientSecret), "msg_42", now, b)
		h.Set("X-Relay-Signature", "sha256="+SignHMAC([]byte(testRelaySecret), b))
		return h
	}
	atLimit := bytes.Repeat([]byte("a"), limit)
	overLimit := bytes.Repeat([]byte("a"), limit+1)
	tests := []struct {
		name     string
		method   string
		body     []byte
		h        http.Header
		chunked  bool
		edit     func(http.Header)
		wantCode int
	}{
		{"valid", http.MethodPost, body, good(body), false, nil, http.StatusNoContent},
		{"valid chunked", http.MethodPost, body, good(body), true, nil, http.StatusNoContent},
		{"GET", http.MethodGet, nil, good(nil), false, nil, http.StatusMethodNotAllowed},
		{"PUT", http.MethodPut, body, good(body), false, nil, http.StatusMethodNotAllowed},
		{"body exactly at limit", http.MethodPost, atLimit, good(atLimit), false, nil, http.StatusNoContent},
		{"body one byte over limit", http.MethodPost, overLimit, good(overLimit), false, nil, http.StatusRequestEntityTooLarge},
		{"chunked body at limit", http.MethodPost, atLimit, good(atLimit), true, nil, http.StatusNoContent},
		{"chunked body one byte over", http.MethodPost, overLimit, good(overLimit), true, nil, http.StatusRequestEntityTooLarge},
		{"oversized without credential is 401 first", http.MethodPost, overLimit, http.Header{}, false, nil, http.StatusUnauthorized},
		{"missing shared secret", http.MethodPost, body, good(body), false, func(h http.Header) { h.Del("X-Webhook-Secret") }, http.StatusUnauthorized},
		{"wrong shared secret", http.MethodPost, body, good(body), false, func(h http.Header) { h.Set("X-Webhook-Secret", "nope") }, http.StatusUnauthorized},
		{"missing signature", http.MethodPost, body, good(body), false, func(h http.Header) { h.Del(HeaderWebhookSignature) }, http.StatusUnauthorized},
		{"wrong signature", http.MethodPost, body, good(body), false, func(h http.Header) {
			h.Set(HeaderWebhookSignature, SignStandard([]byte("x"), "msg_42", now, body))
		}, http.StatusUnauthorized},
		{"stale timestamp", http.MethodPost, body, good(body), false, func(h http.Header) {
			SetStandardHeaders(h, []byte(testClientSecret), "msg_42", now.Add(-time.Hour), body)
		}, http.StatusUnauthorized},
		{"future timestamp", http.MethodPost, body, good(body), false, func(h http.Header) {
			SetStandardHeaders(h, []byte(testClientSecret), "msg_42", now.Add(time.Hour), body)
		}, http.StatusUnauthorized},
		{"wrong relay hmac", http.MethodPost, body, good(body), false, func(h http.Header) { h.Set("X-Relay-Signature", SignHMAC([]byte("x"), body)) }, http.StatusUnauthorized},
		{"signed for another body", http.MethodPost, body, good([]byte(`{"other":1}`)), false, nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs lockedBuffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			v := mustVerifier(t, []Scheme{
				SharedSecret("X-Webhook-Secret", testHeaderSecret),
				StandardWebhooks([]byte(testClientSecret)),
				BodyHMAC("X-Relay-Signature", []byte(testRelaySecret)),
			}, WithLogger(logger), WithMaxBodyBytes(limit))
			next := &recordingNext{}
			var rd io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				rd = io.MultiReader(rd) // hides the length: Content-Length -1
			}
			req := httptest.NewRequest(tt.method, "/webhooks/bigcommerce", rd)
			if tt.chunked {
				req.ContentLength = -1
			}
			for k, v := range tt.h {
				req.Header[k] = append([]string(nil), v...)
			}
			if tt.edit != nil {
				tt.edit(req.Header)
			}
			rec := httptest.NewRecorder()
			runAt(t, now, func(*testing.T) { v.Middleware(next).ServeHTTP(rec, req) })

			if rec.Code != tt.wantCode {
				t.Fatalf("status = %d, want %d (body %q)", rec.Code, tt.wantCode, rec.Body.String())
			}
			passed := tt.wantCode == http.StatusNoContent
			if passed != (next.calls == 1) {
				t.Fatalf("next called %d times; passed = %v", next.calls, passed)
			}
			if passed {
				if !bytes.Equal(next.body, tt.body) {
					t.Errorf("next saw body %q, want %q", next.body, tt.body)
				}
				if !next.hasVer || !next.ver.SharedSecret || !next.ver.StandardWebhooks || !next.ver.BodyHMAC ||
					next.ver.WebhookID != "msg_42" || !next.ver.Timestamp.Equal(now) {
					t.Errorf("Verification = %+v (ok %v)", next.ver, next.hasVer)
				}
			}
			switch tt.wantCode {
			case http.StatusUnauthorized:
				if rec.Body.String() != unauthorizedBody+"\n" {
					t.Errorf("401 body = %q, want the fixed text", rec.Body.String())
				}
			case http.StatusMethodNotAllowed:
				if got := rec.Header().Get("Allow"); got != http.MethodPost {
					t.Errorf("Allow = %q, want POST", got)
				}
			}
			if !passed && !strings.Contains(logs.String(), "status="+strconv.Itoa(tt.wantCode)) {
				t.Errorf("rejection not logged: %q", logs.String())
			}
			leaks := append(secretForms(), tt.h.Get(HeaderWebhookSignature), tt.h.Get("X-Relay-Signature"))
			for _, s := range leaks {
				if s == "" {
					continue
				}
				s = strings.TrimPrefix(strings.TrimPrefix(s, "v1,"), "sha256=")
				if strings.Contains(rec.Body.String(), s) || strings.Contains(logs.String(), s) {
					t.Errorf("secret or signature %q leaked (body %q, logs %q)", s, rec.Body.String(), logs.String())
				}
			}
		})
	}
}

func TestMiddlewareUnauthorizedBodiesAreIdentical(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	h := mustVerifier(t, []Scheme{SharedSecret("X-S", "v"), StandardWebhooks([]byte("k"))}).Middleware(&recordingNext{})
	body := []byte(`{}`)
	cases := []func(*http.Request){
		func(r *http.Request) {},
		func(r *http.Request) { r.Header.Set("X-S", "wrong") },
		func(r *http.Request) { r.Header.Set("X-S", "v") },
		func(r *http.Request) {
			r.Header.Set("X-S", "v")
			SetStandardHeaders(r.Header, []byte("bad"), "m", now, body)
		},
		func(r *http.Request) {
			r.Header.Set("X-S", "v")
			SetStandardHeaders(r.Header, []byte("k"), "m", now.Add(-time.Hour), body)
		},
	}
	seen := map[string]bool{}
	for _, edit := range cases {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		edit(req)
		rec := httptest.NewRecorder()
		runAt(t, now, func(*testing.T) { h.ServeHTTP(rec, req) })
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", rec.Code)
		}
		seen[rec.Body.String()+rec.Header().Get("Content-Type")] = true
	}
	if len(seen) != 1 {
		t.Errorf("401 responses differ: %v", seen)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	v := mustVerifier(t, []Scheme{
		SharedSecret("X-Webhook-Secret", testHeaderSecret),
		StandardWebhooks([]byte(testClientSecret)),
		OptionalStandardWebhooks([]byte(testClientSecret)),
		BodyHMAC("X-Relay-Signature", []byte(testRelaySecret)),
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	logger.Info("config", "verifier", v, "schemes", v.schemes, "s0", v.schemes[0], "s1", v.schemes[1], "s2", v.schemes[2], "s3", v.schemes[3])
	var out strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		fmt.Fprintf(&out, verb+"\n", v)
		fmt.Fprintf(&out, verb+"\n", v.schemes)
		for _, s := range v.schemes {
			fmt.Fprintf(&out, verb+"\n", s)
		}
	}
	text := out.String() + logs.String()
	for _, s := range secretForms() {
		if strings.Contains(text, s) {
			t.Fatalf("secret form %q printed:\n%s", s, text)
		}
	}
	for _, name := range []string{"SharedSecret(X-Webhook-Secret)", "StandardWebhooks", "OptionalStandardWebhooks", "BodyHMAC(X-Relay-Signature)"} {
		if !strings.Contains(text, name) {
			t.Errorf("output lacks %q:\n%s", name, text)
		}
	}
}

func TestMiddlewareBodyReadError(t *testing.T) {
	t.Parallel()
	mw := mustVerifier(t, []Scheme{BodyHMAC("X-Sig", []byte("k"))}).Middleware
	next := &recordingNext{}
	req := httptest.NewRequest(http.MethodPost, "/", io.LimitReader(strings.NewReader("abc"), 3))
	req.ContentLength = 10 // the body ends early
	rec := httptest.NewRecorder()
	mw(next).ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || next.calls != 0 {
		t.Fatalf("status = %d, next calls = %d; want 400, 0", rec.Code, next.calls)
	}
}

// TestMiddlewareOverLoopback runs the middleware behind a real server, where
// header names arrive in the sender's case and bodies may be chunked.
func TestMiddlewareOverLoopback(t *testing.T) {
	t.Parallel()
	// Real sockets, so real time: the deliveries are signed now, well
	// within the 5-minute window.
	now := time.Now()
	key := []byte(testClientSecret)
	v := mustVerifier(t, []Scheme{StandardWebhooks(key)}, WithMaxBodyBytes(64))
	next := &recordingNext{}
	mux := http.NewServeMux()
	mux.Handle("/base/hooks", v.Middleware(next))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tests := []struct {
		name     string
		body     []byte
		chunked  bool
		wantCode int
	}{
		{"upper-case headers", []byte(`{"a":1}`), false, http.StatusNoContent},
		{"chunked at limit", bytes.Repeat([]byte("x"), 64), true, http.StatusNoContent},
		{"chunked over limit", bytes.Repeat([]byte("x"), 65), true, http.StatusRequestEntityTooLarge},
		{"declared over limit", bytes.Repeat([]byte("x"), 65), false, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		var rd io.Reader = bytes.NewReader(tt.body)
		if tt.chunked {
			rd = io.MultiReader(rd)
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/base/hooks", rd)
		if err != nil {
			t.Fatal(err)
		}
		// Set the map directly so the names go out in upper case.
		req.Header["WEBHOOK-ID"] = []string{"msg_up"}
		req.Header["WEBHOOK-TIMESTAMP"] = []string{strconv.FormatInt(now.Unix(), 10)}
		req.Header["WEBHOOK-SIGNATURE"] = []string{"v2,ignored " + SignStandard(key, "msg_up", now, tt.body)}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantCode {
			t.Errorf("%s: status = %d, want %d", tt.name, resp.StatusCode, tt.wantCode)
		}
	}
	if next.calls != 2 {
		t.Errorf("next called %d times, want 2", next.calls)
	}
}

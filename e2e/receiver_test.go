package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/webhook"
)

// The credentials of the fake store's app and hook. They are test values,
// never printed: assertions name them only by purpose.
const (
	webhookHeader = webhook.DefaultSecretHeader
	webhookSecret = "e2e-hook-header-value-4c1d"
	clientSecret  = "e2e-app-client-secret-9f2a"
	webhookPath   = "/webhooks/bigcommerce"
	orderScope    = "store/order/*"
)

// startReceiver serves the webhook middleware and handler on a loopback
// HTTP server, with sink behind them, and returns the webhook URL. The
// middleware wants both the hook's header and the Standard Webhooks
// signature, as a receiver configured with both credentials does.
func startReceiver(t testing.TB, sink webhook.Sink) string {
	t.Helper()
	return startReceiverWith(t, sink, webhook.SharedSecret(webhookHeader, webhookSecret),
		webhook.StandardWebhooks([]byte(clientSecret)))
}

// startReceiverWith is startReceiver with the middleware wanting schemes.
func startReceiverWith(t testing.TB, sink webhook.Sink, schemes ...webhook.Scheme) string {
	t.Helper()
	verifier, err := webhook.NewVerifier(schemes)
	if err != nil {
		t.Fatalf("webhook verifier: %v", err)
	}
	h, err := webhook.NewHandler(sink, webhook.WithScopeFilter(pipeline.IsSyncedScope))
	if err != nil {
		t.Fatalf("webhook handler: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(webhookPath, verifier.Middleware(h))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + webhookPath
}

// newStore starts a fake store that signs its deliveries with the app's
// client secret, and registers a hook for every order scope pointing at
// receiverURL with the shared-secret header.
func newStore(t testing.TB, receiverURL string, opts ...bctest.Option) *bctest.Server {
	t.Helper()
	s, err := bctest.NewServer(append([]bctest.Option{bctest.WithClientSecret(clientSecret)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.AddHook(bctest.Hook{
		Scope: orderScope, Destination: receiverURL, IsActive: true,
		Headers: map[string]string{webhookHeader: webhookSecret},
	}); err != nil {
		t.Fatalf("add hook: %v", err)
	}
	return s
}

// post sends a hand-made delivery: body with the hook's header and a
// Standard Webhooks signature made at signedAt, by method. It returns the
// receiver's status.
func post(t testing.TB, method, url string, body []byte, signedAt time.Time) int {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhookHeader, webhookSecret)
	webhook.SetStandardHeaders(req.Header, []byte(clientSecret), "msg_e2e_handmade", signedAt, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

package salesforce

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/internal/fakehttp"
	"golang.org/x/oauth2"
)

// basePath is where the test servers mount the org, so URL-joining bugs
// (a dropped base path, a double slash) show up as 404s.
const basePath = "/sf/base"

// fastRetry keeps retry tests on a loopback server quick while exercising
// the same code: waits of 1-2 ms, and a budget that refuses any Retry-After.
var fastRetry = RetryPolicy{MaxAttempts: 4, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, MaxElapsed: 500 * time.Millisecond}

// newTestClient starts an httptest server for mux and a client pointed at
// it under basePath with a static token.
func newTestClient(t *testing.T, mux http.Handler, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	all := append([]Option{
		WithInstanceURL(srv.URL + basePath),
		WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token", TokenType: "Bearer"})),
		WithRetry(fastRetry),
	}, opts...)
	c, err := NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// newMemClient is newTestClient without a socket: the client reaches h in
// memory, so the test can run in a testing/synctest bubble (where loopback
// I/O would keep the clock from advancing). It keeps the default retry
// policy, whose waits cost no real time in a bubble.
func newMemClient(t *testing.T, h http.Handler, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{
		WithInstanceURL("https://acme.my.salesforce.example" + basePath),
		WithHTTPClient(&http.Client{Transport: fakehttp.Transport(h)}),
		WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token", TokenType: "Bearer"})),
	}, opts...)
	c, err := NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// route returns the mux pattern for a REST path under basePath.
func route(method, path string) string {
	return method + " " + basePath + "/services/data/v64.0" + path
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

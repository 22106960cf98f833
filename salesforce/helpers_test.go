package salesforce

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// basePath is where the test servers mount the org, so URL-joining bugs
// (a dropped base path, a double slash) show up as 404s.
const basePath = "/sf/base"

// fastRetry keeps retry tests quick while exercising the same code.
var fastRetry = RetryPolicy{MaxRetries: 3, InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, MaxRetryAfter: 10 * time.Millisecond}

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

// route returns the mux pattern for a REST path under basePath.
func route(method, path string) string {
	return method + " " + basePath + "/services/data/v64.0" + path
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

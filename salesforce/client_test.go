package salesforce

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestNewClientValidates(t *testing.T) {
	t.Parallel()
	ts := WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"}))
	inst := WithInstanceURL("https://acme.my.salesforce.com")
	tests := []struct {
		name string
		opts []Option
		ok   bool
	}{
		{"token source", []Option{ts, inst}, true},
		{"client credentials", []Option{WithClientCredentials("id", "secret"), inst}, true},
		{"client credentials with token URL only", []Option{WithClientCredentials("id", "secret"), WithTokenURL("https://acme.my.salesforce.com/services/oauth2/token")}, true},
		{"no credentials", []Option{inst}, false},
		{"two credentials", []Option{ts, WithClientCredentials("id", "secret"), inst}, false},
		{"client credentials without instance", []Option{WithClientCredentials("id", "secret")}, false},
		{"empty secret", []Option{WithClientCredentials("id", ""), inst}, false},
		{"version ok", []Option{ts, WithAPIVersion("v66.0")}, true},
		{"version no v", []Option{ts, WithAPIVersion("64.0")}, false},
		{"version short", []Option{ts, WithAPIVersion("v64")}, false},
		{"version path", []Option{ts, WithAPIVersion("v64.0/../x")}, false},
		{"instance ftp", []Option{ts, WithInstanceURL("ftp://acme")}, false},
		{"instance relative", []Option{ts, WithInstanceURL("/acme")}, false},
		{"instance with query", []Option{ts, WithInstanceURL("https://acme?x=1")}, false},
		{"instance with user", []Option{ts, WithInstanceURL("https://u:p@acme")}, false},
		{"ceiling high", []Option{ts, WithUsageCeiling(1.5)}, false},
		{"ceiling NaN", []Option{ts, WithUsageCeiling(0 * func() float64 { var z float64; return 1 / z }())}, false},
		{"retry negative", []Option{ts, WithRetry(RetryPolicy{MaxAttempts: -1})}, false},
		{"retry max below initial", []Option{ts, WithRetry(RetryPolicy{InitialBackoff: time.Second, MaxBackoff: time.Millisecond})}, false},
		{"rate zero", []Option{ts, WithRateLimit(0, 1)}, false},
		{"nil http client", []Option{ts, WithHTTPClient(nil)}, false},
		{"nil option", []Option{ts, nil}, false},
		{"jwt missing key", []Option{WithJWT(JWTConfig{ConsumerKey: "k", Username: "u"})}, false},
		{"jwt bad pem", []Option{WithJWT(JWTConfig{ConsumerKey: "k", Username: "u", PrivateKeyPEM: []byte("nope")})}, false},
	}
	for _, tt := range tests {
		c, err := NewClient(tt.opts...)
		if (err == nil) != tt.ok || (err == nil) != (c != nil) {
			t.Errorf("%s: NewClient = %v, %v", tt.name, c, err)
		}
	}
}

func TestClientNeverPrintsSecret(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	c, err := NewClient(WithClientCredentials("cid", "very-secret-value"), WithInstanceURL("https://acme.my.salesforce.com"),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", *c), fmt.Sprintf("%+v", c.tokens), logs.String()} {
		if strings.Contains(s, "very-secret-value") {
			t.Fatalf("secret printed: %s", s)
		}
	}
}

func TestHTTPClientNotModified(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	if _, err := NewClient(WithHTTPClient(hc), WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"}))); err != nil {
		t.Fatal(err)
	}
	if hc.Transport != nil {
		t.Fatal("caller's http.Client was modified")
	}
}

func TestMaxResponseBytes(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc(route("GET", "/limits"), func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"DailyApiRequests":{"Max":1,"Remaining":1},"pad":"`+strings.Repeat("x", 4096)+`"}`)
	})
	c := newTestClient(t, mux, WithMaxResponseBytes(2048))
	if _, err := c.Limits(t.Context()); err == nil || !strings.Contains(err.Error(), "larger than 2048 bytes") {
		t.Fatalf("err = %v", err)
	}
	if c.Version() != DefaultAPIVersion {
		t.Fatalf("Version = %q", c.Version())
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want []string
	}{
		{&UsageCeilingError{Usage: Usage{91000, 100000}, Ceiling: 0.9, RetryAfter: 4 * time.Minute}, []string{"91000/100000", "90%", "not called", "4m0s"}},
		{&RecordError{Index: 3, Errors: []ErrorEntry{{Code: "STRING_TOO_LONG", Message: "Name: data value too large"}}}, []string{"record 3", "STRING_TOO_LONG", "data value too large"}},
		{&AuthError{StatusCode: 400, Code: "invalid_grant", Description: "authentication failure"}, []string{"HTTP 400", "invalid_grant", "authentication failure"}},
		{&APIError{StatusCode: 300, Method: "PATCH", Path: "/x", MatchedURLs: []string{"/a", "/b"}, RequestID: "r9"}, []string{"PATCH /x", "HTTP 300", "2 matching records", "request id r9"}},
		{&GraphError{GraphID: "g1"}, []string{`graph "g1"`, "processing halted"}},
	}
	for _, tt := range tests {
		msg := tt.err.Error()
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%q lacks %q", msg, w)
			}
		}
	}
}

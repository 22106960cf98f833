package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

func TestNewClientValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		hash    string
		token   string
		opts    []Option
		wantErr string
	}{
		{"ok", "abc123", "tok", nil, ""},
		{"ok upper", "ABC123", "tok", nil, ""},
		{"empty hash", "", "tok", nil, "empty store hash"},
		{"hash with slash", "abc/../x", "tok", nil, "letters and digits"},
		{"hash with dash", "abc-1", "tok", nil, "letters and digits"},
		{"hash too long", strings.Repeat("a", 65), "tok", nil, "longer than 64"},
		{"empty token", "abc", "", nil, "empty access token"},
		{"token with newline", "abc", "tok\r\nX-Evil: 1", nil, "whitespace or control"},
		{"relative base", "abc", "tok", []Option{WithBaseURL("/proxy")}, "absolute"},
		{"ftp base", "abc", "tok", []Option{WithBaseURL("ftp://x.example")}, "absolute"},
		{"base with query", "abc", "tok", []Option{WithBaseURL("https://x.example/p?a=1")}, "query"},
		{"base with user", "abc", "tok", []Option{WithBaseURL("https://u:p@x.example/p")}, "user info"},
		{"bad base", "abc", "tok", []Option{WithBaseURL("http://[::1")}, "invalid base URL"},
		{"nil http client", "abc", "tok", []Option{WithHTTPClient(nil)}, "nil HTTP client"},
		{"nil logger", "abc", "tok", []Option{WithLogger(nil)}, "nil logger"},
		{"empty user agent", "abc", "tok", []Option{WithUserAgent(" ")}, "user agent"},
		{"negative retry", "abc", "tok", []Option{WithRetry(RetryPolicy{MaxAttempts: -1})}, "negative"},
		{"nil option ignored", "abc", "tok", []Option{nil}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.hash, tt.token, tt.opts...)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("NewClient: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

func TestRequestURLAndHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		suffix string // appended to the server URL as the base
		ua     string
		wantUA string
	}{
		{"prefix", basePath, "", DefaultUserAgent},
		{"prefix with slash", basePath + "/", "my-sync/2.0", "my-sync/2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				eq(t, "path", r.URL.Path, storePath+"/v3/hooks/5")
				eq(t, "X-Auth-Token", r.Header.Get("X-Auth-Token"), testToken)
				eq(t, "Accept", r.Header.Get("Accept"), "application/json")
				eq(t, "Content-Type", r.Header.Get("Content-Type"), "application/json")
				eq(t, "User-Agent", r.Header.Get("User-Agent"), tt.wantUA)
				eq(t, "X-Auth-Client", r.Header.Get("X-Auth-Client"), "")
				jsonHandler(http.StatusOK, []byte(`{"data":{"id":5}}`))(w, r)
			}))
			defer srv.Close()
			opts := []Option{WithBaseURL(srv.URL + tt.suffix)}
			if tt.ua != "" {
				opts = append(opts, WithUserAgent(tt.ua))
			}
			c, err := NewClient(testHash, testToken, opts...)
			if err != nil {
				t.Fatal(err)
			}
			h, err := c.Webhooks.Get(context.Background(), 5)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "id", h.ID, int64(5))
			eq(t, "hits", hits.Load(), int32(1))
		})
	}
}

func TestTokenNeverShown(t *testing.T) {
	t.Parallel()
	synctest.Test(t, tokenNeverShown)
}

func tokenNeverShown(t *testing.T) {
	var logs syncBuffer
	// The server echoes the token back, as a careless proxy might.
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v2/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("X-Auth-Token")
		switch r.PathValue("id") {
		case "1":
			jsonHandler(http.StatusUnauthorized, []byte(`[{"status":401,"message":"token `+tok+` is invalid"}]`))(w, r)
		case "2":
			jsonHandler(http.StatusUnprocessableEntity, []byte(`{"status":422,"title":"bad `+tok+`","errors":{"`+tok+`":"`+tok+`"}}`))(w, r)
		default:
			jsonHandler(http.StatusServiceUnavailable, []byte("down, token="+tok))(w, r)
		}
	})
	c := newMemClient(t, mux, WithLogger(debugLogger(&logs)))
	var texts []string
	for _, id := range []int64{1, 2, 3} {
		_, err := c.Orders.Get(context.Background(), id)
		if err == nil {
			t.Fatalf("order %d: want an error", id)
		}
		texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
	texts = append(texts, logs.String(), c.String(), c.GoString(),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", *c), fmt.Sprintf("%+v", *c))
	for _, s := range texts {
		if strings.Contains(s, testToken) {
			t.Errorf("token shown in %q", s)
		}
	}
	if !strings.Contains(logs.String(), "bigcommerce: retrying") {
		t.Errorf("expected retry log lines, got %q", logs.String())
	}
	if !strings.Contains(texts[0], "[redacted]") {
		t.Errorf("echoed token not replaced: %s", texts[0])
	}
}

func TestRedirectToAnotherHostRefused(t *testing.T) {
	t.Parallel()
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "" {
			leaked.Store(true)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer other.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v2/orders/1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	})
	var hits atomic.Int32
	c := newServerClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	_, err := c.Orders.Get(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "refusing redirect") {
		t.Fatalf("err = %v", err)
	}
	if Retryable(err) {
		t.Error("a refused redirect must not be retryable")
	}
	eq(t, "attempts", hits.Load(), int32(1))
	if leaked.Load() {
		t.Fatal("token sent to another host")
	}
}

func TestHTTPClientNotModified(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	if _, err := NewClient(testHash, testToken, WithHTTPClient(hc)); err != nil {
		t.Fatal(err)
	}
	if hc.Transport != nil || hc.CheckRedirect != nil || hc.Jar != nil {
		t.Errorf("caller's client was modified: %+v", hc)
	}
}

func TestDecodeFailureNotRetried(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	var hits atomic.Int32
	mux.HandleFunc("GET "+storePath+"/v2/orders/1", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		jsonHandler(http.StatusOK, []byte(`{"id":1,"total_inc_tax":"lots"}`))(w, r)
	})
	c := newServerClient(t, mux)
	_, err := c.Orders.Get(context.Background(), 1)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "total_inc_tax" || !strings.Contains(err.Error(), `decoding response: field "total_inc_tax": invalid decimal "lots"`) {
		t.Fatalf("err = %v, want a *FieldError naming total_inc_tax", err)
	}
	if Retryable(err) || errors.Is(err, ErrUnavailable) {
		t.Error("a decode failure must not be retryable")
	}
	eq(t, "hits", hits.Load(), int32(1))
}

func TestStoreHash(t *testing.T) {
	t.Parallel()
	c, err := NewClient("Store42", testToken)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "StoreHash", c.StoreHash(), "Store42")
	eq(t, "String", c.String(), "bigcommerce.Client{store: Store42, base: https://api.bigcommerce.com/stores/Store42}")
}

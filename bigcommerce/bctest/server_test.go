package bctest_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithToken("right-token"))
	mustAddOrder(t, s, bctest.Order{ID: 1})
	tests := []struct {
		name, token string
		want        int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong", "wrong-token", http.StatusUnauthorized},
		{"prefix", "right-toke", http.StatusUnauthorized},
		{"right", "right-token", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := callWithToken(t, s, tc.token, http.MethodGet, "/v2/orders/1", nil)
			if r.status != tc.want {
				t.Fatalf("status = %d, want %d", r.status, tc.want)
			}
			if r.header.Get(bctest.HeaderRequestsQuota) != "150" {
				t.Errorf("quota header = %q", r.header.Get(bctest.HeaderRequestsQuota))
			}
			if tc.want == http.StatusUnauthorized {
				e := wantV3Error(t, r, http.StatusUnauthorized)
				if !strings.Contains(e.Title, "Unauthorized") {
					t.Errorf("title = %q", e.Title)
				}
			}
		})
	}
}

func TestUnrouted(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tests := []struct {
		name, method, url string
		want              int
		v2                bool
	}{
		{"unknown v2 path", http.MethodGet, s.StoreURL() + "/v2/products", http.StatusNotFound, true},
		{"unknown v3 path", http.MethodGet, s.StoreURL() + "/v3/catalog/brands", http.StatusNotFound, false},
		{"other store", http.MethodGet, s.URL() + "/stores/zzz999/v2/orders", http.StatusNotFound, true},
		{"no base path", http.MethodGet, strings.TrimSuffix(s.URL(), "/api") + "/stores/" + s.StoreHash() + "/v2/orders", http.StatusNotFound, true},
		{"wrong method", http.MethodPost, s.StoreURL() + "/v2/orders/1", http.StatusMethodNotAllowed, true},
		{"wrong method v3", http.MethodPatch, s.StoreURL() + "/v3/hooks", http.StatusMethodNotAllowed, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Auth-Token", s.Token())
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.want)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type = %q", ct)
			}
		})
	}
	if got := s.Calls(bctest.RouteUnknown); got != len(tests) {
		t.Errorf("Calls(RouteUnknown) = %d, want %d", got, len(tests))
	}
}

func TestUnroutedShapes(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	wantV2Error(t, call(t, s, http.MethodGet, "/v2/nothing", nil), http.StatusNotFound)
	wantV3Error(t, call(t, s, http.MethodGet, "/v3/nothing", nil), http.StatusNotFound)
}

func TestNewServerRejectsBadOptions(t *testing.T) {
	t.Parallel()
	tests := map[string]bctest.Option{
		"store hash upper case": bctest.WithStoreHash("ABC"),
		"store hash empty":      bctest.WithStoreHash(""),
		"store id letters":      bctest.WithStoreID("12a"),
		"empty token":           bctest.WithToken(""),
		"empty client id":       bctest.WithClientID(""),
		"base path no slash":    bctest.WithBasePath("api"),
		"base path trailing":    bctest.WithBasePath("/api/"),
		"zero quota":            bctest.WithRateLimit(0, time.Second),
		"tiny window":           bctest.WithRateLimit(1, time.Microsecond),
		"nil http client":       bctest.WithHTTPClient(nil),
	}
	for name, opt := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := bctest.NewServer(opt)
			if !errors.Is(err, bctest.ErrInvalid) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestSecretsStayOutOfStrings(t *testing.T) {
	t.Parallel()
	const token, secret = "tok-SECRET-123", "client-SECRET-456"
	s := newServer(t, bctest.WithToken(token), bctest.WithClientSecret(secret))
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, s)
		if strings.Contains(out, token) || strings.Contains(out, secret) {
			t.Errorf("%s of Server leaks a secret: %s", format, out)
		}
	}
	_, err := bctest.NewServer(bctest.WithRateLimit(-1, time.Second), bctest.WithToken(token))
	if err == nil || strings.Contains(err.Error(), token) {
		t.Errorf("option error = %v", err)
	}
}

func TestStatusLabel(t *testing.T) {
	t.Parallel()
	tests := map[int]string{-1: "", 0: "Incomplete", 7: "Awaiting Payment", 11: "Awaiting Fulfillment", 14: "Partially Refunded", 15: ""}
	for id, want := range tests {
		if got := bctest.StatusLabel(id); got != want {
			t.Errorf("StatusLabel(%d) = %q, want %q", id, got, want)
		}
	}
}

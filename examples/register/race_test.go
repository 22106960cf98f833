package main

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

// TestEnsureAdoptsHookCreatedConcurrently plays a second ensure that creates
// the hook between this run's lookup and its POST: BigCommerce then refuses
// the POST with 422, and ensure must adopt and update that hook instead of
// failing or creating another.
func TestEnsureAdoptsHookCreatedConcurrently(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	target, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/v3/hooks") {
			once.Do(func() {
				_, err := s.AddHook(bctest.Hook{Scope: orderScope, Destination: testDest, IsActive: false,
					Headers: map[string]string{defaultWebhookHeader: "the-other-run's-secret"}})
				if err != nil {
					t.Error(err)
				}
			})
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	r := runWith(t, storeEnv(s, map[string]string{envAPIURL: front.URL + target.Path}), "-scope", orderScope, "-destination", testDest)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "updated (re-enable, set the secret header as its only header): hook ") {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	hs := hooksFor(s, testDest)
	if len(hs) != 1 {
		t.Fatalf("%d hooks, want 1", len(hs))
	}
	if !hs[0].IsActive || !maps.Equal(hs[0].Headers, map[string]string{defaultWebhookHeader: testSecret}) {
		t.Errorf("adopted hook active=%t, header names %v; want active with this run's secret", hs[0].IsActive, slicesKeys(hs[0].Headers))
	}
	if n := s.Calls(bctest.RouteCreateHook); n != 1 {
		t.Errorf("%d POSTs, want the one refused", n)
	}
}

package main

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

const (
	testSecret = "s3cr3t-value-that-must-never-print"
	testDest   = "https://sync.example.com/webhooks/bigcommerce"
	orderScope = "store/order/created"
)

// newStore starts a fake store under a base path, so URL joining is tested.
func newStore(t *testing.T) *bctest.Server {
	t.Helper()
	s, err := bctest.NewServer(bctest.WithBasePath("/bc"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// storeEnv is a complete environment for s; extra entries override it, and
// an empty value removes a variable.
func storeEnv(s *bctest.Server, extra map[string]string) func(string) string {
	env := map[string]string{
		envStoreHash:     s.StoreHash(),
		envClientToken:   s.Token(),
		envAPIURL:        s.URL(),
		envWebhookSecret: testSecret,
	}
	maps.Copy(env, extra)
	return func(k string) string { return env[k] }
}

type result struct {
	code           int
	stdout, stderr string
}

func runWith(t *testing.T, env func(string) string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// hooksFor returns the stored hooks for a destination.
func hooksFor(s *bctest.Server, dest string) []bctest.Hook {
	var hs []bctest.Hook
	for _, h := range s.Hooks() {
		if h.Destination == dest {
			hs = append(hs, h)
		}
	}
	return hs
}

func TestEnsureCreatesOneHookWithHeader(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	r := runWith(t, storeEnv(s, nil), "-v", "-destination", testDest)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, testSecret) {
		t.Errorf("the secret was printed:\n%s%s", r.stdout, r.stderr)
	}
	hs := s.Hooks()
	if len(hs) != len(defaultScopes) {
		t.Fatalf("got %d hooks, want one per scope bc2sf syncs: %v", len(hs), hs)
	}
	var scopes []string
	for _, h := range hs {
		scopes = append(scopes, h.Scope)
		if h.Destination != testDest || !h.IsActive {
			t.Errorf("hook = %+v, want active -> %s", h, testDest)
		}
		want := map[string]string{defaultWebhookHeader: testSecret}
		if !maps.Equal(h.Headers, want) {
			t.Errorf("headers differ from the one secret header (names %v)", slicesKeys(h.Headers))
		}
	}
	want := []string{"store/customer/*", "store/order/*", "store/product/created", "store/product/updated"}
	if slices.Sort(scopes); !slices.Equal(scopes, want) {
		t.Errorf("scopes %v, want %v", scopes, want)
	}
	if n := strings.Count(r.stdout, "created hook "); n != len(want) {
		t.Errorf("stdout = %q, want a created line per scope", r.stdout)
	}
}

func slicesKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func TestEnsureIsIdempotent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		seed   *bctest.Hook // hook present before the run
		header string       // BIGCOMMERCE_WEBHOOK_HEADER
		want   string       // first word of the output
		writes int          // POST + PUT calls expected
	}{
		{name: "fresh store", want: "created", writes: 1},
		{name: "already up to date", seed: &bctest.Hook{IsActive: true, Headers: map[string]string{defaultWebhookHeader: testSecret}}, want: "exists"},
		{name: "disabled hook is re-enabled", seed: &bctest.Hook{IsActive: false, Headers: map[string]string{defaultWebhookHeader: testSecret}}, want: "updated", writes: 1},
		{name: "changed secret is updated", seed: &bctest.Hook{IsActive: true, Headers: map[string]string{defaultWebhookHeader: "old-secret"}}, want: "updated", writes: 1},
		{name: "no headers get the secret", seed: &bctest.Hook{IsActive: true}, want: "updated", writes: 1},
		{name: "foreign header is replaced", seed: &bctest.Hook{IsActive: true, Headers: map[string]string{"Authorization": "Basic x", defaultWebhookHeader: testSecret}}, want: "updated", writes: 1},
		{name: "custom header name", header: "X-Sync-Token", seed: &bctest.Hook{IsActive: true, Headers: map[string]string{defaultWebhookHeader: testSecret}}, want: "updated", writes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			var seedID int64
			if tt.seed != nil {
				seed := *tt.seed
				seed.Scope, seed.Destination = orderScope, testDest
				h, err := s.AddHook(seed)
				if err != nil {
					t.Fatal(err)
				}
				seedID = h.ID
			}
			// A hook elsewhere must survive untouched.
			other, err := s.AddHook(bctest.Hook{Scope: orderScope, Destination: "https://other.example.com/h", Headers: map[string]string{"X": "y"}})
			if err != nil {
				t.Fatal(err)
			}
			env := storeEnv(s, map[string]string{envWebhookHeader: tt.header})
			header := tt.header
			if header == "" {
				header = defaultWebhookHeader
			}

			r := runWith(t, env, "ensure", "-scope", orderScope, "-destination", testDest)
			if r.code != exitOK {
				t.Fatalf("exit %d, stderr: %s", r.code, r.stderr)
			}
			if got := strings.Fields(r.stdout); len(got) == 0 || got[0] != tt.want {
				t.Errorf("stdout = %q, want it to start with %q", r.stdout, tt.want)
			}
			if w := s.Calls(bctest.RouteCreateHook) + s.Calls(bctest.RouteUpdateHook); w != tt.writes {
				t.Errorf("first run made %d writes, want %d", w, tt.writes)
			}

			// A second run changes nothing and writes nothing.
			s.ResetCalls()
			r = runWith(t, env, "-scope", orderScope, "-destination", testDest)
			if r.code != exitOK || !strings.HasPrefix(r.stdout, "exists hook ") {
				t.Errorf("second run: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
			}
			if w := s.Calls(bctest.RouteCreateHook) + s.Calls(bctest.RouteUpdateHook); w != 0 {
				t.Errorf("second run made %d writes, want 0", w)
			}

			hs := hooksFor(s, testDest)
			if len(hs) != 1 {
				t.Fatalf("got %d hooks for the destination, want 1", len(hs))
			}
			h := hs[0]
			if seedID != 0 && h.ID != seedID {
				t.Errorf("hook id = %d, want the existing %d", h.ID, seedID)
			}
			if !h.IsActive || !maps.Equal(h.Headers, map[string]string{header: testSecret}) {
				t.Errorf("hook active=%t with header names %v, want active with only %s = the secret", h.IsActive, slicesKeys(h.Headers), header)
			}
			if got, _ := s.Hook(other.ID); !maps.Equal(got.Headers, other.Headers) || got.Destination != other.Destination {
				t.Errorf("hook of another destination changed: %+v", got)
			}
		})
	}
}

func TestEnsureSeveralScopes(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	env := storeEnv(s, nil)
	args := []string{"-scope", "store/order/created, store/order/updated", "-scope", "store/order/statusUpdated", "-scope", "store/order/updated", "-destination", testDest}
	for run := range 2 {
		r := runWith(t, env, args...)
		if r.code != exitOK {
			t.Fatalf("run %d: exit %d, stderr: %s", run, r.code, r.stderr)
		}
		if n := strings.Count(r.stdout, "\n"); n != 3 {
			t.Errorf("run %d: %d output lines, want 3:\n%s", run, n, r.stdout)
		}
	}
	got := map[string]int{}
	for _, h := range hooksFor(s, testDest) {
		got[h.Scope]++
	}
	want := map[string]int{"store/order/created": 1, "store/order/updated": 1, "store/order/statusUpdated": 1}
	if !maps.Equal(got, want) {
		t.Errorf("hooks per scope = %v, want %v", got, want)
	}
}

func TestListShowsHeaderNamesOnly(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	seeded := []bctest.Hook{
		{Scope: orderScope, Destination: testDest, IsActive: true, Headers: map[string]string{defaultWebhookHeader: testSecret}},
		{Scope: "store/order/updated", Destination: testDest, IsActive: false, Headers: map[string]string{"Authorization": "Basic " + testSecret}},
		{Scope: orderScope, Destination: "https://other.example.com/h"},
	}
	for _, h := range seeded {
		if _, err := s.AddHook(h); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		args      []string
		wantLines []string // space-separated cells each hook row must have, in order of rows
	}{
		{"all", []string{"list"}, []string{"1000 store/order/created true", "1001 store/order/updated false", "1002 store/order/created -"}},
		{"by destination", []string{"list", "-destination", testDest}, []string{"X-Webhook-Secret true", "false Authorization"}},
		{"by scope", []string{"list", "-scope", "store/order/updated"}, []string{"1001"}},
		{"verbose", []string{"list", "-v"}, []string{"1000", "1001", "1002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The secret is not needed to list, and must not leak even when set.
			r := runWith(t, storeEnv(s, nil), tt.args...)
			if r.code != exitOK {
				t.Fatalf("exit %d, stderr: %s", r.code, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, testSecret) {
				t.Fatalf("the secret was printed:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if len(lines) != 1+len(tt.wantLines) || !strings.HasPrefix(lines[0], "ID") {
				t.Fatalf("output:\n%s\nwant a header and %d rows", r.stdout, len(tt.wantLines))
			}
			for i, want := range tt.wantLines {
				cells := strings.Fields(lines[i+1])
				for _, w := range strings.Fields(want) {
					if !slices.Contains(cells, w) {
						t.Errorf("row %d = %q, want a cell %q", i, lines[i+1], w)
					}
				}
			}
		})
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantLeft []int64
	}{
		{"by id", []string{"delete", "-id", "1000"}, []int64{1001, 1002}},
		{"by ids", []string{"delete", "-id", "1000,1002"}, []int64{1001}},
		{"by destination", []string{"delete", "-destination", testDest}, []int64{1002}},
		{"by destination and scope", []string{"delete", "-destination", testDest, "-scope", "store/order/updated"}, []int64{1000, 1002}},
		{"nothing for destination", []string{"delete", "-destination", "https://nowhere.example.com/h"}, []int64{1000, 1001, 1002}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			for _, h := range []bctest.Hook{
				{Scope: orderScope, Destination: testDest, Headers: map[string]string{defaultWebhookHeader: testSecret}},
				{Scope: "store/order/updated", Destination: testDest},
				{Scope: orderScope, Destination: "https://other.example.com/h"},
			} {
				if _, err := s.AddHook(h); err != nil {
					t.Fatal(err)
				}
			}
			r := runWith(t, storeEnv(s, map[string]string{envWebhookSecret: ""}), tt.args...)
			if r.code != exitOK {
				t.Fatalf("exit %d, stderr: %s", r.code, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, testSecret) {
				t.Errorf("the secret was printed: %s", r.stdout)
			}
			var left []int64
			for _, h := range s.Hooks() {
				left = append(left, h.ID)
			}
			if !slices.Equal(left, tt.wantLeft) {
				t.Errorf("hooks left = %v, want %v", left, tt.wantLeft)
			}
		})
	}
}

func TestDeleteUnknownIDFails(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	r := runWith(t, storeEnv(s, nil), "delete", "-id", "4242")
	if r.code != exitFailed || !strings.Contains(r.stderr, "4242") {
		t.Errorf("exit %d, stderr %q; want %d naming the id", r.code, r.stderr, exitFailed)
	}
}

func TestMissingEnvironment(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tests := []struct {
		name  string
		unset []string
		args  []string
		want  []string // variables the message must name
	}{
		{"no store hash", []string{envStoreHash}, []string{"-destination", testDest}, []string{envStoreHash}},
		{"no token", []string{envClientToken}, []string{"list"}, []string{envClientToken}},
		{"no secret for ensure", []string{envWebhookSecret}, []string{"-destination", testDest}, []string{envWebhookSecret}},
		{"nothing at all", []string{envStoreHash, envClientToken, envWebhookSecret, envAPIURL}, []string{"ensure", "-destination", testDest}, []string{envStoreHash, envClientToken, envWebhookSecret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			unset := map[string]string{}
			for _, k := range tt.unset {
				unset[k] = ""
			}
			r := runWith(t, storeEnv(s, unset), tt.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d", r.code, exitUsage)
			}
			for _, name := range tt.want {
				if !strings.Contains(r.stderr, name) {
					t.Errorf("stderr %q does not name %s", r.stderr, name)
				}
			}
		})
	}
	if n := s.TotalCalls(); n != 0 {
		t.Errorf("%d API calls made without a complete configuration", n)
	}
}

func TestBadCommandLine(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	env := storeEnv(s, nil)
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"ensure without destination", []string{"ensure"}, "-destination"},
		{"http destination", []string{"-destination", "http://sync.example.com/h"}, "https"},
		{"https on another port", []string{"-destination", "https://sync.example.com:8443/h"}, "443"},
		{"relative destination", []string{"-destination", "/webhooks/bigcommerce"}, "absolute"},
		{"credentials in destination", []string{"-destination", "https://u:" + testSecret + "@sync.example.com/h"}, "password"},
		{"ftp destination", []string{"-destination", "ftp://sync.example.com/h"}, "https"},
		{"bad scope", []string{"-scope", "order created", "-destination", testDest}, "scope"},
		{"unknown command", []string{"remove"}, "unknown command"},
		{"delete without target", []string{"delete"}, "-id or -destination"},
		{"delete with both", []string{"delete", "-id", "1", "-destination", testDest}, "-id or -destination"},
		{"bad id", []string{"delete", "-id", "x1"}, "x1"},
		{"zero id", []string{"delete", "-id", "0"}, "positive"},
		{"id on ensure", []string{"-id", "4", "-destination", testDest}, "delete only"},
		{"stray argument", []string{"list", "extra"}, "extra"},
		{"unknown flag", []string{"-frobnicate"}, "frobnicate"},
		{"bad header name", []string{"-destination", testDest}, envWebhookHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := env
			if tt.name == "bad header name" {
				e = storeEnv(s, map[string]string{envWebhookHeader: "X Secret"})
			}
			r := runWith(t, e, tt.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.want)
			}
			if strings.Contains(r.stdout+r.stderr, testSecret) {
				t.Errorf("the secret was printed: %s", r.stderr)
			}
		})
	}
	if len(s.Hooks()) != 0 {
		t.Errorf("a rejected command line created hooks: %v", s.Hooks())
	}
}

func TestInsecureDestinationAllowsHTTP(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	dest := "http://127.0.0.1:8080/webhooks/bigcommerce"
	r := runWith(t, storeEnv(s, nil), "-insecure-destination", "-destination", dest)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if n := len(hooksFor(s, dest)); n != len(defaultScopes) {
		t.Errorf("%d hooks for %s, want %d", n, dest, len(defaultScopes))
	}
}

func TestAPIFailureExitsOneWithoutSecrets(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"wrong token", map[string]string{envClientToken: "wrong-token"}, []string{"-v", "-destination", testDest}},
		{"store hash the API does not know", map[string]string{envStoreHash: "zzz999"}, []string{"list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runWith(t, storeEnv(s, tt.env), tt.args...)
			if r.code != exitFailed {
				t.Errorf("exit %d, want %d (stderr %q)", r.code, exitFailed, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, testSecret) || strings.Contains(r.stderr, "wrong-token") {
				t.Errorf("a credential was printed: %s", r.stderr)
			}
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	t.Parallel()
	r := runWith(t, func(string) string { return "" }, "-h")
	if r.code != exitOK || !strings.Contains(r.stderr, "usage: register") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestEnsureDryRun: a dry run writes nothing and says what it would create
// or change; then a note names a hook a wildcard already covers.
func TestEnsureDryRun(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	old, err := s.AddHook(bctest.Hook{Scope: orderScope, Destination: testDest, IsActive: false, Headers: map[string]string{defaultWebhookHeader: "old"}})
	if err != nil {
		t.Fatal(err)
	}
	env := storeEnv(s, nil)
	r := runWith(t, env, "-dry-run", "-scope", orderScope+",store/order/*", "-destination", testDest)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"would update (re-enable, set the secret header as its only header): hook 1000: store/order/created",
		"would create hook store/order/* -> " + testDest,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, r.stdout)
		}
	}
	if w := s.Calls(bctest.RouteCreateHook) + s.Calls(bctest.RouteUpdateHook); w != 0 {
		t.Errorf("a dry run made %d writes", w)
	}
	if h, _ := s.Hook(old.ID); h.IsActive {
		t.Error("a dry run re-enabled the hook")
	}

	r = runWith(t, env, "-destination", testDest)
	if r.code != exitOK || !strings.Contains(r.stdout, "note: hook 1000 (store/order/created) duplicates the events of store/order/*; remove it with: register delete -id 1000") {
		t.Errorf("exit %d, stdout:\n%s", r.code, r.stdout)
	}
	for _, args := range [][]string{{"list", "-dry-run"}, {"delete", "-id", "1000", "-dry-run"}} {
		if r := runWith(t, env, args...); r.code != exitUsage || !strings.Contains(r.stderr, "-dry-run is for ensure only") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

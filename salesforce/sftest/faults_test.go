package sftest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestFaultsChangeNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault   Fault
		status  int
		code    string
		message string
	}{
		{Fault{Status: 503}, 503, "SERVER_UNAVAILABLE", "Server too busy"},
		{Fault{Status: 400, Code: "UNABLE_TO_LOCK_ROW"}, 400, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record"},
		{Fault{Status: 403}, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."},
		{Fault{Status: 403, Message: "ConcurrentPerOrgLongTxn Limit exceeded."}, 403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."},
		{Fault{Status: 429}, 429, "REQUEST_LIMIT_EXCEEDED", "Too many requests"},
		{Fault{Status: 500}, 500, "UNKNOWN_EXCEPTION", ""},
		{Fault{Status: 502, Code: "BAD_GATEWAY", RetryAfter: 1500 * time.Millisecond}, 502, "BAD_GATEWAY", "BAD_GATEWAY"},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			srv, c := newOrg(t)
			if err := srv.FailNext(2, tc.fault); err != nil {
				t.Fatal(err)
			}
			writes := []struct {
				method, path string
				body         any
			}{
				{"PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k", map[string]any{"Name": "A"}},
				{"POST", "composite/graph", map[string]any{"graphs": []any{map[string]any{"graphId": "g",
					"compositeRequest": []any{sub("POST", "sobjects/Account", "a", map[string]any{"Name": "B"})}}}}},
			}
			for _, w := range writes {
				r := c.do(w.method, w.path, w.body)
				var body []apiError
				if err := json.Unmarshal(r.raw, &body); err != nil || r.status != tc.status || len(body) != 1 ||
					body[0].ErrorCode != tc.code || (tc.message != "" && body[0].Message != tc.message) {
					t.Fatalf("%s %s: %d %s", w.method, w.path, r.status, r.raw)
				}
				wantRetry := map[int]string{429: "1", 502: "2"}[tc.status]
				if got := r.header.Get("Retry-After"); got != wantRetry {
					t.Errorf("Retry-After %q, want %q", got, wantRetry)
				}
				if r.header.Get("Sforce-Limit-Info") != "api-usage=0/100000" {
					t.Errorf("Sforce-Limit-Info %q", r.header.Get("Sforce-Limit-Info"))
				}
			}
			if n := len(srv.Records("Account")); n != 0 {
				t.Fatalf("faulted calls wrote %d records", n)
			}
			if used, _ := srv.DailyUsage(); used != 0 || srv.TotalCalls() != 2 || srv.FaultsInjected() != 2 ||
				srv.Calls(RouteUpsert) != 1 || srv.Calls(RouteGraph) != 1 {
				t.Errorf("usage %d, TotalCalls %d, FaultsInjected %d, upserts %d, graphs %d",
					used, srv.TotalCalls(), srv.FaultsInjected(), srv.Calls(RouteUpsert), srv.Calls(RouteGraph))
			}
			c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k", map[string]any{"Name": "A"}), 201)
		})
	}
}

func TestFailNextByRoute(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	if err := srv.FailNext(1, Fault{Route: RouteUpsert, Status: 400, Code: "UNABLE_TO_LOCK_ROW"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.FailNext(1, Fault{Status: 503}); err != nil {
		t.Fatal(err)
	}
	// The upsert script is older, so the first upsert takes it; the limits
	// call takes the any-route script.
	if r := c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k", map[string]any{"Name": "A"}); r.status != 400 || r.errorCode(t) != "UNABLE_TO_LOCK_ROW" {
		t.Fatalf("matching call: %d %s", r.status, r.raw)
	}
	if r := c.do("GET", "limits", nil); r.status != 503 {
		t.Fatalf("any-route script: %d %s", r.status, r.raw)
	}
	c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k", map[string]any{"Name": "A"}), 201)
	c.mustStatus(c.do("GET", "limits", nil), 200)
	if srv.Calls(RouteUpsert) != 2 || srv.Calls(RouteLimits) != 2 || srv.TotalCalls() != 4 || srv.FaultsInjected() != 2 {
		t.Errorf("upserts %d, limits %d, total %d, faults %d", srv.Calls(RouteUpsert), srv.Calls(RouteLimits), srv.TotalCalls(), srv.FaultsInjected())
	}
	srv.ResetCalls()
	if srv.TotalCalls() != 0 || srv.Calls(RouteUpsert) != 0 || srv.FaultsInjected() != 0 || srv.TokenRequests() != 0 {
		t.Error("ResetCalls left counts")
	}
}

func TestInvalidFaults(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := map[string]func() error{
		"zero count":       func() error { return srv.FailNext(0, Fault{Status: 503}) },
		"status 404":       func() error { return srv.FailNext(1, Fault{Status: 404}) },
		"status 600":       func() error { return srv.FailNext(1, Fault{Status: 600}) },
		"400 without code": func() error { return srv.FailNext(1, Fault{Status: 400}) },
		"nothing":          func() error { return srv.FailNext(1, Fault{}) },
		"neg delay":        func() error { return srv.FailNext(1, Fault{Delay: -1}) },
		"unknown route":    func() error { return srv.FailNext(1, Fault{Route: "PUT /limits", Status: 503}) },
		"fraction above 1": func() error { return srv.FailRandomly(1.5, Fault{Status: 503}) },
		"fraction NaN":     func() error { return srv.FailRandomly(math.NaN(), Fault{Status: 503}) },
		"bad random":       func() error { return srv.FailRandomly(0.5, Fault{Status: 200}) },
	}
	for name, f := range tests {
		if err := f(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestFailRandomlyIsSeeded(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) []int {
		srv, c := newOrg(t, WithSeed(seed))
		if err := srv.FailRandomly(0.5, Fault{Route: RouteLimits, Status: 503}); err != nil {
			t.Fatal(err)
		}
		var statuses []int
		for i := 0; i < 40; i++ {
			statuses = append(statuses, c.do("GET", "limits", nil).status)
			if r := c.do("GET", "sobjects", nil); r.status != 200 {
				t.Fatalf("other route failed: %d", r.status)
			}
		}
		return statuses
	}
	a, b := run(42), run(42)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	failed := 0
	for _, st := range a {
		if st == 503 {
			failed++
		}
	}
	if failed == 0 || failed == len(a) {
		t.Errorf("fraction 0.5 failed %d of %d calls", failed, len(a))
	}
	if c := run(43); slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 failed the same calls")
	}
}

func TestClearFaults(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	_ = srv.FailNext(5, Fault{Status: 503})
	_ = srv.FailRandomly(1, Fault{Status: 503})
	srv.ExpireTokensAfter(1)
	srv.ClearFaults()
	c.mustStatus(c.do("GET", "limits", nil), 200)
	c.mustStatus(c.do("GET", "limits", nil), 200)
	_ = srv.FailRandomly(1, Fault{Status: 503})
	_ = srv.FailRandomly(0, Fault{Status: 503})
	c.mustStatus(c.do("GET", "limits", nil), 200)
}

func TestDailyLimitAndHeader(t *testing.T) {
	t.Parallel()
	synctest.Test(t, dailyLimitAndHeader)
}

func dailyLimitAndHeader(t *testing.T) {
	srv, c := newMemOrg(t, WithDailyLimit(3))
	for i := 1; i <= 3; i++ {
		r := c.mustStatus(c.do("GET", "limits", nil), 200)
		if got, want := r.header.Get("Sforce-Limit-Info"), fmt.Sprintf("api-usage=%d/3", i); got != want {
			t.Errorf("call %d: header %q, want %q", i, got, want)
		}
		var lim struct{ DailyApiRequests struct{ Max, Remaining int } }
		if err := json.Unmarshal(r.raw, &lim); err != nil || lim.DailyApiRequests.Max != 3 || lim.DailyApiRequests.Remaining != 3-i {
			t.Errorf("call %d: limits %s", i, r.raw)
		}
	}
	r := c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k", map[string]any{"Name": "A"})
	var body []apiError
	if err := json.Unmarshal(r.raw, &body); err != nil || r.status != 403 || body[0].ErrorCode != "REQUEST_LIMIT_EXCEEDED" ||
		body[0].Message != "TotalRequests Limit exceeded." {
		t.Fatalf("over the limit: %d %s", r.status, r.raw)
	}
	if len(srv.Records("Account")) != 0 {
		t.Error("call over the limit wrote")
	}
	time.Sleep(24*time.Hour - time.Second)
	c.token = c.fetchToken() // the session has timed out by now
	if r := c.do("GET", "limits", nil); r.status != 403 {
		t.Errorf("a second before the window ends: %d", r.status)
	}
	time.Sleep(time.Second)
	c.mustStatus(c.do("GET", "limits", nil), 200)
	if used, max := srv.DailyUsage(); used != 1 || max != 3 {
		t.Errorf("new window: used %d of %d", used, max)
	}
	srv.SetDailyUsage(3)
	if r := c.do("GET", "limits", nil); r.status != 403 {
		t.Errorf("SetDailyUsage(3): %d", r.status)
	}
}

func TestConcurrentUpsertsKeepOneRecord(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	const n = 50
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			statuses[i] = c.do("PATCH", "sobjects/Contact/BigCommerce_Customer_Key__c/same@example.com",
				map[string]any{"LastName": fmt.Sprint("L", i)}).status
		}(i)
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case 201:
			created++
		case 200:
		default:
			t.Fatalf("status %d", s)
		}
	}
	if created != 1 || len(srv.Records("Contact")) != 1 {
		t.Errorf("created %d times, %d records", created, len(srv.Records("Contact")))
	}
	if srv.TotalCalls() != n || srv.Calls(RouteUpsert) != n {
		t.Errorf("calls %d, upserts %d", srv.TotalCalls(), srv.Calls(RouteUpsert))
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	synctest.Test(t, faultDelay)
}

// faultDelay runs in a bubble, in memory: the delay is spent on the
// bubble's clock, and synctest.Wait says when the fake is blocked in it.
func faultDelay(t *testing.T) {
	srv, c := newMemOrg(t)
	if err := srv.FailNext(1, Fault{Delay: time.Minute}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c.mustStatus(c.do("GET", "limits", nil), 200)
	if got := time.Since(start); got != time.Minute {
		t.Errorf("delayed call took %v, want 1m", got)
	}

	if err := srv.FailRandomly(1, Fault{Delay: time.Hour, Status: 503}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/services/data/v64.0/limits", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	done := make(chan error, 1)
	go func() {
		resp, err := c.hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	synctest.Wait() // the fake now waits out the hour
	if srv.Calls(RouteLimits) != 2 {
		t.Fatalf("Calls(RouteLimits) = %d while the request waits, want 2", srv.Calls(RouteLimits))
	}
	start = time.Now()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if waited := time.Since(start); waited != 0 {
		t.Errorf("the fake kept waiting %v after the cancel", waited)
	}
	srv.ClearFaults()
	c.mustStatus(c.do("GET", "limits", nil), 200)
	if used, _ := srv.DailyUsage(); used != 2 {
		t.Errorf("DailyUsage %d: the cancelled call used allowance", used)
	}
}

// graphsOf builds a Composite Graph call of n graphs, each creating one
// Account and a Contact under it.
func graphsOf(n int, prefix string) map[string]any {
	var graphs []any
	for i := range n {
		graphs = append(graphs, map[string]any{"graphId": fmt.Sprintf("g%d", i), "compositeRequest": []any{
			sub("POST", "sobjects/Account", "acc", map[string]any{"Name": fmt.Sprintf("%s %d", prefix, i)}),
			sub("POST", "sobjects/Contact", "con", map[string]any{"LastName": "L", "AccountId": "@{acc.id}"}),
		}})
	}
	return map[string]any{"graphs": graphs}
}

type graphReply struct {
	Graphs []struct {
		GraphID       string `json:"graphId"`
		IsSuccessful  bool   `json:"isSuccessful"`
		GraphResponse struct {
			CompositeResponse []struct {
				Body           json.RawMessage `json:"body"` // an object, or the errors
				HTTPStatusCode int             `json:"httpStatusCode"`
			} `json:"compositeResponse"`
		} `json:"graphResponse"`
	} `json:"graphs"`
}

func TestFailGraphNodesRandomly(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) ([]bool, *Server) {
		srv, c := newOrg(t, WithSeed(seed))
		if err := srv.FailGraphNodesRandomly(0.3, ""); err != nil {
			t.Fatal(err)
		}
		r := c.mustStatus(c.do("POST", "composite/graph", graphsOf(40, "seed")), 200)
		var reply graphReply
		if err := json.Unmarshal(r.raw, &reply); err != nil || len(reply.Graphs) != 40 {
			t.Fatalf("reply %s: %v", r.raw, err)
		}
		var ok []bool
		failed := 0
		for _, g := range reply.Graphs {
			ok = append(ok, g.IsSuccessful)
			if g.IsSuccessful {
				continue
			}
			failed++
			// The failed node says why; the other is halted.
			codes := map[string]int{}
			for _, n := range g.GraphResponse.CompositeResponse {
				var errs []apiError
				if err := json.Unmarshal(n.Body, &errs); err != nil || n.HTTPStatusCode != 400 || len(errs) != 1 {
					t.Fatalf("graph %s node %d %s", g.GraphID, n.HTTPStatusCode, n.Body)
				}
				codes[errs[0].ErrorCode]++
			}
			if failed > 15 {
				// More than 14 graphs failed before it: not processed.
				if codes["PROCESSING_HALTED"] != 2 {
					t.Errorf("graph %s after %d failed graphs: codes %v, want both nodes halted", g.GraphID, failed-1, codes)
				}
				continue
			}
			if codes["UNABLE_TO_LOCK_ROW"] != 1 || codes["PROCESSING_HALTED"] != 1 {
				t.Errorf("graph %s: codes %v, want one UNABLE_TO_LOCK_ROW and one PROCESSING_HALTED", g.GraphID, codes)
			}
		}
		return ok, srv
	}
	a, srv := run(5)
	written := 0
	for _, ok := range a {
		if ok {
			written++
		}
	}
	if written == 0 || written == len(a) {
		t.Fatalf("%d of %d graphs written with 30%% of the nodes failing", written, len(a))
	}
	// A failed graph leaves nothing behind; the others are written.
	if n := len(srv.Records("Contact")); n != written {
		t.Errorf("%d contacts for %d graphs written", n, written)
	}
	// Each failed graph that ran had one injected fault; past 15 failed
	// graphs the rest halted without running.
	if n, want := srv.FaultsInjected(), min(len(a)-written, 15); n != want {
		t.Errorf("FaultsInjected %d, want one per failed graph that ran (%d)", n, want)
	}
	if b, _ := run(5); !slices.Equal(a, b) {
		t.Errorf("same seed, different nodes failed:\n%v\n%v", a, b)
	}
}

func TestFailGraphNodesRandomlyOffAndInvalid(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	for _, bad := range []struct {
		fraction float64
		code     string
	}{{-0.1, ""}, {1.5, ""}, {math.NaN(), ""}, {0.5, "lower_case"}, {0.5, "BAD CODE"}} {
		if err := srv.FailGraphNodesRandomly(bad.fraction, bad.code); !errors.Is(err, ErrInvalid) {
			t.Errorf("FailGraphNodesRandomly(%v, %q) = %v, want ErrInvalid", bad.fraction, bad.code, err)
		}
	}
	if err := srv.FailGraphNodesRandomly(1, "SERVER_UNAVAILABLE"); err != nil {
		t.Fatal(err)
	}
	var reply graphReply
	r := c.mustStatus(c.do("POST", "composite/graph", graphsOf(2, "all")), 200)
	if err := json.Unmarshal(r.raw, &reply); err != nil {
		t.Fatal(err)
	}
	for _, g := range reply.Graphs {
		var errs []apiError
		_ = json.Unmarshal(g.GraphResponse.CompositeResponse[0].Body, &errs)
		if g.IsSuccessful || len(errs) != 1 || errs[0].ErrorCode != "SERVER_UNAVAILABLE" {
			t.Errorf("graph %s with every node failing: %+v", g.GraphID, g)
		}
	}
	// Plain calls are never failed by it, and 0 (or ClearFaults) turns it off.
	c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k", map[string]any{"Name": "A"}), 201)
	for _, off := range []func(){
		func() { _ = srv.FailGraphNodesRandomly(0, "") },
		srv.ClearFaults,
	} {
		_ = srv.FailGraphNodesRandomly(1, "")
		off()
		r := c.mustStatus(c.do("POST", "composite/graph", graphsOf(1, "off")), 200)
		reply = graphReply{}
		if err := json.Unmarshal(r.raw, &reply); err != nil || !reply.Graphs[0].IsSuccessful {
			t.Errorf("graph failed after the node faults were turned off: %s", r.raw)
		}
	}
}

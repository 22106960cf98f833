package sftest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestFaultsChangeNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault  Fault
		status int
		code   string
	}{
		{FaultServerUnavailable, 503, "SERVER_UNAVAILABLE"},
		{FaultUnableToLockRow, 400, "UNABLE_TO_LOCK_ROW"},
		{FaultRequestLimitExceeded, 403, "REQUEST_LIMIT_EXCEEDED"},
		{FaultConcurrentLimit, 403, "REQUEST_LIMIT_EXCEEDED"},
		{FaultTooManyRequests, 429, "REQUEST_LIMIT_EXCEEDED"},
		{FaultInternalError, 500, "UNKNOWN_EXCEPTION"},
	}
	for _, tc := range tests {
		t.Run(tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			srv, c := newOrg(t)
			srv.FailNext(tc.fault, 2)
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
				if r.status != tc.status || r.errorCode(t) != tc.code {
					t.Fatalf("%s %s: %d %s", w.method, w.path, r.status, r.raw)
				}
				if tc.fault == FaultTooManyRequests && r.header.Get("Retry-After") != "1" {
					t.Errorf("429 without Retry-After")
				}
			}
			if n := len(srv.Records("Account")); n != 0 {
				t.Fatalf("faulted calls wrote %d records", n)
			}
			if srv.APICalls() != 0 || srv.FaultsInjected() != 2 {
				t.Errorf("APICalls %d, FaultsInjected %d", srv.APICalls(), srv.FaultsInjected())
			}
			c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k", map[string]any{"Name": "A"}), 201)
		})
	}
}

func TestFailMatching(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	if err := srv.FailMatching(FaultServerUnavailable, 1, "("); err == nil {
		t.Error("bad pattern accepted")
	}
	if err := srv.FailMatching(FaultUnableToLockRow, 1, `^PATCH /services/data/v[0-9.]+/sobjects/Order/`); err != nil {
		t.Fatal(err)
	}
	c.mustStatus(c.do("PATCH", "sobjects/Account/BigCommerce_Customer_Key__c/k", map[string]any{"Name": "A"}), 201)
	acct, _ := srv.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "k")
	order := map[string]any{"AccountId": acct["Id"], "EffectiveDate": "2026-01-01", "Status": "Draft"}
	if r := c.do("PATCH", "sobjects/Order/BigCommerce_Order_Id__c/1", order); r.status != 400 || r.errorCode(t) != "UNABLE_TO_LOCK_ROW" {
		t.Fatalf("matching call: %d %s", r.status, r.raw)
	}
	c.mustStatus(c.do("PATCH", "sobjects/Order/BigCommerce_Order_Id__c/1", order), 201)
}

func TestFailFractionIsSeeded(t *testing.T) {
	t.Parallel()
	run := func() []int {
		srv, c := newOrg(t)
		srv.FailFraction(FaultServerUnavailable, 0.5, 42)
		var statuses []int
		for i := 0; i < 40; i++ {
			statuses = append(statuses, c.do("GET", "limits", nil).status)
		}
		return statuses
	}
	a, b := run(), run()
	failed := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different outcome at call %d", i)
		}
		if a[i] == 503 {
			failed++
		}
	}
	if failed == 0 || failed == len(a) {
		t.Errorf("fraction 0.5 failed %d of %d calls", failed, len(a))
	}
}

func TestDailyLimitAndHeader(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	srv, c := newOrg(t, WithDailyLimit(3), WithClock(clock.Now))
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
	clock.Advance(24 * time.Hour)
	c.token = fetchToken(t, srv)
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
	if srv.APICalls() != n || srv.CallsByPath()["PATCH /services/data/v64.0/sobjects/Contact/BigCommerce_Customer_Key__c/same@example.com"] != n {
		t.Errorf("calls %d, by path %v", srv.APICalls(), srv.CallsByPath())
	}
}

func TestLatencyHonoursCancel(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	srv.SetLatency(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL()+"/services/data/v64.0/limits", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	cancel()
	if err := <-done; err == nil {
		t.Error("request finished despite an hour of latency")
	}
	srv.ClearFaults()
	c.mustStatus(c.do("GET", "limits", nil), 200)
	if srv.APICalls() != 1 {
		t.Errorf("cancelled call counted: %d", srv.APICalls())
	}
}

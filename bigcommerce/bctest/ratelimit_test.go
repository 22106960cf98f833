package bctest_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

func TestRateLimitWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, rateLimitWindow)
}

func rateLimitWindow(t *testing.T) {
	s := newServer(t, bctest.WithRateLimit(3, 30*time.Second))
	type want struct {
		status         int
		left, resetMs  string
		retryAfter     string
		advanceBefore  time.Duration
		unauthenticate bool
	}
	steps := []want{
		{status: 200, left: "2", resetMs: "30000"},
		{status: 200, left: "1", resetMs: "20000", advanceBefore: 10 * time.Second},
		{status: 401, left: "1", resetMs: "20000", unauthenticate: true}, // a 401 spends nothing
		{status: 200, left: "0", resetMs: "19500", advanceBefore: 500 * time.Millisecond},
		{status: 429, left: "0", resetMs: "19500", retryAfter: "20"},
		{status: 429, left: "0", resetMs: "1", retryAfter: "1", advanceBefore: 19499 * time.Millisecond},
		{status: 200, left: "2", resetMs: "30000", advanceBefore: time.Millisecond}, // a new window
	}
	for i, st := range steps {
		time.Sleep(st.advanceBefore)
		token := s.Token()
		if st.unauthenticate {
			token = "wrong"
		}
		r := memCall(t, s, token, http.MethodGet, "/v3/hooks", nil)
		h := r.header
		if r.status != st.status || h.Get(bctest.HeaderRequestsLeft) != st.left || h.Get(bctest.HeaderResetMs) != st.resetMs ||
			h.Get(bctest.HeaderRetryAfter) != st.retryAfter || h.Get(bctest.HeaderWindowMs) != "30000" || h.Get(bctest.HeaderRequestsQuota) != "3" {
			t.Fatalf("step %d: status %d left %q reset %q retry %q window %q quota %q; want %+v", i, r.status,
				h.Get(bctest.HeaderRequestsLeft), h.Get(bctest.HeaderResetMs), h.Get(bctest.HeaderRetryAfter),
				h.Get(bctest.HeaderWindowMs), h.Get(bctest.HeaderRequestsQuota), st)
		}
		if r.status == http.StatusTooManyRequests {
			wantV3Error(t, r, http.StatusTooManyRequests)
		}
	}
	if got := s.RequestsLeft(); got != 2 {
		t.Errorf("RequestsLeft = %d, want 2", got)
	}
	time.Sleep(time.Hour) // past the window: a fresh one opens
	if got := s.RequestsLeft(); got != 3 {
		t.Errorf("RequestsLeft an hour later = %d, want 3", got)
	}
	memCall(t, s, s.Token(), http.MethodGet, "/v3/hooks", nil)
	if got := s.RequestsLeft(); got != 2 {
		t.Errorf("RequestsLeft after a call = %d, want 2", got)
	}
	s.ResetRateLimit()
	if got := s.RequestsLeft(); got != 3 {
		t.Errorf("RequestsLeft after reset = %d, want 3", got)
	}
	if got := s.TotalCalls(); got != len(steps)+1 {
		t.Errorf("TotalCalls = %d, want %d (429s and 401s count)", got, len(steps)+1)
	}
}

func TestDefaultRateLimitCountsDown(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for i := range 3 {
		r := call(t, s, http.MethodGet, "/v2/orders", nil)
		if got, want := r.header.Get(bctest.HeaderRequestsLeft), []string{"149", "148", "147"}[i]; got != want {
			t.Errorf("call %d: left = %q, want %q", i, got, want)
		}
		if r.status != http.StatusNoContent {
			t.Errorf("call %d: status = %d", i, r.status)
		}
	}
}

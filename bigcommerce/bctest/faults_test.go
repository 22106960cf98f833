package bctest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce/bctest"
)

func TestFailNext(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	o := mustAddOrder(t, s, bctest.Order{})
	orderPath := fmt.Sprintf("/v2/orders/%d", o.ID)
	if err := s.FailNext(2, bctest.Fault{Route: bctest.RouteGetOrder, Status: http.StatusServiceUnavailable}); err != nil {
		t.Fatal(err)
	}
	if err := s.FailNext(1, bctest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 2500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	// The any-route 429 script is the first match for the hooks call.
	r := call(t, s, http.MethodGet, "/v3/hooks", nil)
	if r.status != http.StatusTooManyRequests || r.header.Get(bctest.HeaderRetryAfter) != "3" ||
		r.header.Get(bctest.HeaderResetMs) != "2500" || r.header.Get(bctest.HeaderRequestsLeft) != "0" {
		t.Errorf("injected 429: %d %v", r.status, r.header)
	}
	var statuses []int
	for range 3 {
		statuses = append(statuses, call(t, s, http.MethodGet, orderPath, nil).status)
	}
	if want := []int{503, 503, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
	if got := s.Calls(bctest.RouteGetOrder); got != 3 {
		t.Errorf("Calls(GetOrder) = %d, want 3", got)
	}
	if got := s.Calls(bctest.RouteListHooks); got != 1 {
		t.Errorf("Calls(ListHooks) = %d, want 1", got)
	}
	if got := s.TotalCalls(); got != 4 {
		t.Errorf("TotalCalls = %d, want 4", got)
	}
	// Faulted calls do not spend the quota: only the one 200 did.
	if got := s.RequestsLeft(); got != bctest.DefaultQuota-1 {
		t.Errorf("RequestsLeft = %d, want %d", got, bctest.DefaultQuota-1)
	}
	if got := s.FaultsInjected(); got != 3 {
		t.Errorf("FaultsInjected = %d, want 3", got)
	}
	s.ResetCalls()
	if s.TotalCalls() != 0 || s.Calls(bctest.RouteGetOrder) != 0 || s.FaultsInjected() != 0 {
		t.Error("ResetCalls left counts")
	}
}

func TestFaultShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		title  string
	}{
		{500, "Internal Server Error"},
		{502, "Bad Gateway"},
		{504, "Gateway Timeout"},
		{599, "Server Error"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			if err := s.FailNext(1, bctest.Fault{Status: tc.status}); err != nil {
				t.Fatal(err)
			}
			r := call(t, s, http.MethodGet, "/v2/orders", nil)
			if e := wantV3Error(t, r, tc.status); e.Title != tc.title {
				t.Errorf("title = %q, want %q", e.Title, tc.title)
			}
			if r.header.Get(bctest.HeaderRequestsQuota) == "" || r.header.Get(bctest.HeaderRetryAfter) != "" {
				t.Errorf("fault headers = %v", r.header)
			}
		})
	}
}

func TestFault5xxRetryAfter(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	if err := s.FailNext(1, bctest.Fault{Status: 503, RetryAfter: 1500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	r := call(t, s, http.MethodGet, "/v3/hooks", nil)
	if r.status != 503 || r.header.Get(bctest.HeaderRetryAfter) != "2" {
		t.Errorf("status %d, X-Retry-After %q", r.status, r.header.Get(bctest.HeaderRetryAfter))
	}
}

func TestFaultWithoutRateHeaders(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	if err := s.FailNext(1, bctest.Fault{Status: 429, NoRateHeaders: true}); err != nil {
		t.Fatal(err)
	}
	r := call(t, s, http.MethodGet, "/v3/hooks", nil)
	wantV3Error(t, r, http.StatusTooManyRequests)
	for _, h := range []string{bctest.HeaderRequestsLeft, bctest.HeaderResetMs, bctest.HeaderRetryAfter, bctest.HeaderWindowMs} {
		if v := r.header.Get(h); v != "" {
			t.Errorf("%s = %q, want none", h, v)
		}
	}
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	synctest.Test(t, faultDelay)
}

// faultDelay runs in a bubble, in memory: the delay is spent on the
// bubble's clock, and synctest.Wait says when the fake is blocked in it.
func faultDelay(t *testing.T) {
	s := newServer(t)
	if err := s.FailNext(1, bctest.Fault{Delay: time.Minute}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if r := memCall(t, s, s.Token(), http.MethodGet, "/v3/hooks", nil); r.status != http.StatusOK {
		t.Errorf("delayed call: status %d, want 200", r.status)
	}
	if got := time.Since(start); got != time.Minute {
		t.Errorf("delayed call took %v, want 1m", got)
	}

	// A client that gives up gets its error; the server stops waiting.
	if err := s.FailNext(1, bctest.Fault{Delay: time.Hour, Status: 500}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://store.example"+basePath+"/stores/"+s.StoreHash()+"/v3/hooks", nil)
	req.Header.Set("X-Auth-Token", s.Token())
	done := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Transport: s.Transport()}).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	synctest.Wait() // the fake now waits out the hour
	if got := s.Calls(bctest.RouteListHooks); got != 2 {
		t.Fatalf("Calls(ListHooks) = %d while the request waits, want 2", got)
	}
	select {
	case err := <-done:
		t.Fatalf("request ended before its delay or a cancel: %v", err)
	default:
	}
	start = time.Now()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if waited := time.Since(start); waited != 0 {
		t.Errorf("the fake kept waiting %v after the cancel", waited)
	}
	if got := s.FaultsInjected(); got != 2 {
		t.Errorf("FaultsInjected = %d, want 2", got)
	}
}

func TestFailRandomlyIsReproducible(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) []int {
		s := newServer(t, bctest.WithSeed(seed))
		if err := s.FailRandomly(0.5, bctest.Fault{Route: bctest.RouteListOrders, Status: http.StatusBadGateway}); err != nil {
			t.Fatal(err)
		}
		var statuses []int
		for range 40 {
			statuses = append(statuses, call(t, s, http.MethodGet, "/v2/orders", nil).status)
			if r := call(t, s, http.MethodGet, "/v3/hooks", nil); r.status != http.StatusOK {
				t.Fatalf("other route failed: %d", r.status)
			}
		}
		return statuses
	}
	a, b := run(7), run(7)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	failed := 0
	for _, st := range a {
		if st == http.StatusBadGateway {
			failed++
		} else if st != http.StatusNoContent {
			t.Fatalf("unexpected status %d", st)
		}
	}
	if failed == 0 || failed == len(a) {
		t.Errorf("%d of %d failed at rate 0.5", failed, len(a))
	}
	if c := run(8); slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 failed the same calls")
	}
}

func TestClearFaults(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	_ = s.FailNext(5, bctest.Fault{Status: 500})
	_ = s.FailRandomly(1, bctest.Fault{Status: 500})
	s.ClearFaults()
	if r := call(t, s, http.MethodGet, "/v3/hooks", nil); r.status != http.StatusOK {
		t.Errorf("status after ClearFaults = %d", r.status)
	}
	_ = s.FailRandomly(1, bctest.Fault{Status: 500})
	_ = s.FailRandomly(0, bctest.Fault{Status: 500})
	if r := call(t, s, http.MethodGet, "/v3/hooks", nil); r.status != http.StatusOK {
		t.Errorf("status after rate 0 = %d", r.status)
	}
}

func TestInvalidFaults(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tests := map[string]func() error{
		"zero count":   func() error { return s.FailNext(0, bctest.Fault{Status: 500}) },
		"status 404":   func() error { return s.FailNext(1, bctest.Fault{Status: 404}) },
		"status 600":   func() error { return s.FailNext(1, bctest.Fault{Status: 600}) },
		"nothing":      func() error { return s.FailNext(1, bctest.Fault{}) },
		"neg delay":    func() error { return s.FailNext(1, bctest.Fault{Delay: -1}) },
		"rate above 1": func() error { return s.FailRandomly(1.5, bctest.Fault{Status: 500}) },
		"rate NaN":     func() error { return s.FailRandomly(nan(), bctest.Fault{Status: 500}) },
		"bad random":   func() error { return s.FailRandomly(0.5, bctest.Fault{Status: 200}) },
		"bad route":    func() error { return s.FailNext(1, bctest.Fault{Route: "GET /v2/nothing", Status: 500}) },
	}
	for name, f := range tests {
		if err := f(); !errors.Is(err, bctest.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

// TestConcurrentUse runs seeding, reads, API calls and fault scripts at
// once; run with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := newServer(t, bctest.WithRateLimit(1_000_000, time.Minute))
	const workers, perWorker = 8, 20
	_ = s.FailNext(10, bctest.Fault{Route: bctest.RouteListOrders, Status: 500})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				o, err := s.AddOrder(bctest.Order{TotalIncTax: "1.00", LineItems: []bctest.LineItem{{Name: "x", Quantity: 1}}})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.SetStatus(o.ID, (w+i)%15); err != nil {
					t.Error(err)
				}
				path := fmt.Sprintf("/v2/orders/%d?include=consignments.line_items&consignment_structure=object", o.ID)
				if r := call(t, s, http.MethodGet, path, nil); r.status != http.StatusOK {
					t.Errorf("get: %d", r.status)
				}
				call(t, s, http.MethodGet, "/v2/orders?limit=5", nil)
				_ = s.Orders()
			}
		})
	}
	wg.Wait()
	if got := len(s.Orders()); got != workers*perWorker {
		t.Errorf("%d orders, want %d", got, workers*perWorker)
	}
	if got := s.Calls(bctest.RouteGetOrder); got != workers*perWorker {
		t.Errorf("Calls(GetOrder) = %d, want %d", got, workers*perWorker)
	}
	if got := s.TotalCalls(); got != 2*workers*perWorker {
		t.Errorf("TotalCalls = %d, want %d", got, 2*workers*perWorker)
	}
}

package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
)

const orderURL = mockStore + "/v2/orders/218"

// respond builds a mock response with headers.
func respond(status int, body string, h http.Header) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	for k, v := range h {
		r.Header[k] = v
	}
	return r
}

func TestRateLimited429WaitedOutAndRetriedOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, mt, clk := newMockClient(t)
		mt.RegisterResponder(http.MethodGet, orderURL, httpmock.ResponderFromMultipleResponses([]*http.Response{
			respond(http.StatusTooManyRequests, "", rateHeaders(0, 200)),
			respond(http.StatusOK, `{"id":218}`, rateHeaders(149, 29800)),
		}))
		o, err := c.Orders.Get(context.Background(), 218)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "id", o.ID, int64(218))
		eq(t, "calls", callCount(mt, "GET "+orderURL), 2)
		eq(t, "waits", fmt.Sprint(clk.Waits()), "[200ms]")
	})
}

func TestRateLimitedWaitsLongerOfResetAndRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		resetMs    int
		retryAfter string
		want       string
	}{
		{"retry-after longer", 200, "2", "[2s]"},
		{"reset longer", 4500, "1", "[4.5s]"},
		{"reset only", 750, "", "[750ms]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, mt, clk := newMockClient(t)
				h := rateHeaders(0, tt.resetMs)
				if tt.retryAfter != "" {
					h.Set("X-Retry-After", tt.retryAfter)
				}
				mt.RegisterResponder(http.MethodGet, orderURL, httpmock.ResponderFromMultipleResponses([]*http.Response{
					respond(http.StatusTooManyRequests, "", h),
					respond(http.StatusOK, `{"id":218}`, nil),
				}))
				if _, err := c.Orders.Get(context.Background(), 218); err != nil {
					t.Fatal(err)
				}
				eq(t, "waits", fmt.Sprint(clk.Waits()), tt.want)
				eq(t, "calls", mt.GetTotalCallCount(), 2)
			})
		})
	}
}

func TestRateLimitedWithoutHeadersBacksOffGrowing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		policy RetryPolicy
		want   string
	}{
		{"default", RetryPolicy{}, "[1s 2s 4s]"},
		{"twice InitialBackoff, capped by MaxBackoff", RetryPolicy{InitialBackoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}, "[200ms 300ms 300ms]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				c, mt, clk := newMockClient(t, WithRetry(tt.policy))
				mt.RegisterResponder(http.MethodGet, orderURL, httpmock.ResponderFromMultipleResponses([]*http.Response{
					respond(http.StatusTooManyRequests, "", nil),
					respond(http.StatusTooManyRequests, "", nil),
					respond(http.StatusTooManyRequests, "", nil),
					respond(http.StatusOK, `{"id":218}`, nil),
				}))
				if _, err := c.Orders.Get(context.Background(), 218); err != nil {
					t.Fatal(err)
				}
				eq(t, "waits", fmt.Sprint(clk.Waits()), tt.want)
				eq(t, "calls", mt.GetTotalCallCount(), 4)
			})
		})
	}
}

// A 429 without rate-limit headers blocks the client for its backoff only,
// not until the end of a window an earlier response reported.
func TestBare429WaitsItsBackoffNotTheWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, mt, clk := newMockClient(t)
		mt.RegisterResponder(http.MethodGet, orderURL, httpmock.ResponderFromMultipleResponses([]*http.Response{
			respond(http.StatusOK, `{"id":218}`, rateHeaders(100, 30000)),
			respond(http.StatusTooManyRequests, "", nil),
			respond(http.StatusOK, `{"id":218}`, rateHeaders(99, 28000)),
		}))
		for range 2 {
			if _, err := c.Orders.Get(context.Background(), 218); err != nil {
				t.Fatal(err)
			}
		}
		eq(t, "waits", fmt.Sprint(clk.Waits()), "[0s 1s]")
	})
}

func TestRateLimitedDeadlineSoonerReturnsAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) { rateLimitedDeadlineSooner(t) })
}

func rateLimitedDeadlineSooner(t *testing.T) {
	start := time.Now()
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, orderURL,
		httpmock.ResponderFromResponse(respond(http.StatusTooManyRequests, `{"status":429,"title":"Too many requests"}`, rateHeaders(0, 5000))))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.Orders.Get(ctx, 218)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if d, ok := RetryAfter(err); !ok || d != 5*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 5s", d, ok)
	}
	if !Retryable(err) {
		t.Error("a 429 must be retryable by the caller")
	}
	eq(t, "calls", mt.GetTotalCallCount(), 1)
	eq(t, "time waited", time.Since(start), time.Duration(0))
}

func TestQuotaUsedUpWaitsBeforeNextCall(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, mt, clk := newMockClient(t)
		mt.RegisterResponder(http.MethodGet, orderURL, httpmock.ResponderFromMultipleResponses([]*http.Response{
			respond(http.StatusOK, `{"id":218}`, rateHeaders(0, 1500)),
			respond(http.StatusOK, `{"id":218}`, rateHeaders(149, 30000)),
		}))
		ctx := context.Background()
		for range 2 {
			if _, err := c.Orders.Get(ctx, 218); err != nil {
				t.Fatal(err)
			}
		}
		eq(t, "waits", fmt.Sprint(clk.Waits()), "[1.5s]")
		eq(t, "calls", mt.GetTotalCallCount(), 2)
	})
}

func TestQuotaUsedUpDeadlineSooner(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) { quotaUsedUpDeadlineSooner(t) })
}

func quotaUsedUpDeadlineSooner(t *testing.T) {
	start := time.Now()
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, orderURL,
		httpmock.ResponderFromResponse(respond(http.StatusOK, `{"id":218}`, rateHeaders(0, 20000))))
	if _, err := c.Orders.Get(context.Background(), 218); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.Orders.Get(ctx, 218)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if d, ok := RetryAfter(err); !ok || d != 20*time.Second {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}
	eq(t, "calls", mt.GetTotalCallCount(), 1)
	eq(t, "time waited", time.Since(start), time.Duration(0))
}

func TestRateLimitSnapshot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) { rateLimitSnapshot(t) })
}

func rateLimitSnapshot(t *testing.T) {
	c, mt, _ := newMockClient(t)
	if got := c.RateLimit(); !got.ObservedAt.IsZero() || !got.ResetAt().IsZero() {
		t.Fatalf("before any call: %+v", got)
	}
	mt.RegisterResponder(http.MethodGet, orderURL,
		httpmock.ResponderFromResponse(respond(http.StatusOK, `{"id":218}`, rateHeaders(42, 12000))))
	if _, err := c.Orders.Get(context.Background(), 218); err != nil {
		t.Fatal(err)
	}
	rl := c.RateLimit()
	now := time.Now() // no time passes in the bubble while the call runs
	want := RateLimit{Window: 30 * time.Second, ResetIn: 12 * time.Second, Quota: 150, Remaining: 42, ObservedAt: rl.ObservedAt}
	if rl != want || !rl.ObservedAt.Equal(now) {
		t.Errorf("RateLimit() = %+v, want %+v observed at %v", rl, want, now)
	}
	if !rl.ResetAt().Equal(now.Add(12 * time.Second)) {
		t.Errorf("ResetAt = %v, want %v", rl.ResetAt(), now.Add(12*time.Second))
	}
}

func TestParseRateLimitIgnoresBadHeaders(t *testing.T) {
	t.Parallel()
	now := time.Unix(100, 0)
	tests := []struct {
		name   string
		h      http.Header
		wantOK bool
		want   RateLimit
	}{
		{"none", http.Header{}, false, RateLimit{}},
		{"garbage", http.Header{"X-Rate-Limit-Requests-Left": {"lots"}}, false, RateLimit{}},
		{"negative", http.Header{"X-Rate-Limit-Time-Reset-Ms": {"-5"}}, false, RateLimit{}},
		{"reset only", http.Header{"X-Rate-Limit-Time-Reset-Ms": {"250"}}, true,
			RateLimit{ResetIn: 250 * time.Millisecond, Remaining: -1, ObservedAt: now}},
		{"huge reset capped", http.Header{"X-Rate-Limit-Time-Reset-Ms": {"999999999999"}, "X-Rate-Limit-Requests-Left": {"0"}}, true,
			RateLimit{ResetIn: time.Hour, ObservedAt: now}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseRateLimit(tt.h, now)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestLimiterSharedAcrossGoroutines(t *testing.T) {
	t.Parallel()
	l := newLimiter()
	now := time.Unix(1000, 0)
	l.observe(rateHeaders(5, 10000), now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted, told := 0, 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := l.reserve(now)
			mu.Lock()
			defer mu.Unlock()
			if d == 0 {
				granted++
			} else {
				told++
				if d != 10*time.Second {
					t.Errorf("wait = %v, want 10s", d)
				}
			}
		}()
	}
	wg.Wait()
	eq(t, "granted", granted, 5)
	eq(t, "told to wait", told, 15)
	// After the reset the window is unknown again and requests flow.
	eq(t, "after reset", l.reserve(now.Add(10*time.Second)), time.Duration(0))
}

func TestConcurrentCallsShareClient(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, orderURL,
		httpmock.ResponderFromResponse(respond(http.StatusOK, `{"id":218}`, rateHeaders(100, 20000))))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Orders.Get(context.Background(), 218); err != nil {
				t.Error(err)
			}
			_ = c.RateLimit()
		}()
	}
	wg.Wait()
	eq(t, "calls", mt.GetTotalCallCount(), 8)
}

package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

const hooksURL = mockStore + "/v3/hooks"

func TestServerErrorsRetriedForGET(t *testing.T) {
	t.Parallel()
	c, mt, clk := newMockClient(t)
	mt.RegisterResponder(http.MethodGet, orderURL, httpmock.ResponderFromMultipleResponses([]*http.Response{
		respond(http.StatusServiceUnavailable, "<html>maintenance</html>", nil),
		respond(http.StatusBadGateway, "", nil),
		respond(http.StatusOK, `{"id":218}`, nil),
	}))
	if _, err := c.Orders.Get(context.Background(), 218); err != nil {
		t.Fatal(err)
	}
	eq(t, "calls", mt.GetTotalCallCount(), 3)
	sleeps := clk.Sleeps()
	if len(sleeps) != 2 {
		t.Fatalf("sleeps = %v", sleeps)
	}
	// 500 ms then 1 s, each ±50% jitter.
	inRange(t, sleeps[0], 250*time.Millisecond, 750*time.Millisecond)
	inRange(t, sleeps[1], 500*time.Millisecond, 1500*time.Millisecond)
}

func inRange(t *testing.T, d, lo, hi time.Duration) {
	t.Helper()
	if d < lo || d > hi {
		t.Errorf("wait %v outside [%v, %v]", d, lo, hi)
	}
}

func TestRetryByMethodAndStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		method    string
		status    int
		wantCalls int
		sentinel  error
	}{
		{"GET 500 exhausts attempts", http.MethodGet, 500, 5, ErrUnavailable},
		{"GET 400 not retried", http.MethodGet, 400, 1, nil},
		{"GET 401 not retried", http.MethodGet, 401, 1, ErrUnauthorized},
		{"GET 403 not retried", http.MethodGet, 403, 1, ErrForbidden},
		{"GET 404 not retried", http.MethodGet, 404, 1, ErrNotFound},
		{"GET 422 not retried", http.MethodGet, 422, 1, ErrUnprocessable},
		{"POST 503 not retried", http.MethodPost, 503, 1, ErrUnavailable},
		{"POST 429 retried", http.MethodPost, 429, 5, ErrRateLimited},
		{"PUT 502 retried", http.MethodPut, 502, 5, ErrUnavailable},
		{"DELETE 504 retried", http.MethodDelete, 504, 5, ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newMockClient(t)
			mt.RegisterResponder(tt.method, hooksURL+"/7", httpmock.NewStringResponder(tt.status, `{"status":1,"title":"x"}`))
			mt.RegisterResponder(tt.method, hooksURL, httpmock.NewStringResponder(tt.status, `{"status":1,"title":"x"}`))
			var err error
			ctx := context.Background()
			switch tt.method {
			case http.MethodGet:
				_, err = c.Webhooks.Get(ctx, 7)
			case http.MethodPost:
				_, err = c.Webhooks.Create(ctx, WebhookCreate{Scope: "store/order/created", Destination: "https://x.example/h"})
			case http.MethodPut:
				_, err = c.Webhooks.Disable(ctx, 7)
			case http.MethodDelete:
				_, err = c.Webhooks.Delete(ctx, 7)
			}
			if err == nil {
				t.Fatal("want an error")
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("err = %v, want %v", err, tt.sentinel)
			}
			eq(t, "calls", mt.GetTotalCallCount(), tt.wantCalls)
		})
	}
}

func TestNetworkErrors(t *testing.T) {
	t.Parallel()
	t.Run("GET retried", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newMockClient(t)
		mt.RegisterResponder(http.MethodGet, orderURL,
			httpmock.NewErrorResponder(errors.New("connection reset by peer")).Then(
				httpmock.NewStringResponder(http.StatusOK, `{"id":218}`)))
		if _, err := c.Orders.Get(context.Background(), 218); err != nil {
			t.Fatal(err)
		}
		eq(t, "calls", mt.GetTotalCallCount(), 2)
	})
	t.Run("POST not retried", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newMockClient(t)
		mt.RegisterResponder(http.MethodPost, hooksURL, httpmock.NewErrorResponder(errors.New("connection reset by peer")))
		_, err := c.Webhooks.Create(context.Background(), WebhookCreate{Scope: "s", Destination: "https://d.example"})
		if !errors.Is(err, ErrUnavailable) || !Retryable(err) {
			t.Fatalf("err = %v; want ErrUnavailable and retryable", err)
		}
		eq(t, "calls", mt.GetTotalCallCount(), 1)
	})
}

func TestMaxElapsedBoundsRetries(t *testing.T) {
	t.Parallel()
	c, mt, clk := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 100, MaxElapsed: 3 * time.Second, RateLimitBackoff: time.Second}))
	mt.RegisterResponder(http.MethodGet, orderURL, httpmock.NewStringResponder(http.StatusTooManyRequests, ""))
	_, err := c.Orders.Get(context.Background(), 218)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
	// 1 s + 2 s fit in 3 s; the next 4 s wait would not.
	eq(t, "calls", mt.GetTotalCallCount(), 3)
	var total time.Duration
	for _, d := range clk.Sleeps() {
		total += d
	}
	eq(t, "slept", total, 3*time.Second)
}

func TestRetryDisabledAndCheckRetryHook(t *testing.T) {
	t.Parallel()
	t.Run("MaxAttempts 1", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 1}))
		mt.RegisterResponder(http.MethodGet, orderURL, httpmock.NewStringResponder(http.StatusServiceUnavailable, ""))
		if _, err := c.Orders.Get(context.Background(), 218); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
		eq(t, "calls", mt.GetTotalCallCount(), 1)
	})
	t.Run("hook says no", func(t *testing.T) {
		t.Parallel()
		var seen []string
		never := func(method string, err error) bool { seen = append(seen, method); return false }
		c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{CheckRetry: never}))
		mt.RegisterResponder(http.MethodGet, orderURL, httpmock.NewStringResponder(http.StatusTooManyRequests, ""))
		if _, err := c.Orders.Get(context.Background(), 218); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("err = %v", err)
		}
		eq(t, "calls", mt.GetTotalCallCount(), 1)
		eq(t, "hook calls", len(seen), 1)
	})
}

func TestContextCancelledDuringWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	c, mt, clk := newMockClient(t)
	clk.onSleep = cancel
	mt.RegisterResponder(http.MethodGet, orderURL, httpmock.NewStringResponder(http.StatusServiceUnavailable, ""))
	_, err := c.Orders.Get(ctx, 218)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v; want both the 503 and context.Canceled", err)
	}
	eq(t, "calls", mt.GetTotalCallCount(), 1)

	// A context already done makes no call at all.
	_, err = c.Orders.Get(ctx, 218)
	if !errors.Is(err, context.Canceled) || Retryable(err) {
		t.Fatalf("err = %v", err)
	}
	eq(t, "calls", mt.GetTotalCallCount(), 1)
}

func TestDefaultRetryPolicy(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	eq(t, "MaxAttempts", p.MaxAttempts, 5)
	eq(t, "InitialBackoff", p.InitialBackoff, 500*time.Millisecond)
	eq(t, "MaxBackoff", p.MaxBackoff, 30*time.Second)
	eq(t, "MaxElapsed", p.MaxElapsed, 2*time.Minute)
	eq(t, "RateLimitBackoff", p.RateLimitBackoff, time.Second)
	if p.CheckRetry == nil {
		t.Fatal("CheckRetry is nil")
	}
	canceled := &transportError{method: "GET", path: "/x", err: context.Canceled}
	eq(t, "canceled transport", DefaultCheckRetry(http.MethodGet, canceled), false)
	eq(t, "plain error", DefaultCheckRetry(http.MethodGet, errors.New("decode")), false)
}

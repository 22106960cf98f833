package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jarcoal/httpmock"
)

const hooksURL = mockStore + "/v3/hooks"

func TestServerErrorsRetriedForGET(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
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
		waits := clk.Waits()
		if len(waits) != 2 {
			t.Fatalf("waits = %v", waits)
		}
		// 500 ms then 1 s, each ±50% jitter.
		inRange(t, waits[0], 250*time.Millisecond, 750*time.Millisecond)
		inRange(t, waits[1], 500*time.Millisecond, 1500*time.Millisecond)
	})
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
			synctest.Test(t, func(t *testing.T) {
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
		})
	}
}

func TestNetworkErrors(t *testing.T) {
	t.Parallel()
	t.Run("GET retried", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			c, mt, _ := newMockClient(t)
			mt.RegisterResponder(http.MethodGet, orderURL,
				httpmock.NewErrorResponder(errors.New("connection reset by peer")).Then(
					httpmock.NewStringResponder(http.StatusOK, `{"id":218}`)))
			if _, err := c.Orders.Get(context.Background(), 218); err != nil {
				t.Fatal(err)
			}
			eq(t, "calls", mt.GetTotalCallCount(), 2)
		})
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
	synctest.Test(t, func(t *testing.T) {
		c, mt, clk := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 100, MaxElapsed: 3 * time.Second}))
		mt.RegisterResponder(http.MethodGet, orderURL, httpmock.NewStringResponder(http.StatusTooManyRequests, ""))
		start := time.Now()
		_, err := c.Orders.Get(context.Background(), 218)
		if !errors.Is(err, ErrRateLimited) {
			t.Fatalf("err = %v", err)
		}
		// A bare 429 waits 1 s, then 2 s: both fit in 3 s; the next 4 s wait
		// would not, so the error comes back at once.
		eq(t, "calls", mt.GetTotalCallCount(), 3)
		eq(t, "waits", len(clk.Waits()), 2)
		eq(t, "elapsed", time.Since(start), 3*time.Second)
	})
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
	t.Run("hook sees the attempt and says no", func(t *testing.T) {
		t.Parallel()
		var seen []Attempt
		never := func(_ context.Context, a Attempt, err error) (bool, error) {
			if !errors.Is(err, ErrRateLimited) {
				t.Errorf("hook got %v", err)
			}
			seen = append(seen, a)
			return false, nil
		}
		c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{CheckRetry: never}))
		mt.RegisterResponder(http.MethodGet, orderURL, httpmock.NewStringResponder(http.StatusTooManyRequests, ""))
		if _, err := c.Orders.Get(context.Background(), 218); !errors.Is(err, ErrRateLimited) {
			t.Fatalf("err = %v", err)
		}
		eq(t, "calls", mt.GetTotalCallCount(), 1)
		if len(seen) != 1 || seen[0] != (Attempt{Method: "GET", Path: "/v2/orders/218", Idempotent: true, Number: 1}) {
			t.Errorf("hook saw %+v", seen)
		}
	})
	t.Run("hook error ends the call", func(t *testing.T) {
		t.Parallel()
		stop := errors.New("stop here")
		c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{CheckRetry: func(context.Context, Attempt, error) (bool, error) {
			return true, stop
		}}))
		mt.RegisterResponder(http.MethodPost, hooksURL, httpmock.NewStringResponder(http.StatusServiceUnavailable, ""))
		_, err := c.Webhooks.Create(context.Background(), WebhookCreate{Scope: "s", Destination: "https://d.example"})
		if !errors.Is(err, stop) {
			t.Fatalf("err = %v, want the hook's", err)
		}
		eq(t, "calls", mt.GetTotalCallCount(), 1)
	})
	t.Run("hook retries a POST", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			var posts []bool
			always := func(_ context.Context, a Attempt, _ error) (bool, error) {
				posts = append(posts, a.Idempotent)
				return true, nil
			}
			c, mt, _ := newMockClient(t, WithRetry(RetryPolicy{MaxAttempts: 3, CheckRetry: always}))
			mt.RegisterResponder(http.MethodPost, hooksURL, httpmock.NewStringResponder(http.StatusServiceUnavailable, ""))
			_, err := c.Webhooks.Create(context.Background(), WebhookCreate{Scope: "s", Destination: "https://d.example"})
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("err = %v", err)
			}
			eq(t, "calls", mt.GetTotalCallCount(), 3)
			eq(t, "hook saw POST as not idempotent", fmt.Sprint(posts), "[false false]")
		})
	})
}

func TestContextCancelledDuringWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		c, mt, _ := newMockClient(t)
		mt.RegisterResponder(http.MethodGet, orderURL, httpmock.NewStringResponder(http.StatusServiceUnavailable, ""))
		done := make(chan error, 1)
		go func() {
			_, err := c.Orders.Get(ctx, 218)
			done <- err
		}()
		synctest.Wait() // the client is now waiting to retry
		eq(t, "calls before cancel", mt.GetTotalCallCount(), 1)
		cancel()
		err := <-done
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
	})
}

func TestDefaultRetryPolicy(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	eq(t, "MaxAttempts", p.MaxAttempts, 5)
	eq(t, "InitialBackoff", p.InitialBackoff, 500*time.Millisecond)
	eq(t, "MaxBackoff", p.MaxBackoff, 30*time.Second)
	eq(t, "MaxElapsed", p.MaxElapsed, 2*time.Minute)
	if p.CheckRetry == nil {
		t.Fatal("CheckRetry is nil")
	}
	ctx := context.Background()
	get := Attempt{Method: http.MethodGet, Idempotent: true, Number: 1}
	post := Attempt{Method: http.MethodPost, Number: 1}
	unavailable := &APIError{Status: 503}
	for _, tc := range []struct {
		name string
		a    Attempt
		err  error
		want bool
	}{
		{"503 GET", get, unavailable, true},
		{"503 POST", post, unavailable, false},
		{"429 POST", post, &APIError{Status: 429}, true},
		{"404 GET", get, &APIError{Status: 404}, false},
		{"canceled transport", get, &transportError{method: "GET", path: "/x", err: context.Canceled}, false},
		{"plain error", get, errors.New("decode"), false},
	} {
		got, err := DefaultCheckRetry(ctx, tc.a, tc.err)
		if got != tc.want || err != nil {
			t.Errorf("%s: DefaultCheckRetry = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if got, _ := DefaultCheckRetry(done, get, unavailable); got {
		t.Error("retrying on an ended context")
	}
}

func TestWithRetryValidates(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]RetryPolicy{
		"negative attempts": {MaxAttempts: -1},
		"negative elapsed":  {MaxElapsed: -time.Second},
		"max below initial": {InitialBackoff: 2 * time.Second, MaxBackoff: time.Second},
	} {
		if _, err := NewClient(testHash, testToken, WithRetry(p)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	c, err := NewClient(testHash, testToken, WithRetry(RetryPolicy{InitialBackoff: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "MaxBackoff follows a long InitialBackoff", c.retry.MaxBackoff, time.Minute)
}

func TestSleep(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := sleep(context.Background(), time.Minute); err != nil || time.Since(start) != time.Minute {
			t.Errorf("sleep: %v after %v", err, time.Since(start))
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Errorf("sleep on a cancelled context = %v", err)
		}
		if err := sleep(ctx, 0); !errors.Is(err, context.Canceled) {
			t.Errorf("sleep(0) on a cancelled context = %v", err)
		}
	})
}

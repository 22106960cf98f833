package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// scripted answers each request with the next status/body pair, repeating
// the last one.
func scripted(calls *atomic.Int32, steps ...[2]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		step := steps[min(n, len(steps)-1)]
		switch step[0] {
		case "hangup":
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case "503html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(503)
			_, _ = w.Write([]byte(step[1]))
		case "204":
			w.WriteHeader(204)
		default:
			status := map[string]int{"200": 200, "201": 201, "400": 400, "403": 403, "500": 500}[step[0]]
			writeJSON(w, status, step[1])
		}
	}
}

const (
	okLimits   = `{}`
	lockRow    = `[{"errorCode":"UNABLE_TO_LOCK_ROW","message":"unable to obtain exclusive access to this record"}]`
	concurrent = `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"ConcurrentPerOrgLongTxn Limit exceeded."}]`
	daily      = `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded."}]`
	created    = `{"id":"001000000000001AAA","success":true,"errors":[]}`
)

func TestClientRetries(t *testing.T) {
	t.Parallel()
	type step = [2]string
	tests := []struct {
		name      string
		method    string // GET (Limits), POST (Create) or PATCH (Update)
		steps     []step
		wantCalls int32
		wantErr   bool
	}{
		{"503 html then ok", "GET", []step{{"503html", "<html>Service Not Available</html>"}, {"503html", "<html/>"}, {"200", okLimits}}, 3, false},
		{"lock row then ok on POST", "POST", []step{{"400", lockRow}, {"201", created}}, 2, false},
		{"concurrent limit then ok", "GET", []step{{"403", concurrent}, {"200", okLimits}}, 2, false},
		{"daily limit not retried", "GET", []step{{"403", daily}}, 1, true},
		{"500 GET retried", "GET", []step{{"500", `[]`}, {"200", okLimits}}, 2, false},
		{"500 POST not retried", "POST", []step{{"500", `[]`}, {"201", created}}, 1, true},
		{"500 PATCH retried", "PATCH", []step{{"500", `[]`}, {"204", ""}}, 2, false},
		{"400 not retried", "PATCH", []step{{"400", `[{"errorCode":"INVALID_FIELD","message":"x"}]`}}, 1, true},
		{"network GET retried", "GET", []step{{"hangup", ""}, {"200", okLimits}}, 2, false},
		{"network POST not retried", "POST", []step{{"hangup", ""}, {"201", created}}, 1, true},
		{"bounded", "GET", []step{{"503html", "down"}}, int32(fastRetry.MaxAttempts), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			c := newTestClient(t, scripted(&calls, tt.steps...))
			ctx := context.Background()
			var err error
			switch tt.method {
			case "GET":
				_, err = c.Limits(ctx)
			case "POST":
				_, err = c.Create(ctx, "Account", map[string]string{"Name": "A"})
			case "PATCH":
				err = c.Update(ctx, "Account", "001000000000001AAA", map[string]string{"Name": "A"})
			}
			if (err != nil) != tt.wantErr || calls.Load() != tt.wantCalls {
				t.Fatalf("err = %v after %d calls; want error %v after %d", err, calls.Load(), tt.wantErr, tt.wantCalls)
			}
		})
	}
}

func TestRetryStopsWithContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		slow := RetryPolicy{MaxAttempts: 6, InitialBackoff: time.Hour, MaxElapsed: 24 * time.Hour}
		c := newMemClient(t, scripted(&calls, [2]string{"503html", "down"}), WithRetry(slow))
		done := make(chan error, 1)
		go func() {
			_, err := c.Limits(ctx)
			done <- err
		}()
		synctest.Wait() // the client is waiting to retry
		cancel()
		err := <-done
		var apiErr *APIError
		if !errors.Is(err, context.Canceled) || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
			t.Fatalf("err = %v, want cancellation wrapping the 503", err)
		}
		if calls.Load() != 1 {
			t.Fatalf("%d calls", calls.Load())
		}
	})
}

// requestTimes answers 503 and records when each request came.
type requestTimes struct {
	mu sync.Mutex
	at []time.Time
	h  http.Handler
}

func (r *requestTimes) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.at = append(r.at, time.Now())
	r.mu.Unlock()
	r.h.ServeHTTP(w, req)
}

func (r *requestTimes) waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(r.at); i++ {
		out = append(out, r.at[i].Sub(r.at[i-1]))
	}
	return out
}

func TestRetryPolicyDefaults(t *testing.T) {
	t.Parallel()
	p := DefaultRetryPolicy()
	if p.MaxAttempts != 4 || p.InitialBackoff != 500*time.Millisecond || p.MaxBackoff != 10*time.Second ||
		p.MaxElapsed != time.Minute || p.CheckRetry == nil {
		t.Fatalf("DefaultRetryPolicy() = %+v", p)
	}
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		rec := &requestTimes{h: scripted(&calls, [2]string{"503html", "down"})}
		c := newMemClient(t, rec)
		start := time.Now()
		_, err := c.Limits(context.Background())
		if err == nil || calls.Load() != 4 {
			t.Fatalf("err = %v after %d calls, want 4 attempts", err, calls.Load())
		}
		waits := rec.waits()
		// 500 ms, 1 s, 2 s, each ±50%.
		for i, w := range waits {
			base := 500 * time.Millisecond << i
			if w < base/2 || w > base*3/2 {
				t.Errorf("wait %d = %v, want %v ±50%%", i, w, base)
			}
		}
		if len(waits) != 3 || time.Since(start) > time.Minute {
			t.Errorf("waits %v in %v", waits, time.Since(start))
		}
	})
}

func TestMaxElapsedAndDeadlineBoundRetries(t *testing.T) {
	t.Parallel()
	tooBusy := func(calls *atomic.Int32, retryAfter string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Retry-After", retryAfter)
			writeJSON(w, 503, `[{"errorCode":"SERVER_UNAVAILABLE","message":"Server too busy"}]`)
		}
	}
	synctest.Test(t, func(t *testing.T) {
		// Retry-After 25 s fits a 1 min budget twice; a third wait would end
		// past it, so the error returns after 50 s with the wait it names.
		var calls atomic.Int32
		c := newMemClient(t, tooBusy(&calls, "25"), WithRetry(RetryPolicy{MaxAttempts: 10}))
		start := time.Now()
		_, err := c.Limits(context.Background())
		if d, ok := RetryAfter(err); !ok || d != 25*time.Second || calls.Load() != 3 || time.Since(start) != 50*time.Second {
			t.Fatalf("err = %v (RetryAfter %v) after %d calls and %v", err, d, calls.Load(), time.Since(start))
		}

		// A context ending before the wait would: no wait at all.
		calls.Store(0)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start = time.Now()
		_, err = c.Limits(ctx)
		if !Retryable(err) || calls.Load() != 1 || time.Since(start) != 0 {
			t.Fatalf("err = %v after %d calls and %v", err, calls.Load(), time.Since(start))
		}
	})
}

func TestCheckRetryHook(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		var seen []Attempt
		hook := func(ctx context.Context, a Attempt, err error) (bool, error) {
			seen = append(seen, a)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 {
				t.Errorf("hook got %v", err)
			}
			return a.Number < 2, nil // one retry, whatever the default says
		}
		c := newMemClient(t, scripted(&calls, [2]string{"500", `[]`}), WithRetry(RetryPolicy{CheckRetry: hook}))
		_, err := c.Create(context.Background(), "Account", map[string]string{"Name": "A"})
		if err == nil || calls.Load() != 2 {
			t.Fatalf("err = %v after %d calls, want 2", err, calls.Load())
		}
		path := "/services/data/v64.0/sobjects/Account/"
		want := []Attempt{{Method: "POST", Path: path, Number: 1}, {Method: "POST", Path: path, Number: 2}}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Errorf("hook saw %+v, want %+v", seen, want)
		}

		stop := errors.New("stop")
		c = newMemClient(t, scripted(&calls, [2]string{"500", `[]`}), WithRetry(RetryPolicy{
			CheckRetry: func(context.Context, Attempt, error) (bool, error) { return true, stop }}))
		if _, err := c.Limits(context.Background()); !errors.Is(err, stop) {
			t.Errorf("err = %v, want the hook's", err)
		}
	})
}

func TestDefaultCheckRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	get := Attempt{Method: "GET", Idempotent: true, Number: 1}
	post := Attempt{Method: "POST", Number: 1}
	netErr := &url.Error{Op: "Get", URL: "x", Err: io.ErrUnexpectedEOF}
	for _, tc := range []struct {
		name string
		a    Attempt
		err  error
		want bool
	}{
		{"network GET", get, netErr, true},
		{"network POST", post, netErr, false},
		{"503 POST", post, &APIError{StatusCode: 503}, true},
		{"400 GET", get, &APIError{StatusCode: 400}, false},
		{"usage ceiling", get, &UsageCeilingError{}, false},
	} {
		if got, err := DefaultCheckRetry(ctx, tc.a, tc.err); got != tc.want || err != nil {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if got, _ := DefaultCheckRetry(done, get, netErr); got {
		t.Error("retry on an ended context")
	}
}

func TestRetryAfterTooLongIsReturned(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "120")
		writeJSON(w, 429, `[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}]`)
	}
	c := newTestClient(t, http.HandlerFunc(h))
	_, err := c.Limits(context.Background())
	d, ok := RetryAfter(err)
	if !errors.Is(err, ErrRequestLimitExceeded) || !Retryable(err) || !ok || d != 2*time.Minute || calls.Load() != 1 {
		t.Fatalf("err = %v, RetryAfter %v %v, calls %d", err, d, ok, calls.Load())
	}
}

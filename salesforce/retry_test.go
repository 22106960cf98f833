package salesforce

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
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
		{"bounded", "GET", []step{{"503html", "down"}}, 1 + int32(fastRetry.MaxRetries), true},
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

// cancelOnRetry is a slog handler that cancels a context when the client
// announces a retry, i.e. right before it starts waiting.
type cancelOnRetry struct{ cancel context.CancelFunc }

func (h cancelOnRetry) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelOnRetry) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "salesforce: retrying" {
		h.cancel()
	}
	return nil
}
func (h cancelOnRetry) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h cancelOnRetry) WithGroup(string) slog.Handler      { return h }

func TestRetryStopsWithContext(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow := RetryPolicy{MaxRetries: 5, InitialInterval: time.Hour, MaxInterval: time.Hour}
	c := newTestClient(t, scripted(&calls, [2]string{"503html", "down"}), WithRetry(slow), WithLogger(slog.New(cancelOnRetry{cancel})))
	_, err := c.Limits(ctx)
	var apiErr *APIError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("err = %v, want cancellation wrapping the 503", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("%d calls", calls.Load())
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

package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNewAPIErrorBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		body       string
		wantTitle  string
		wantType   string
		wantCode   string
		wantMsgs   string
		wantFields string
	}{
		{"v2 array", 400, string(fixture(t, "error_v2.json")), "", "", "",
			"The field 'status_id' is invalid.", "map[invalid_reason:The provided value must be a valid order status id.]"},
		{"v2 several", 400, `[{"status":400,"message":"a"},{"status":400,"message":"b"}]`, "", "", "", "a|b", "map[]"},
		{"v3 422", 422, string(fixture(t, "error_v3_422.json")), "JSON data is missing or invalid",
			"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes", "", "", "map[destination:error.path.missing.]"},
		{"v3 detail and list errors", 422, `{"status":422,"title":"Bad","detail":"see errors","code":10001,"errors":{"email:in":["bad","worse"]}}`,
			"Bad", "", "10001", "see errors", "map[email:in:bad; worse]"},
		{"v3 errors as list", 400, `{"status":400,"title":"Bad","errors":["one","two"]}`, "Bad", "", "", "one|two", "map[]"},
		{"html", 502, "<html><body>Bad Gateway</body></html>", "", "", "", "<html><body>Bad Gateway</body></html>", "map[]"},
		{"empty", 503, "", "", "", "", "", "map[]"},
		{"json string", 500, `"oops"`, "", "", "", "oops", "map[]"},
		{"json number", 500, `42`, "", "", "", "42", "map[]"},
		{"nested field value", 422, `{"errors":{"x":{"y":1}}}`, "", "", "", "", `map[x:{"y":1}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newAPIError(http.MethodGet, "/v2/orders", tt.status, http.Header{}, []byte(tt.body))
			eq(t, "Status", e.Status, tt.status)
			eq(t, "Title", e.Title, tt.wantTitle)
			eq(t, "Type", e.Type, tt.wantType)
			eq(t, "Code", e.Code, tt.wantCode)
			eq(t, "Messages", strings.Join(e.Messages, "|"), tt.wantMsgs)
			if e.Fields == nil {
				e.Fields = map[string]string{}
			}
			eq(t, "Fields", fmt.Sprint(e.Fields), tt.wantFields)
		})
	}
}

func TestAPIErrorSentinels(t *testing.T) {
	t.Parallel()
	all := []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrUnprocessable, ErrUnavailable}
	tests := []struct {
		status    int
		want      error
		retryable bool
	}{
		{400, nil, false}, {401, ErrUnauthorized, false}, {403, ErrForbidden, false}, {404, ErrNotFound, false},
		{409, nil, false}, {422, ErrUnprocessable, false}, {429, ErrRateLimited, true},
		{500, ErrUnavailable, true}, {503, ErrUnavailable, true}, {507, ErrUnavailable, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			t.Parallel()
			err := fmt.Errorf("sync order 5: %w", newAPIError("GET", "/v2/orders/5", tt.status, nil, nil))
			for _, s := range all {
				if got := errors.Is(err, s); got != (s == tt.want) {
					t.Errorf("errors.Is(%v) = %v", s, got)
				}
			}
			eq(t, "Retryable", Retryable(err), tt.retryable)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status {
				t.Errorf("errors.As failed: %v", err)
			}
		})
	}
}

func TestAPIErrorHeaders(t *testing.T) {
	t.Parallel()
	h := rateHeaders(0, 1200)
	h.Set("X-Retry-After", "3")
	h.Set("X-Request-Id", "req-123")
	e := newAPIError("POST", "/v3/hooks", 429, h, []byte(`{"status":429,"title":"Too Many Requests"}`))
	eq(t, "RequestID", e.RequestID, "req-123")
	eq(t, "RetryAfter", e.RetryAfter, 3*time.Second)
	msg := e.Error()
	for _, want := range []string{"POST /v3/hooks", "429", "Too Many Requests", "retry after 3s", "req-123"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q, missing %q", msg, want)
		}
	}
	d, ok := RetryAfter(fmt.Errorf("wrapped: %w", e))
	if !ok || d != 3*time.Second {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}
	// A 4xx other than 429 carries no wait even with the headers.
	e = newAPIError("GET", "/x", 400, h, nil)
	eq(t, "RetryAfter 400", e.RetryAfter, time.Duration(0))
	if _, ok := RetryAfter(e); ok {
		t.Error("RetryAfter ok for a 400")
	}
	if _, ok := RetryAfter(nil); ok {
		t.Error("RetryAfter ok for nil")
	}
	eq(t, "Retryable(nil)", Retryable(nil), false)
	eq(t, "Retryable(other)", Retryable(errors.New("x")), false)
	eq(t, "Retryable(ctx)", Retryable(context.DeadlineExceeded), false)
}

func TestRetryAfterHeaderBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reset, after string
		want         time.Duration
	}{
		{"", "", 0},
		{"abc", "xyz", 0},
		{"-100", "-3", 0},
		{"", "NaN", 0},
		{"", "Inf", time.Hour},
		{"99999999999", "", time.Hour},
		{"1500", "1", 1500 * time.Millisecond},
		{"", "0.5", 500 * time.Millisecond},
	}
	for _, tt := range tests {
		h := http.Header{}
		h.Set(headerResetMs, tt.reset)
		h.Set(headerRetryAfter, tt.after)
		eq(t, tt.reset+"/"+tt.after, retryAfterFromHeaders(h), tt.want)
	}
}

func TestErrorBodyReadThroughLimit(t *testing.T) {
	t.Parallel()
	// A valid JSON body longer than 64 KiB is cut, so it no longer parses
	// as JSON and ends up as (cut) text.
	body := `{"status":500,"title":"Big","padding":"` + strings.Repeat("x", 100<<10) + `"}`
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v2/orders/1", jsonHandler(http.StatusBadRequest, []byte(body)))
	c := newServerClient(t, mux)
	_, err := c.Orders.Get(context.Background(), 1)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	eq(t, "Title", apiErr.Title, "")
	if len(apiErr.Messages) != 1 || !strings.HasPrefix(apiErr.Messages[0], `{"status":500`) {
		t.Fatalf("Messages = %.80q", apiErr.Messages)
	}
	if n := len(err.Error()); n > 1024 {
		t.Errorf("error is %d bytes", n)
	}
}

func TestTransportErrorHidesURL(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testHash, testToken, WithBaseURL("http://127.0.0.1:1/proxy"), WithRetry(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, err := range c.Customers.List(context.Background(), ListCustomersOptions{Emails: []string{"secret.person@example.com"}}) {
		if err != nil {
			got = append(got, err.Error())
			if !errors.Is(err, ErrUnavailable) || !Retryable(err) {
				t.Errorf("err = %v, want ErrUnavailable", err)
			}
		}
	}
	if len(got) != 1 {
		t.Fatalf("errors = %v", got)
	}
	if strings.Contains(got[0], "secret.person") || strings.Contains(got[0], "127.0.0.1:1/proxy") {
		t.Errorf("error leaks the URL: %s", got[0])
	}
	if !strings.Contains(got[0], "GET /v3/customers") {
		t.Errorf("error lacks method and path: %s", got[0])
	}
}

func FuzzDecodeError(f *testing.F) {
	f.Add(400, []byte(`[{"status":400,"message":"bad"}]`))
	f.Add(422, []byte(`{"status":422,"title":"t","type":"u","errors":{"a":"b","c":["d"],"e":{"f":1}}}`))
	f.Add(500, []byte(`<html>oops</html>`))
	f.Add(429, []byte(`"x"`))
	f.Add(404, []byte(`[1,"two",null,{"message":3}]`))
	f.Add(0, []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		h := http.Header{}
		h.Set(headerResetMs, string(body[:min(len(body), 12)]))
		e := newAPIError("GET", "/v2/orders", status, h, body)
		msg := e.Error()
		if msg == "" || !utf8.ValidString(msg) {
			t.Fatalf("bad message %q", msg)
		}
		if len(e.Messages) > 20 {
			t.Fatalf("%d messages", len(e.Messages))
		}
		for _, m := range e.Messages {
			if len(m) > 520 {
				t.Fatalf("message of %d bytes", len(m))
			}
		}
		if e.RetryAfter < 0 || e.RetryAfter > time.Hour {
			t.Fatalf("RetryAfter %v", e.RetryAfter)
		}
		if errors.Is(e, ErrNotFound) != (status == 404) || errors.Is(e, ErrUnavailable) != (status >= 500 && status <= 599) {
			t.Fatalf("sentinels inconsistent with status %d", status)
		}
	})
}

// The rate-limit headers come on every response, so a 5xx must not borrow the
// window's reset as its wait unless the window is used up or the server asked.
func TestServerErrorRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers map[string]string
		want    time.Duration
	}{
		{"requests left", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "30000", "X-Rate-Limit-Requests-Left": "120"}, 0},
		{"window used up", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "30000", "X-Rate-Limit-Requests-Left": "0"}, 30 * time.Second},
		{"explicit retry-after", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "30000", "X-Rate-Limit-Requests-Left": "5", "X-Retry-After": "2"}, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			e := newAPIError(http.MethodGet, "/v2/orders/1", http.StatusServiceUnavailable, h, nil)
			if e.RetryAfter != tt.want {
				t.Fatalf("RetryAfter = %v, want %v", e.RetryAfter, tt.want)
			}
		})
	}
}

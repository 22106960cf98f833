package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDecodeError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		wantCodes []string
		wantURLs  int
		wantBody  string
		wantReqID string
		wantRA    time.Duration
	}{
		{"array", 400, nil, `[{"message":"Email: invalid","errorCode":"INVALID_EMAIL_ADDRESS","fields":["Email"]},{"message":"x","errorCode":"REQUIRED_FIELD_MISSING"}]`, []string{"INVALID_EMAIL_ADDRESS", "REQUIRED_FIELD_MISSING"}, 0, "", "", 0},
		{"statusCode", 400, nil, `[{"statusCode":"MALFORMED_ID","message":"bad id","fields":["Id"]}]`, []string{"MALFORMED_ID"}, 0, "", "", 0},
		{"null fields", 400, nil, `[{"errorCode":"X","message":"m","fields":null}]`, []string{"X"}, 0, "", "", 0},
		{"object", 404, nil, `{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}`, []string{"NOT_FOUND"}, 0, "", "", 0},
		{"oauth", 400, nil, `{"error":"invalid_grant","error_description":"authentication failure"}`, []string{"invalid_grant"}, 0, "", "", 0},
		{"multiple choices", 300, nil, `["/services/data/v64.0/sobjects/Account/001","/services/data/v64.0/sobjects/Account/002"]`, nil, 2, "", "", 0},
		{"cdn html", 503, http.Header{"X-Sfdc-Request-Id": {"abc123"}}, "<html>\n<body>Service   Not Available</body></html>", nil, 0, "<html> <body>Service Not Available</body></html>", "abc123", 0},
		{"empty", 500, http.Header{"X-Request-Id": {"r1"}, "Retry-After": {"7"}}, "", nil, 0, "", "r1", 7 * time.Second},
		{"retry-after date", 429, http.Header{"Date": {"Wed, 26 Nov 2026 05:00:00 GMT"}, "Retry-After": {"Wed, 26 Nov 2026 05:00:30 GMT"}}, "", nil, 0, "", "", 30 * time.Second},
		{"garbage json", 400, nil, `[{"errorCode":1}]`, nil, 0, `[{"errorCode":1}]`, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			e := decodeError(tt.status, h, []byte(tt.body), nil)
			var codes []string
			for _, en := range e.Errors {
				codes = append(codes, en.Code)
			}
			if fmt.Sprint(codes) != fmt.Sprint(tt.wantCodes) || len(e.MatchedURLs) != tt.wantURLs || e.Body != tt.wantBody || e.RequestID != tt.wantReqID || e.RetryAfter != tt.wantRA {
				t.Fatalf("decodeError = %+v", e)
			}
			if e.StatusCode != tt.status || !strings.Contains(e.Error(), fmt.Sprint(tt.status)) {
				t.Fatalf("Error() = %q", e.Error())
			}
		})
	}
}

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	entry := func(code, msg string) []ErrorEntry { return []ErrorEntry{{Code: code, Message: msg}} }
	tests := []struct {
		err  *APIError
		want error
	}{
		{&APIError{StatusCode: 404}, ErrNotFound},
		{&APIError{StatusCode: 300}, ErrMultipleMatches},
		{&APIError{StatusCode: 401}, ErrSessionExpired},
		{&APIError{StatusCode: 403, Errors: entry(CodeRequestLimitExceeded, "TotalRequests Limit exceeded.")}, ErrRequestLimitExceeded},
		{&APIError{StatusCode: 429}, ErrRequestLimitExceeded},
		{&APIError{StatusCode: 400, Errors: entry(CodeDuplicateValue, "duplicate")}, ErrDuplicateValue},
	}
	all := []error{ErrNotFound, ErrMultipleMatches, ErrSessionExpired, ErrRequestLimitExceeded, ErrDuplicateValue, ErrUsageCeiling}
	for _, tt := range tests {
		wrapped := fmt.Errorf("ctx: %w", tt.err)
		for _, s := range all {
			if got := errors.Is(wrapped, s); got != (s == tt.want) {
				t.Errorf("errors.Is(%v, %v) = %v", tt.err, s, got)
			}
		}
	}
}

func TestRetryableAndRetryAfter(t *testing.T) {
	t.Parallel()
	entry := func(code, msg string) []ErrorEntry { return []ErrorEntry{{Code: code, Message: msg}} }
	tests := []struct {
		name      string
		err       error
		retryable bool
		after     time.Duration
		hasAfter  bool
	}{
		{"nil", nil, false, 0, false},
		{"503 html", &APIError{StatusCode: 503, Body: "<html>"}, true, 0, false},
		{"server unavailable", &APIError{StatusCode: 503, Errors: entry(CodeServerUnavailable, "Server too busy")}, true, 0, false},
		{"lock row", &APIError{StatusCode: 400, Errors: entry(CodeUnableToLockRow, "unable to obtain exclusive access")}, true, 0, false},
		{"429 retry-after", &APIError{StatusCode: 429, RetryAfter: 3 * time.Second}, true, 3 * time.Second, true},
		{"429 bare", &APIError{StatusCode: 429}, false, 0, false},
		{"500 post", &APIError{StatusCode: 500}, false, 0, false},
		{"500 idempotent", &APIError{StatusCode: 500, idempotent: true}, true, 0, false},
		{"concurrent limit", &APIError{StatusCode: 403, Errors: entry(CodeRequestLimitExceeded, "ConcurrentPerOrgLongTxn Limit exceeded.")}, true, 0, false},
		{"daily limit", &APIError{StatusCode: 403, Errors: entry(CodeRequestLimitExceeded, "TotalRequests Limit exceeded.")}, false, DailyLimitRetryAfter, true},
		{"400 data", &APIError{StatusCode: 400, Errors: entry("REQUIRED_FIELD_MISSING", "x")}, false, 0, false},
		{"300", &APIError{StatusCode: 300}, false, 0, false},
		{"404", &APIError{StatusCode: 404, idempotent: true}, false, 0, false},
		{"401", &APIError{StatusCode: 401, idempotent: true}, false, 0, false},
		{"network", fmt.Errorf("x: %w", &net.OpError{Op: "dial", Err: errors.New("refused")}), true, 0, false},
		{"canceled", context.Canceled, false, 0, false},
		{"ceiling", &UsageCeilingError{Usage: Usage{95, 100}, Ceiling: 0.9, RetryAfter: time.Minute}, false, time.Minute, true},
		{"auth invalid", &AuthError{StatusCode: 400, Code: "invalid_grant"}, false, 0, false},
		{"auth 503", &AuthError{StatusCode: 503}, true, 0, false},
		{"plain", errors.New("boom"), false, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Retryable(tt.err); got != tt.retryable {
				t.Errorf("Retryable = %v, want %v", got, tt.retryable)
			}
			d, ok := RetryAfter(tt.err)
			if d != tt.after || ok != tt.hasAfter {
				t.Errorf("RetryAfter = %v, %v; want %v, %v", d, ok, tt.after, tt.hasAfter)
			}
		})
	}
}

func FuzzDecodeError(f *testing.F) {
	f.Add(400, []byte(`[{"message":"m","errorCode":"INVALID_FIELD","fields":["A"]}]`), "")
	f.Add(300, []byte(`["/a","/b"]`), "")
	f.Add(503, []byte("<html>down</html>"), "5")
	f.Add(400, []byte(`{"error":"invalid_grant","error_description":"x"}`), "")
	f.Add(500, []byte("\xff\xfe[{"), "Wed, 26 Nov 2026 05:00:30 GMT")
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		h := http.Header{"Retry-After": {retryAfter}, "X-Request-Id": {string(body[:min(len(body), 300)])}}
		e := decodeError(status, h, body, nil)
		msg := e.Error()
		if msg == "" || e.StatusCode != status {
			t.Fatalf("bad error %+v", e)
		}
		if len(e.Body) > maxSnippet || !utf8.ValidString(e.Body) || strings.ContainsAny(e.Body, "\n\r\t") {
			t.Fatalf("snippet %q not a short single line", e.Body)
		}
		if len(e.RequestID) > 128 || e.RetryAfter < 0 || e.RetryAfter > 24*time.Hour {
			t.Fatalf("request id %d bytes, retry after %v", len(e.RequestID), e.RetryAfter)
		}
		_ = Retryable(e)
		_, _ = RetryAfter(e)
		_ = SubResult{HTTPStatusCode: status, Body: body}.Err()
	})
}

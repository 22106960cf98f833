package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors matched by errors.Is against an *APIError (and, for
// ErrUnavailable, against a failure to reach the API at all).
var (
	// ErrNotFound is a 404: the order, customer or hook does not exist (or is
	// not visible to this token).
	ErrNotFound = errors.New("bigcommerce: not found")
	// ErrUnauthorized is a 401: the access token is missing, wrong or revoked.
	ErrUnauthorized = errors.New("bigcommerce: unauthorized")
	// ErrForbidden is a 403: the token lacks the OAuth scope for the call.
	ErrForbidden = errors.New("bigcommerce: forbidden")
	// ErrRateLimited is a 429, or the store's request quota is known to be
	// used up and the context ends before it resets. The *APIError carries
	// the wait in RetryAfter.
	ErrRateLimited = errors.New("bigcommerce: rate limited")
	// ErrUnprocessable is a 422: the request was understood but its data is
	// invalid (for example a bad filter or hook destination).
	ErrUnprocessable = errors.New("bigcommerce: unprocessable")
	// ErrUnavailable is any 5xx, or a network failure that kept the request
	// from getting an answer.
	ErrUnavailable = errors.New("bigcommerce: unavailable")
	// ErrTooManyLineItems is wrapped by the error for an order with more
	// line items than the client reads (WithMaxLineItems). Retrying cannot
	// help: the order needs a larger bound, or a target that needs no lines
	// (WithoutLineItems).
	ErrTooManyLineItems = errors.New("bigcommerce: too many line items")
)

// maxFields bounds how many field errors are kept from one body.
const maxFields = 50

// maxErrorBody is how much of an error response is read (64 KiB); the rest
// is discarded, so a huge error page cannot exhaust memory.
const maxErrorBody = 64 << 10

// APIError is a non-2xx answer from the API. It decodes both the v2 body (a
// JSON array of {status, message}) and the v3 body ({status, title, type,
// errors}); a body that is not JSON ends up, cut to 512 bytes, in Messages.
//
// Match it with errors.Is against ErrNotFound, ErrUnauthorized,
// ErrForbidden, ErrRateLimited, ErrUnprocessable or ErrUnavailable, or take
// it apart with errors.As.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the platform's error code when the body has one.
	Code string
	// Title and Type come from a v3 body.
	Title string
	Type  string
	// Messages are the human-readable messages (v2 "message", v3 "detail").
	Messages []string
	// Fields maps an invalid field to its message (v3 "errors").
	Fields map[string]string
	// RequestID is the X-Request-Id response header, when present; quote it
	// to BigCommerce support.
	RequestID string
	// Method and Path identify the call; Path has no query string.
	Method string
	Path   string
	// RetryAfter is how long to wait before trying again, for a 429 (the
	// longer of X-Rate-Limit-Time-Reset-Ms and X-Retry-After) or a 5xx that
	// sent X-Retry-After (or reported no requests left in the window); 0
	// when unknown.
	RetryAfter time.Duration
}

// Error returns a one-line description: method, path, status, title and
// messages, fields in name order. It never contains the access token.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bigcommerce: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Title != "" {
		b.WriteString(": ")
		b.WriteString(e.Title)
	}
	for _, m := range e.Messages {
		if m != "" && m != e.Title {
			b.WriteString(": ")
			b.WriteString(m)
		}
	}
	if len(e.Fields) > 0 {
		names := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			names = append(names, k)
		}
		sort.Strings(names)
		b.WriteString(" (")
		for i, k := range names {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(k + ": " + e.Fields[k])
		}
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// Is reports whether the status matches one of the sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrUnprocessable:
		return e.Status == http.StatusUnprocessableEntity
	case ErrUnavailable:
		return e.Status >= 500 && e.Status <= 599
	}
	return false
}

// Retryable reports whether the operation that returned err may succeed if
// tried again later: a 429, a 5xx or a network failure (the client has
// already retried those within its own budget; this is for a caller deciding
// to requeue). It is false for nil, for other 4xx, for a response that could
// not be decoded, and for a cancelled or expired context, unless the context
// ended while waiting out a 429 or 5xx, whose error the result keeps.
func Retryable(err error) bool {
	return errors.Is(err, ErrRateLimited) || errors.Is(err, ErrUnavailable)
}

// RetryAfter returns the wait the API asked for before the next attempt
// (see APIError.RetryAfter), and false when err carries none.
func RetryAfter(err error) (time.Duration, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.RetryAfter > 0 {
		return apiErr.RetryAfter, true
	}
	return 0, false
}

// transportError is a request that got no HTTP answer. Its message keeps the
// method and path but drops the URL (whose query may carry e-mail filters).
type transportError struct {
	method, path string
	err          error
}

func (e *transportError) Error() string {
	return fmt.Sprintf("bigcommerce: %s %s: %v", e.method, e.path, e.err)
}

func (e *transportError) Unwrap() error { return e.err }

// Is makes a network failure match ErrUnavailable, except when the cause is
// the caller's own context or a redirect the client refused to follow.
func (e *transportError) Is(target error) bool {
	return target == ErrUnavailable && !errors.Is(e.err, errRedirect) &&
		!errors.Is(e.err, context.Canceled) && !errors.Is(e.err, context.DeadlineExceeded)
}

// newAPIError builds the error for a non-2xx response from its status,
// headers and (already size-limited) body.
func newAPIError(method, path string, status int, h http.Header, body []byte) *APIError {
	e := &APIError{Status: status, Method: method, Path: path}
	if h != nil {
		e.RequestID = firstHeader(h, "X-Request-Id", "X-Correlation-Id")
		switch {
		case status == http.StatusTooManyRequests:
			e.RetryAfter = retryAfterFromHeaders(h)
		case status >= 500:
			// BigCommerce sends the rate-limit headers on every response, so
			// the window's reset says nothing about a server error: only an
			// explicit X-Retry-After, or a used-up window, asks for a wait.
			if strings.TrimSpace(h.Get(headerLeft)) == "0" {
				e.RetryAfter = retryAfterFromHeaders(h)
			} else {
				e.RetryAfter = retryAfterSeconds(h)
			}
		}
	}
	decodeErrorBody(e, body)
	return e
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(h.Get(n)); v != "" {
			return v
		}
	}
	return ""
}

// decodeErrorBody fills the descriptive fields of e from a v2, v3 or non-JSON
// body. It never fails: what it cannot read it keeps as text.
func decodeErrorBody(e *APIError, body []byte) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return
	}
	if json.Valid(body) {
		switch body[0] {
		case '[':
			var items []json.RawMessage
			if json.Unmarshal(body, &items) == nil {
				for _, it := range items {
					decodeErrorObject(e, it)
				}
				return
			}
		case '{':
			decodeErrorObject(e, body)
			return
		case '"':
			var s string
			if json.Unmarshal(body, &s) == nil {
				e.Messages = appendMessage(e.Messages, s)
				return
			}
		}
	}
	e.Messages = appendMessage(e.Messages, cutText(string(body), 512))
}

// decodeErrorObject reads one error object. It knows the v2 keys (status,
// message, details) and the v3 keys (status, title, type, detail, code,
// errors), takes any of them from either shape, and ignores the rest.
func decodeErrorObject(e *APIError, raw json.RawMessage) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			e.Messages = appendMessage(e.Messages, s)
		}
		return
	}
	if e.Title == "" {
		e.Title = textOf(obj["title"])
	}
	if e.Type == "" {
		e.Type = textOf(obj["type"])
	}
	if e.Code == "" {
		e.Code = textOf(obj["code"])
	}
	for _, key := range []string{"message", "detail", "error"} {
		e.Messages = appendMessage(e.Messages, textOf(obj[key]))
	}
	if details, ok := obj["details"]; ok {
		addFields(e, details)
	}
	if errs, ok := obj["errors"]; ok {
		addFields(e, errs)
	}
}

// addFields reads v3 "errors" (or v2 "details"): an object of field to
// message (a string, a list or anything else, kept as compact JSON) or a
// list of messages.
func addFields(e *APIError, raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return
	}
	switch raw[0] {
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return
		}
		for k, v := range m {
			if len(e.Fields) >= maxFields {
				break
			}
			if e.Fields == nil {
				e.Fields = make(map[string]string, len(m))
			}
			e.Fields[cutText(k, 128)] = textOf(v)
		}
	case '[':
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return
		}
		for _, v := range list {
			e.Messages = appendMessage(e.Messages, textOf(v))
		}
	default:
		e.Messages = appendMessage(e.Messages, textOf(raw))
	}
}

// textOf renders a JSON value as message text: a string unquoted, a list of
// strings joined with "; ", anything else as compact JSON; cut to 512 bytes.
func textOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return cutText(s, 512)
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return cutText(strings.Join(list, "; "), 512)
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return cutText(buf.String(), 512)
	}
	return cutText(string(raw), 512)
}

// appendMessage adds m, cut to 512 bytes, unless it is blank or msgs
// already holds 20 messages: an error body of any size makes a bounded error.
func appendMessage(msgs []string, m string) []string {
	if m = strings.TrimSpace(m); m == "" || len(msgs) >= 20 {
		return msgs
	}
	return append(msgs, cutText(m, 512))
}

// cutText cuts s to at most n bytes on a rune boundary and replaces invalid
// UTF-8, so error strings stay printable.
func cutText(s string, n int) string {
	// Replace invalid bytes first: each grows to three bytes, so replacing
	// after the cut could push the result past its bound.
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// retryAfterFromHeaders returns the longer of X-Rate-Limit-Time-Reset-Ms
// (milliseconds) and X-Retry-After (seconds), or 0 when neither is usable.
// Each is capped at one hour so a bogus header cannot park a worker forever.
func retryAfterFromHeaders(h http.Header) time.Duration {
	const ceiling = time.Hour
	var d time.Duration
	if ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(headerResetMs)), 10, 64); err == nil && ms > 0 {
		d = min(time.Duration(ms)*time.Millisecond, ceiling)
	}
	return max(d, retryAfterSeconds(h))
}

// retryAfterSeconds returns X-Retry-After (seconds, capped at one hour), or 0.
func retryAfterSeconds(h http.Header) time.Duration {
	const ceiling = time.Hour
	s, err := strconv.ParseFloat(strings.TrimSpace(h.Get(headerRetryAfter)), 64)
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(min(s, ceiling.Seconds()) * float64(time.Second))
}

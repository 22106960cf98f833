package salesforce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors. Match them with errors.Is; *APIError, *AuthError and
// *UsageCeilingError report the ones that apply.
var (
	// ErrSessionExpired means Salesforce answered 401 (INVALID_SESSION_ID)
	// even after the client fetched a fresh token once.
	ErrSessionExpired = errors.New("salesforce: session expired or invalid")
	// ErrRequestLimitExceeded means 403 REQUEST_LIMIT_EXCEEDED (the daily or
	// the concurrent-request limit) or 429.
	ErrRequestLimitExceeded = errors.New("salesforce: request limit exceeded")
	// ErrNotFound means 404, e.g. an unknown record ID or external ID field.
	ErrNotFound = errors.New("salesforce: not found")
	// ErrMultipleMatches means 300: an external ID value matched several
	// records and nothing was written.
	ErrMultipleMatches = errors.New("salesforce: external ID matches several records")
	// ErrDuplicateValue means DUPLICATE_VALUE: a unique field already holds
	// the value.
	ErrDuplicateValue = errors.New("salesforce: duplicate value")
	// ErrDuplicatesDetected means DUPLICATES_DETECTED: an active duplicate
	// rule of the org refused the save. It is about the data, not
	// retryable: change the rule (its matching rule or its action), or, for
	// a rule whose action is Alert, send the duplicate rule header
	// (WithDuplicateRuleAllowSave).
	ErrDuplicatesDetected = errors.New("salesforce: duplicates detected")
	// ErrUsageCeiling means the org's API usage is past the configured
	// ceiling, so the client did not call Salesforce.
	ErrUsageCeiling = errors.New("salesforce: API usage ceiling reached")
)

// Error codes this package acts on.
const (
	// CodeInvalidSession is sent with 401 for an expired or revoked token.
	CodeInvalidSession = "INVALID_SESSION_ID"
	// CodeRequestLimitExceeded is sent with 403 for the daily or the
	// concurrent-request limit; the message tells which.
	CodeRequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"
	// CodeUnableToLockRow means a record lock timed out; retrying helps.
	CodeUnableToLockRow = "UNABLE_TO_LOCK_ROW"
	// CodeServerUnavailable means the server is too busy; retrying helps.
	CodeServerUnavailable = "SERVER_UNAVAILABLE"
	// CodeDuplicateValue means a unique or external ID field clashed.
	CodeDuplicateValue = "DUPLICATE_VALUE"
	// CodeDuplicatesDetected means an active duplicate rule refused the save.
	CodeDuplicatesDetected = "DUPLICATES_DETECTED"
	// CodeNotFound is sent with 404.
	CodeNotFound = "NOT_FOUND"
	// CodeProcessingHalted marks subrequests rolled back or skipped because
	// another one failed.
	CodeProcessingHalted = "PROCESSING_HALTED"
)

// maxErrorBody is how much of an error body is read; the rest is dropped.
const maxErrorBody = 1 << 20

// maxSnippet is how much of a non-JSON error body is kept in APIError.Body.
const maxSnippet = 256

// ErrorEntry is one {errorCode, message, fields} entry of an error body.
// sObject Collections name the code statusCode; both land in Code.
type ErrorEntry struct {
	// Code is the error code, e.g. REQUIRED_FIELD_MISSING.
	Code string `json:"errorCode"`
	// Message is Salesforce's human-readable text.
	Message string `json:"message"`
	// Fields names the fields involved; often empty.
	Fields []string `json:"fields,omitempty"`
}

// UnmarshalJSON accepts errorCode or statusCode for the code, and tolerates
// a missing or null fields list.
func (e *ErrorEntry) UnmarshalJSON(b []byte) error {
	var raw struct {
		ErrorCode  string          `json:"errorCode"`
		StatusCode string          `json:"statusCode"`
		Message    string          `json:"message"`
		Fields     json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e.Code, e.Message, e.Fields = raw.ErrorCode, raw.Message, nil
	if e.Code == "" {
		e.Code = raw.StatusCode
	}
	if len(raw.Fields) > 0 {
		// A fields value that is not a string list is dropped, not fatal.
		_ = json.Unmarshal(raw.Fields, &e.Fields)
	}
	return nil
}

// APIError is a non-2xx answer of the REST API.
type APIError struct {
	// StatusCode is the HTTP status, e.g. 400.
	StatusCode int
	// Method and Path name the request (path without query string).
	Method, Path string
	// Errors holds every entry of the error body, in order.
	Errors []ErrorEntry
	// MatchedURLs lists the records a 300 answer matched.
	MatchedURLs []string
	// RequestID is the request id header of the response, if any.
	RequestID string
	// RetryAfter is the server's Retry-After, 0 when absent.
	RetryAfter time.Duration
	// Body is the start (at most 256 bytes) of a body that was not a
	// Salesforce error document, e.g. an HTML page from a CDN 503.
	Body string

	idempotent bool
}

// Error describes the status, every error code and the request id.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("salesforce: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	b.WriteString("HTTP " + strconv.Itoa(e.StatusCode))
	for i, en := range e.Errors {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString(" " + en.Code)
		if en.Message != "" {
			b.WriteString(": " + en.Message)
		}
		if len(en.Fields) > 0 {
			b.WriteString(" [" + strings.Join(en.Fields, ", ") + "]")
		}
	}
	if len(e.MatchedURLs) > 0 {
		fmt.Fprintf(&b, " (%d matching records)", len(e.MatchedURLs))
	}
	if e.HasCode(CodeDuplicatesDetected) {
		b.WriteString(" (an active duplicate rule refused the save: change the rule's matching rule or action," +
			" or, for a rule whose action is Alert, send the duplicate rule header with WithDuplicateRuleAllowSave)")
	}
	if len(e.Errors) == 0 && e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// HasCode reports whether any entry carries the error code.
func (e *APIError) HasCode(code string) bool {
	for _, en := range e.Errors {
		if en.Code == code {
			return true
		}
	}
	return false
}

// Code returns the first error code, or "" when there is none.
func (e *APIError) Code() string {
	if len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// Is maps the status and codes to the package's sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrMultipleMatches:
		return e.StatusCode == http.StatusMultipleChoices
	case ErrSessionExpired:
		return e.StatusCode == http.StatusUnauthorized
	case ErrRequestLimitExceeded:
		return e.StatusCode == http.StatusTooManyRequests || e.HasCode(CodeRequestLimitExceeded)
	case ErrDuplicateValue:
		return e.HasCode(CodeDuplicateValue)
	case ErrDuplicatesDetected:
		return e.HasCode(CodeDuplicatesDetected)
	}
	return false
}

// dailyLimit reports whether this is the org's daily request limit, which
// only lifts as the rolling 24-hour window moves.
func (e *APIError) dailyLimit() bool {
	for _, en := range e.Errors {
		if en.Code == CodeRequestLimitExceeded && strings.Contains(strings.ToLower(en.Message), "totalrequests") {
			return true
		}
	}
	return false
}

// requestIDHeaders are the headers Salesforce's edge uses for the request
// id, in order of preference.
var requestIDHeaders = []string{"X-Request-Id", "X-Sfdc-Request-Id", "Sforce-Request-Id"}

// decodeError builds an APIError from a response. It never fails: a body
// that is not a Salesforce error document is kept as a short snippet. Every
// form of the credentials red knows is removed before anything is kept or
// cut, so an answer that echoes the request (an Authorization header, a
// form body) leaks none of them, not even in part.
func decodeError(status int, h http.Header, body []byte, red *redactor) *APIError {
	e := &APIError{StatusCode: status}
	for _, name := range requestIDHeaders {
		if v := h.Get(name); v != "" {
			e.RequestID = clip(red.text(v), 128)
			break
		}
	}
	body = red.bytes(body)
	defer red.apiError(e)
	e.RetryAfter = parseRetryAfter(h)
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
	case trimmed[0] == '[':
		if status == http.StatusMultipleChoices && json.Unmarshal(trimmed, &e.MatchedURLs) == nil {
			break
		}
		e.MatchedURLs = nil
		if json.Unmarshal(trimmed, &e.Errors) != nil {
			e.Errors = nil
			e.Body = snippet(trimmed)
		}
	case trimmed[0] == '{':
		if en, ok := decodeErrorObject(trimmed); ok {
			e.Errors = []ErrorEntry{en}
		} else {
			e.Body = snippet(trimmed)
		}
	default:
		e.Body = snippet(trimmed)
	}
	return e
}

// decodeErrorObject reads the single-object shapes: {errorCode, message} and
// the OAuth {error, error_description}.
func decodeErrorObject(b []byte) (ErrorEntry, bool) {
	var en ErrorEntry
	if json.Unmarshal(b, &en) == nil && (en.Code != "" || en.Message != "") {
		return en, true
	}
	var oa struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(b, &oa) == nil && oa.Error != "" {
		return ErrorEntry{Code: oa.Error, Message: oa.Description}, true
	}
	return ErrorEntry{}, false
}

// parseRetryAfter reads Retry-After as seconds or as an HTTP date relative to
// the response's Date header.
func parseRetryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 || s > 86400 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	at, err1 := http.ParseTime(v)
	date, err2 := http.ParseTime(h.Get("Date"))
	if err1 != nil || err2 != nil || !at.After(date) || at.Sub(date) > 24*time.Hour {
		return 0
	}
	return at.Sub(date)
}

// snippet returns the start of a body as one line of valid UTF-8.
func snippet(b []byte) string {
	s := strings.ToValidUTF8(string(b[:min(len(b), 4*maxSnippet)]), "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	return clip(s, maxSnippet)
}

// clip cuts s to at most n bytes without splitting a rune.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

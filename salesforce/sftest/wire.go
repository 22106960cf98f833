package sftest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is one element of the JSON array Salesforce sends with a non-2xx
// REST response.
type apiError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields,omitempty"`
}

// itemError is the error shape inside SaveResult/UpsertResult items of sObject
// Collections: the code is named statusCode there, and fields is always present.
type itemError struct {
	StatusCode string           `json:"statusCode"`
	Message    string           `json:"message"`
	Fields     []string         `json:"fields"`
	Duplicates *duplicateResult `json:"duplicateResut,omitempty"`
}

// saveResult is a SaveResult or, with Created set, an UpsertResult.
type saveResult struct {
	ID      string      `json:"id,omitempty"`
	Success bool        `json:"success"`
	Errors  []itemError `json:"errors"`
	Created *bool       `json:"created,omitempty"`
}

// response is what one REST resource produced, before it is written to the
// wire or embedded in a composite result.
type response struct {
	status int
	header map[string]string
	body   any // nil means no body (204)
	// failed marks a 200 sObject Collections answer with a failed record, so
	// an allOrNone composite rolls back as Salesforce does.
	failed bool
}

// dmlError is a record-level failure: it becomes a 400 array element on a
// single-record call and an itemError inside a collection.
type dmlError struct {
	status int // 0 means 400
	code   string
	msg    string
	fields []string
	// duplicates is the duplicate result of DUPLICATES_DETECTED.
	duplicates *duplicateResult
}

func newDMLError(code, msg string, fields ...string) *dmlError {
	return &dmlError{code: code, msg: msg, fields: fields}
}

// recordError is apiError for record-level failures, which always carry a
// fields array (empty when no field is to blame).
type recordError struct {
	Duplicates *duplicateResult `json:"duplicateResut,omitempty"`
	Message    string           `json:"message"`
	ErrorCode  string           `json:"errorCode"`
	Fields     []string         `json:"fields"`
}

func (e *dmlError) response() response {
	st := e.status
	if st == 0 {
		st = http.StatusBadRequest
	}
	if e.code == "NOT_FOUND" {
		return errorResponse(st, e.code, e.msg)
	}
	f := e.fields
	if f == nil {
		f = []string{}
	}
	return response{status: st, body: []recordError{{Duplicates: e.duplicates, Message: e.msg, ErrorCode: e.code, Fields: f}}}
}

func (e *dmlError) item() itemError {
	f := e.fields
	if f == nil {
		f = []string{}
	}
	return itemError{StatusCode: e.code, Message: e.msg, Fields: f, Duplicates: e.duplicates}
}

func errorResponse(status int, code, msg string, fields ...string) response {
	return response{status: status, body: []apiError{{Message: msg, ErrorCode: code, Fields: fields}}}
}

func notFound() response {
	return errorResponse(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
}

func methodNotAllowed(method, allowed string) response {
	return errorResponse(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
		"HTTP Method '"+method+"' not allowed. Allowed are "+allowed)
}

func jsonParseError(msg string) response {
	return errorResponse(http.StatusBadRequest, "JSON_PARSER_ERROR", msg)
}

// writeResponse sends r with the JSON content type Salesforce uses.
func writeResponse(w http.ResponseWriter, r response) {
	for k, v := range r.header {
		w.Header().Set(k, v)
	}
	if r.body == nil {
		w.WriteHeader(r.status)
		return
	}
	if csv, ok := r.body.(csvBody); ok { // a Bulk API result (bulk.go)
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Length", strconv.Itoa(len(csv)))
		w.WriteHeader(r.status)
		_, _ = w.Write(csv)
		return
	}
	b, err := json.Marshal(r.body)
	if err != nil {
		// Bodies are built from decoded JSON and fixed structs, so this is
		// unreachable in practice; answer like Salesforce's generic failure.
		b = []byte(`[{"message":"An unexpected error occurred.","errorCode":"UNKNOWN_EXCEPTION"}]`)
		r.status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(r.status)
	_, _ = w.Write(b)
}

func boolPtr(b bool) *bool { return &b }

package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MaxCompositeSubrequests is the most subrequests one Composite call takes: 25.
const MaxCompositeSubrequests = 25

// CompositeRequest is the body of POST /composite: up to 25 subrequests that
// may reference earlier results as "@{referenceId.field}".
type CompositeRequest struct {
	// AllOrNone rolls back every subrequest when one fails. Default false.
	AllOrNone bool `json:"allOrNone"`
	// CollateSubrequests lets Salesforce group independent subrequests; nil
	// keeps the server default (true from API 49.0).
	CollateSubrequests *bool `json:"collateSubrequests,omitempty"`
	// Subrequests run in order.
	Subrequests []Subrequest `json:"compositeRequest"`
}

// SubResult is the result of one subrequest of a Composite or Composite
// Graph call.
type SubResult struct {
	// Body is the subrequest's response body: a result object, or an
	// error array when HTTPStatusCode is not 2xx.
	Body json.RawMessage `json:"body"`
	// HTTPHeaders holds the subrequest's response headers, e.g. Location.
	HTTPHeaders map[string]string `json:"httpHeaders"`
	// HTTPStatusCode is the subrequest's status, e.g. 201.
	HTTPStatusCode int `json:"httpStatusCode"`
	// ReferenceID is the subrequest's referenceId.
	ReferenceID string `json:"referenceId"`
}

// OK reports a 2xx status.
func (r SubResult) OK() bool { return r.HTTPStatusCode >= 200 && r.HTTPStatusCode <= 299 }

// Err returns nil for a 2xx result, else an *APIError decoded from the body
// (its Errors, or MatchedURLs for a 300).
func (r SubResult) Err() error {
	if r.OK() {
		return nil
	}
	e := decodeError(r.HTTPStatusCode, http.Header{}, r.Body, nil)
	e.Path = r.ReferenceID
	return e
}

// Halted reports a subrequest that did not run because another one failed
// (PROCESSING_HALTED).
func (r SubResult) Halted() bool {
	var apiErr *APIError
	return errors.As(r.Err(), &apiErr) && apiErr.HasCode(CodeProcessingHalted)
}

// Decode decodes the body of a 2xx result into v.
func (r SubResult) Decode(v any) error {
	if err := r.Err(); err != nil {
		return err
	}
	if err := json.NewDecoder(bytes.NewReader(r.Body)).Decode(v); err != nil {
		return fmt.Errorf("salesforce: decode result %q: %w", r.ReferenceID, err)
	}
	return nil
}

// ID returns the "id" of a 2xx result body (create, upsert), or "".
func (r SubResult) ID() string {
	var s struct {
		ID string `json:"id"`
	}
	if !r.OK() || json.Unmarshal(r.Body, &s) != nil {
		return ""
	}
	return s.ID
}

// Created reports 201 Created, or a body with "created": true.
func (r SubResult) Created() bool {
	if r.HTTPStatusCode == http.StatusCreated {
		return true
	}
	var s struct {
		Created bool `json:"created"`
	}
	return r.OK() && json.Unmarshal(r.Body, &s) == nil && s.Created
}

// CompositeResponse is the body of a Composite answer, and of each graph of
// a Composite Graph answer.
type CompositeResponse struct {
	// Results holds one result per subrequest, in order.
	Results []SubResult `json:"compositeResponse"`
}

// Result returns the result with the given referenceId.
func (r CompositeResponse) Result(referenceID string) (SubResult, bool) {
	for _, s := range r.Results {
		if s.ReferenceID == referenceID {
			return s, true
		}
	}
	return SubResult{}, false
}

// Composite sends POST /composite after checking 1-25 subrequests with
// unique referenceIds and URLs under /services/data/ or relative to the API
// version, which it completes with the client's version. The call counts as one API
// request; its HTTP status is 200 even when subrequests fail, so check each
// SubResult. It is retried on a transient failure only when no subrequest
// is a POST.
func (c *Client) Composite(ctx context.Context, req CompositeRequest) (*CompositeResponse, error) {
	if n := len(req.Subrequests); n == 0 || n > MaxCompositeSubrequests {
		return nil, fmt.Errorf("salesforce: composite takes 1-%d subrequests, got %d", MaxCompositeSubrequests, n)
	}
	if err := checkSubrequests(req.Subrequests); err != nil {
		return nil, err
	}
	req.Subrequests, _ = c.completeURLs(req.Subrequests)
	cl := call{method: http.MethodPost, path: c.dataPath("composite"), body: req, idempotent: noPOST(req.Subrequests)}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	var out CompositeResponse
	if err := decodeJSON(resp, "composite", &out); err != nil {
		return nil, err
	}
	c.scrubResults(resp, out.Results)
	return &out, nil
}

// checkSubrequests validates methods, URLs and referenceId uniqueness.
func checkSubrequests(subs []Subrequest) error {
	seen := make(map[string]bool, len(subs))
	for i, s := range subs {
		switch s.Method {
		case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		default:
			return fmt.Errorf("salesforce: subrequest %d: method %q not allowed", i, s.Method)
		}
		if s.URL == "" || strings.HasPrefix(s.URL, "/") && !strings.HasPrefix(s.URL, "/services/data/") ||
			strings.Contains(s.URL, "://") {
			return fmt.Errorf("salesforce: subrequest %d: URL %q must start with /services/data/ or be relative to the API version", i, s.URL)
		}
		if err := checkRefID(s.ReferenceID); err != nil {
			return fmt.Errorf("salesforce: subrequest %d: %w", i, err)
		}
		if seen[s.ReferenceID] {
			return fmt.Errorf("salesforce: subrequest %d: duplicate referenceId %q", i, s.ReferenceID)
		}
		seen[s.ReferenceID] = true
	}
	return nil
}

// checkRefID accepts what Salesforce documents for referenceId: letters,
// digits and underscores, starting with a letter or digit.
func checkRefID(id string) error {
	if id == "" || len(id) > 255 {
		return fmt.Errorf("referenceId %q must be 1-255 characters", id)
	}
	for _, r := range id {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return fmt.Errorf("referenceId %q: only letters, digits and underscores", id)
		}
	}
	if id[0] == '_' {
		return fmt.Errorf("referenceId %q must not start with an underscore", id)
	}
	return nil
}

func noPOST(subs []Subrequest) bool {
	for _, s := range subs {
		if s.Method == http.MethodPost {
			return false
		}
	}
	return true
}

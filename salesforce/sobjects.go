package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SaveResult is the answer to a create, and one entry of a collection call.
type SaveResult struct {
	// ID is the record ID; empty when the record failed.
	ID string `json:"id"`
	// Success reports whether the record was written.
	Success bool `json:"success"`
	// Created is true when an upsert created the record.
	Created bool `json:"created"`
	// Errors explain a failure (collections name the code statusCode).
	Errors []ErrorEntry `json:"errors"`
}

// Err returns nil for a successful record, else a *RecordError with Index
// 0; Errs sets the index.
func (r SaveResult) Err() error {
	if r.Success {
		return nil
	}
	return &RecordError{Errors: r.Errors}
}

// RecordError is the failure of one record inside a collection, composite or
// graph call, whose HTTP status was 200 overall.
type RecordError struct {
	// Index is the record's position in the caller's input (set by Errs).
	Index int
	// Errors are the record's entries (statusCode in collections).
	Errors []ErrorEntry
}

// Error lists the record's error codes and messages.
func (e *RecordError) Error() string {
	parts := make([]string, 0, len(e.Errors))
	for _, en := range e.Errors {
		parts = append(parts, en.Code+": "+en.Message)
	}
	return fmt.Sprintf("salesforce: record %d failed: %s", e.Index, strings.Join(parts, "; "))
}

// Is reports ErrDuplicateValue for a DUPLICATE_VALUE entry.
func (e *RecordError) Is(target error) bool {
	if target != ErrDuplicateValue {
		return false
	}
	for _, en := range e.Errors {
		if en.Code == CodeDuplicateValue {
			return true
		}
	}
	return false
}

// UpsertResult is the outcome of an upsert by external ID.
type UpsertResult struct {
	// ID is the record ID. It is empty only when Salesforce answered 204 No
	// Content (API versions before 46.0 do for updates).
	ID string
	// Created is true for 201 Created, false for an update.
	Created bool
}

// Create inserts one record (POST /sobjects/{sobject}/) and returns its ID.
// record is anything that encodes as a JSON object of fields, without Id.
func (c *Client) Create(ctx context.Context, sobject string, record any) (string, error) {
	if err := checkName("sObject", sobject); err != nil {
		return "", err
	}
	return c.create(ctx, c.dataPath("sobjects", sobject)+"/", sobject, record)
}

// create POSTs record to path (an sObject or Tooling sObject resource) and
// returns the new record's id.
func (c *Client) create(ctx context.Context, path, sobject string, record any) (string, error) {
	resp, err := c.do(ctx, call{method: http.MethodPost, path: path, body: record})
	if err != nil {
		return "", err
	}
	var res SaveResult
	if err := decodeJSON(resp, "create", &res); err != nil {
		return "", err
	}
	if res.ID == "" {
		return "", fmt.Errorf("salesforce: create %s: response has no id", sobject)
	}
	return res.ID, nil
}

// Get reads one record into out (a pointer). fields chooses the fields; an
// empty list reads all of them. A missing record is ErrNotFound.
func (c *Client) Get(ctx context.Context, sobject, id string, fields []string, out any) error {
	if err := checkName("sObject", sobject); err != nil {
		return err
	}
	if err := checkID(id); err != nil {
		return err
	}
	var q url.Values
	if len(fields) > 0 {
		for _, f := range fields {
			if err := checkFieldPath(f); err != nil {
				return err
			}
		}
		q = url.Values{"fields": {strings.Join(fields, ",")}}
	}
	resp, err := c.do(ctx, call{method: http.MethodGet, path: c.dataPath("sobjects", sobject, id), query: q, idempotent: true})
	if err != nil {
		return err
	}
	return decodeJSON(resp, "get "+sobject, out)
}

// Update changes the given fields of one record (PATCH, 204 No Content).
func (c *Client) Update(ctx context.Context, sobject, id string, record any) error {
	if err := checkName("sObject", sobject); err != nil {
		return err
	}
	if err := checkID(id); err != nil {
		return err
	}
	_, err := c.do(ctx, call{method: http.MethodPatch, path: c.dataPath("sobjects", sobject, id), body: record, idempotent: true})
	return err
}

// Delete removes one record (204 No Content). A missing record is ErrNotFound.
func (c *Client) Delete(ctx context.Context, sobject, id string) error {
	if err := checkName("sObject", sobject); err != nil {
		return err
	}
	if err := checkID(id); err != nil {
		return err
	}
	_, err := c.do(ctx, call{method: http.MethodDelete, path: c.dataPath("sobjects", sobject, id), idempotent: true})
	return err
}

// Upsert creates or updates the record whose externalIDField equals
// externalID (PATCH /sobjects/{sobject}/{field}/{value}). It accepts 201
// (created), 200 with created:false (updated, API 46.0+) and 204 (updated,
// older versions). Several matching records give ErrMultipleMatches with
// the matched URLs in *APIError.MatchedURLs, and an unknown field
// ErrNotFound. record must not contain Id or the external ID field (checked
// when record is a map[string]any). An external ID that no URL path can
// carry ("", "." or "..") is refused without a call; see UpsertPath.
func (c *Client) Upsert(ctx context.Context, sobject, externalIDField, externalID string, record any) (UpsertResult, error) {
	path, err := UpsertPath(c.version, sobject, externalIDField, externalID)
	if err != nil {
		return UpsertResult{}, err
	}
	if m, ok := record.(map[string]any); ok {
		for _, k := range []string{"Id", externalIDField} {
			if _, bad := m[k]; bad {
				return UpsertResult{}, fmt.Errorf("salesforce: upsert %s: the body must not contain %s (Salesforce rejects it)", sobject, k)
			}
		}
	}
	resp, err := c.do(ctx, call{method: http.MethodPatch, path: path, body: record, idempotent: true})
	if err != nil {
		return UpsertResult{}, err
	}
	if resp.status == http.StatusNoContent || len(strings.TrimSpace(string(resp.body))) == 0 {
		return UpsertResult{Created: resp.status == http.StatusCreated}, nil
	}
	var res SaveResult
	if err := decodeJSON(resp, "upsert "+sobject, &res); err != nil {
		return UpsertResult{}, err
	}
	return UpsertResult{ID: res.ID, Created: res.Created || resp.status == http.StatusCreated}, nil
}

// checkName accepts API names such as Account, Order__c or ns__Field__c, so
// a name can never change the request path.
func checkName(what, name string) error {
	if name == "" || len(name) > 80 {
		return fmt.Errorf("salesforce: %s name %q must be 1-80 characters", what, name)
	}
	for i, r := range name {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("salesforce: %s name %q: only letters, digits and underscores, starting with a letter", what, name)
		}
	}
	return nil
}

// checkFieldPath accepts a field name or a relationship path (Account.Name).
func checkFieldPath(f string) error {
	for part := range strings.SplitSeq(f, ".") {
		if err := checkName("field", part); err != nil {
			return err
		}
	}
	return nil
}

// checkID accepts 15- or 18-character record IDs.
func checkID(id string) error {
	if len(id) != 15 && len(id) != 18 {
		return fmt.Errorf("salesforce: record ID %q must be 15 or 18 characters", id)
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return fmt.Errorf("salesforce: record ID %q must be alphanumeric", id)
		}
	}
	return nil
}

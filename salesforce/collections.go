package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// MaxCollectionRecords is the most records one sObject Collections call
// takes: 200. Longer slices are sent in chunks of 200.
const MaxCollectionRecords = 200

// Record is one sObject for the collection calls: its type and its fields.
// It encodes as {"attributes":{"type":Type}, ...Fields}.
type Record struct {
	// Type is the sObject type, e.g. "Contact".
	Type string
	// Fields are the field values by API name.
	Fields map[string]any
}

// MarshalJSON writes the attributes block that Collections require.
func (r Record) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(r.Fields)+1)
	for k, v := range r.Fields {
		m[k] = v
	}
	m["attributes"] = map[string]string{"type": r.Type}
	return json.Marshal(m)
}

// CollectionOptions tunes a collection call.
type CollectionOptions struct {
	// AllOrNone rolls back every record of a chunk when one fails. It holds
	// within each chunk of 200 records, not across chunks. Default false.
	AllOrNone bool
}

type collectionBody struct {
	AllOrNone bool     `json:"allOrNone"`
	Records   []Record `json:"records"`
}

// CreateMany inserts records of any types (POST /composite/sobjects), 200
// per call, and returns one SaveResult per record in input order. A record
// that fails does not make the call fail: check each result's Err. The
// returned error is for the call itself (and then the results of the chunks
// sent before it are returned with it).
func (c *Client) CreateMany(ctx context.Context, records []Record, opts CollectionOptions) ([]SaveResult, error) {
	for i, r := range records {
		if err := checkName("sObject", r.Type); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if _, ok := r.Fields["Id"]; ok {
			return nil, fmt.Errorf("salesforce: record %d: Id must not be set on create", i)
		}
	}
	return c.collection(ctx, http.MethodPost, c.dataPath("composite", "sobjects"), records, opts, false)
}

// UpdateMany updates records by their Id field (PATCH /composite/sobjects),
// 200 per call, with results in input order.
func (c *Client) UpdateMany(ctx context.Context, records []Record, opts CollectionOptions) ([]SaveResult, error) {
	for i, r := range records {
		if err := checkName("sObject", r.Type); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		id, _ := r.Fields["Id"].(string)
		if err := checkID(id); err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
	}
	return c.collection(ctx, http.MethodPatch, c.dataPath("composite", "sobjects"), records, opts, true)
}

// UpsertMany creates or updates records of one type by an external ID field
// (PATCH /composite/sobjects/{sobject}/{field}, API 46.0+), 200 per call,
// with results (Created set) in input order. Every record must be of type
// sobject, carry the external ID field and not carry Id.
func (c *Client) UpsertMany(ctx context.Context, sobject, externalIDField string, records []Record, opts CollectionOptions) ([]SaveResult, error) {
	if err := checkName("sObject", sobject); err != nil {
		return nil, err
	}
	if err := checkName("external ID field", externalIDField); err != nil {
		return nil, err
	}
	for i, r := range records {
		if r.Type != sobject {
			return nil, fmt.Errorf("salesforce: record %d is a %q, want %q (upsert takes one type)", i, r.Type, sobject)
		}
		if _, ok := r.Fields[externalIDField]; !ok {
			return nil, fmt.Errorf("salesforce: record %d has no %s value", i, externalIDField)
		}
		if _, ok := r.Fields["Id"]; ok {
			return nil, fmt.Errorf("salesforce: record %d: Id must not be set on upsert", i)
		}
	}
	return c.collection(ctx, http.MethodPatch, c.dataPath("composite", "sobjects", sobject, externalIDField), records, opts, true)
}

// collection sends records in chunks and joins the results in order.
func (c *Client) collection(ctx context.Context, method, path string, records []Record, opts CollectionOptions, idempotent bool) ([]SaveResult, error) {
	if len(records) == 0 {
		return nil, errors.New("salesforce: no records")
	}
	out := make([]SaveResult, 0, len(records))
	for start := 0; start < len(records); start += MaxCollectionRecords {
		chunk := records[start:min(start+MaxCollectionRecords, len(records))]
		resp, err := c.do(ctx, call{method: method, path: path, body: collectionBody{opts.AllOrNone, chunk}, idempotent: idempotent})
		if err != nil {
			return out, fmt.Errorf("salesforce: records %d-%d: %w", start, start+len(chunk)-1, err)
		}
		var res []SaveResult
		if err := decodeJSON(resp, "collection", &res); err != nil {
			return out, err
		}
		if len(res) != len(chunk) {
			return out, fmt.Errorf("salesforce: records %d-%d: got %d results for %d records", start, start+len(chunk)-1, len(res), len(chunk))
		}
		out = append(out, res...)
	}
	return out, nil
}

// Errs returns the failed results of a collection call as *RecordError
// values, with Index set to the record's input position; nil when all
// succeeded.
func Errs(results []SaveResult) []error {
	var errs []error
	for i, r := range results {
		if !r.Success {
			errs = append(errs, &RecordError{Index: i, Errors: r.Errors})
		}
	}
	return errs
}

package sftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// maxCollection is the most records one sObject Collections request takes.
const maxCollection = 200

type collectionBody struct {
	AllOrNone bool             `json:"allOrNone"`
	Records   []map[string]any `json:"records"`
}

func rolledBack() itemError {
	return itemError{StatusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK",
		Message: "Record rolled back because not all records were valid and the request was using AllOrNone header",
		Fields:  []string{}}
}

// handleCollections serves /composite/sobjects[/{type}/{externalIdField}].
func (s *Server) handleCollections(t *tx, c call) response {
	switch {
	case len(c.segs) == 2 && c.method == http.MethodDelete:
		ids := splitFields(c.query.Get("ids"))
		return s.runCollection(t, len(ids), c.allOrNone || c.query.Get("allOrNone") == "true",
			func(i int) saveResult { return s.deleteItem(t, ids[i]) })
	case len(c.segs) == 2 && (c.method == http.MethodPost || c.method == http.MethodPatch):
		body, bad := decodeCollection(c.body)
		if bad != nil {
			return *bad
		}
		create := c.method == http.MethodPost
		return s.runCollection(t, len(body.Records), c.allOrNone || body.AllOrNone, func(i int) saveResult {
			if create {
				return s.createItem(t, body.Records[i])
			}
			return s.updateItem(t, body.Records[i])
		})
	case len(c.segs) == 4 && c.method == http.MethodPatch:
		obj := t.st.object(c.segs[2])
		if obj == nil {
			return notFound()
		}
		field, ok := obj.isExternalID(c.segs[3])
		if !ok {
			return notFound()
		}
		body, bad := decodeCollection(c.body)
		if bad != nil {
			return *bad
		}
		dups := duplicateValues(body.Records, field)
		return s.runCollection(t, len(body.Records), c.allOrNone || body.AllOrNone, func(i int) saveResult {
			return s.upsertItem(t, obj, field, body.Records[i], dups)
		})
	case len(c.segs) == 2 || len(c.segs) == 4:
		return methodNotAllowed(c.method, "POST,PATCH,DELETE")
	}
	return notFound()
}

func decodeCollection(b []byte) (collectionBody, *response) {
	var body collectionBody
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		r := jsonParseError("Cannot deserialize the request body: expected {\"allOrNone\":bool,\"records\":[...]}")
		return body, &r
	}
	return body, nil
}

// runCollection applies n record operations in order. With allOrNone, one
// failure undoes them all and every other record reports
// ALL_OR_NONE_OPERATION_ROLLED_BACK.
func (s *Server) runCollection(t *tx, n int, allOrNone bool, item func(int) saveResult) response {
	if n == 0 {
		return errorResponse(http.StatusBadRequest, "INVALID_INPUT", "No records were specified in the request")
	}
	if n > maxCollection {
		return errorResponse(http.StatusBadRequest, "EXCEEDED_ID_LIMIT",
			fmt.Sprintf("record limit reached. cannot submit more than %d records into this call", maxCollection))
	}
	sp := t.savepoint()
	results := make([]saveResult, n)
	failed := false
	for i := range results {
		results[i] = item(i)
		failed = failed || !results[i].Success
	}
	if failed && allOrNone {
		t.rollbackTo(sp)
		for i, r := range results {
			if r.Success {
				results[i] = saveResult{Success: false, Errors: []itemError{rolledBack()}, Created: nil}
			}
		}
	}
	return response{status: http.StatusOK, body: results, failed: failed}
}

func failedItem(err *dmlError) saveResult {
	return saveResult{Success: false, Errors: []itemError{err.item()}}
}

// recordType reads attributes.type of a collection record.
func (s *Server) recordType(rec map[string]any) (*objectDef, *dmlError) {
	attrs, _ := rec["attributes"].(map[string]any)
	name, _ := attrs["type"].(string)
	if name == "" {
		return nil, newDMLError("INVALID_TYPE", "Must send a concrete entity type.")
	}
	obj := s.st.object(name)
	if obj == nil {
		return nil, newDMLError("INVALID_TYPE", "sObject type '"+name+"' is not supported.")
	}
	return obj, nil
}

func (s *Server) createItem(t *tx, rec map[string]any) saveResult {
	obj, err := s.recordType(rec)
	if err != nil {
		return failedItem(err)
	}
	fields, err := t.write(obj, rec, nil)
	if err != nil {
		return failedItem(err)
	}
	return saveResult{ID: t.insert(obj, fields).id, Success: true, Errors: []itemError{}}
}

func (s *Server) updateItem(t *tx, rec map[string]any) saveResult {
	obj, err := s.recordType(rec)
	if err != nil {
		return failedItem(err)
	}
	k, v, ok := lookupField(rec, "Id")
	raw, _ := v.(string)
	if !ok || raw == "" {
		return failedItem(newDMLError("MISSING_ARGUMENT", "Id not specified in an update call", "Id"))
	}
	id := normalizeID(raw)
	if id == "" || !strings.HasPrefix(id, obj.prefix) {
		return failedItem(newDMLError("MALFORMED_ID", fmt.Sprintf("%s ID: id value of incorrect type: %s", obj.name, raw), "Id"))
	}
	target := t.st.records[id]
	if target == nil {
		return failedItem(newDMLError("ENTITY_IS_DELETED", "entity is deleted"))
	}
	body := copyFields(rec)
	delete(body, k)
	fields, err := t.write(obj, body, target)
	if err != nil {
		return saveResult{ID: id, Success: false, Errors: []itemError{err.item()}}
	}
	t.replace(target, fields)
	return saveResult{ID: id, Success: true, Errors: []itemError{}}
}

func (s *Server) upsertItem(t *tx, obj *objectDef, field string, rec map[string]any, dups map[string]bool) saveResult {
	got, err := s.recordType(rec)
	if err != nil {
		return failedItem(err)
	}
	if got != obj {
		return failedItem(newDMLError("INVALID_TYPE", "Records must be of type "+obj.name))
	}
	if _, _, ok := lookupField(rec, "Id"); ok {
		return failedItem(newDMLError("INVALID_FIELD", "The Id field should not be specified in the sobject data.", "Id"))
	}
	_, v, _ := lookupField(rec, field)
	value, ok := valueText(v)
	if !ok || value == "" {
		return failedItem(newDMLError("MISSING_ARGUMENT", field+" not specified", field))
	}
	if dups[value] {
		return failedItem(newDMLError("DUPLICATE_EXTERNAL_ID", "Duplicate external id specified: "+value, field))
	}
	res := s.upsert(t, obj, field, value, copyFields(rec), false)
	switch {
	case res.err != nil:
		return failedItem(res.err)
	case res.multi != nil:
		return failedItem(newDMLError("DUPLICATE_EXTERNAL_ID",
			fmt.Sprintf("%s: more than one record found for external id field: %v", field, ids(res.multi)), field))
	}
	return saveResult{ID: res.rec.id, Success: true, Errors: []itemError{}, Created: boolPtr(res.created)}
}

// duplicateValues finds external ID values that occur more than once in one
// upsert batch; Salesforce fails every such record.
func duplicateValues(recs []map[string]any, field string) map[string]bool {
	seen := map[string]int{}
	for _, r := range recs {
		if _, v, ok := lookupField(r, field); ok {
			if t, ok := valueText(v); ok && t != "" {
				seen[t]++
			}
		}
	}
	out := map[string]bool{}
	for v, n := range seen {
		if n > 1 {
			out[v] = true
		}
	}
	return out
}

func (s *Server) deleteItem(t *tx, raw string) saveResult {
	id := normalizeID(raw)
	if id == "" {
		return failedItem(newDMLError("MALFORMED_ID", "malformed id "+raw))
	}
	rec := t.st.records[id]
	if rec == nil {
		return saveResult{ID: id, Success: false, Errors: []itemError{newDMLError("ENTITY_IS_DELETED", "entity is deleted").item()}}
	}
	t.remove(rec)
	return saveResult{ID: id, Success: true, Errors: []itemError{}}
}

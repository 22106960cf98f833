package sftest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
)

// decodeObject parses a JSON object body, keeping numbers as json.Number so
// that money keeps its exact decimal text.
func decodeObject(b []byte) (map[string]any, *response) {
	if len(bytes.TrimSpace(b)) == 0 {
		r := jsonParseError("The HTTP entity body is required, but this request has no entity body.")
		return nil, &r
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		r := jsonParseError("Unexpected character in the request body: expected a JSON object")
		return nil, &r
	}
	if dec.More() {
		r := jsonParseError("Unexpected content after the JSON object")
		return nil, &r
	}
	return m, nil
}

func (s *Server) handleSObjects(t *tx, c call) response {
	segs := c.segs
	if len(segs) == 1 {
		if c.method != http.MethodGet {
			return methodNotAllowed(c.method, "GET,HEAD")
		}
		return s.describeGlobal()
	}
	obj := t.st.object(segs[1])
	if obj == nil {
		return notFound()
	}
	switch len(segs) {
	case 2:
		switch c.method {
		case http.MethodPost:
			return s.createOne(t, obj, c)
		case http.MethodGet:
			return response{status: http.StatusOK, body: map[string]any{
				"objectDescribe": map[string]any{"name": obj.name, "keyPrefix": obj.prefix},
				"recentItems":    []any{},
			}}
		}
		return methodNotAllowed(c.method, "GET,HEAD,POST")
	case 3:
		if segs[2] == "describe" && c.method == http.MethodGet {
			return describe(obj)
		}
		return s.byID(t, obj, segs[2], c)
	case 4:
		if looksLikeFile(segs[3]) {
			return notFound()
		}
		return s.byExternalID(t, obj, segs[2], segs[3], c)
	}
	return notFound()
}

func sobjectURL(version string, obj *objectDef, id string) string {
	return "/services/data/" + version + "/sobjects/" + obj.name + "/" + id
}

func (s *Server) createOne(t *tx, obj *objectDef, c call) response {
	body, bad := decodeObject(c.body)
	if bad != nil {
		return *bad
	}
	fields, err := t.write(obj, body, nil)
	if err != nil {
		return err.response()
	}
	rec := t.insert(obj, fields)
	return response{
		status: http.StatusCreated,
		header: map[string]string{"Location": sobjectURL(c.version, obj, rec.id)},
		body:   saveResult{ID: rec.id, Success: true, Errors: []itemError{}},
	}
}

func (s *Server) byID(t *tx, obj *objectDef, rawID string, c call) response {
	switch c.method {
	case http.MethodGet, http.MethodPatch, http.MethodDelete:
	default:
		return methodNotAllowed(c.method, "GET,HEAD,PATCH,DELETE")
	}
	id := normalizeID(rawID)
	if id == "" || id[:3] != obj.prefix {
		return errorResponse(http.StatusNotFound, "NOT_FOUND",
			"Provided external ID field does not exist or is not accessible: "+rawID)
	}
	rec := t.st.records[id]
	if rec == nil || rec.object != obj {
		return notFound()
	}
	switch c.method {
	case http.MethodGet:
		return response{status: http.StatusOK, body: recordView(rec, c.version, splitFields(c.query.Get("fields")))}
	case http.MethodPatch:
		body, bad := decodeObject(c.body)
		if bad != nil {
			return *bad
		}
		fields, err := t.write(obj, body, rec)
		if err != nil {
			return err.response()
		}
		t.replace(rec, fields)
		return response{status: http.StatusNoContent}
	case http.MethodDelete:
		t.remove(rec)
		return response{status: http.StatusNoContent}
	}
	return methodNotAllowed(c.method, "GET,HEAD,PATCH,DELETE")
}

func (s *Server) byExternalID(t *tx, obj *objectDef, rawField, value string, c call) response {
	field, ok := obj.isExternalID(rawField)
	if !ok {
		return notFound()
	}
	switch c.method {
	case http.MethodGet, http.MethodDelete:
		found := t.st.match(obj, field, value)
		switch {
		case len(found) == 0:
			return notFound()
		case len(found) > 1:
			return multipleChoices(c.version, found)
		case c.method == http.MethodGet:
			return response{status: http.StatusOK, body: recordView(found[0], c.version, splitFields(c.query.Get("fields")))}
		}
		t.remove(found[0])
		return response{status: http.StatusNoContent}
	case http.MethodPatch:
		body, bad := decodeObject(c.body)
		if bad != nil {
			return *bad
		}
		res := s.upsert(t, obj, field, value, body, c.query.Get("updateOnly") == "true")
		switch {
		case res.err != nil:
			return res.err.response()
		case res.multi != nil:
			return multipleChoices(c.version, res.multi)
		case res.created:
			return response{
				status: http.StatusCreated,
				header: map[string]string{"Location": sobjectURL(c.version, obj, res.rec.id)},
				body:   upsertBody(res.rec.id, true, c.verNum),
			}
		case c.verNum < 46:
			return response{status: http.StatusNoContent}
		}
		return response{status: http.StatusOK, body: upsertBody(res.rec.id, false, c.verNum)}
	}
	return methodNotAllowed(c.method, "GET,HEAD,PATCH,DELETE")
}

// upsertBody is the UpsertResult of a single-record upsert; API versions
// before 46.0 leave out "created".
func upsertBody(id string, created bool, ver float64) saveResult {
	r := saveResult{ID: id, Success: true, Errors: []itemError{}}
	if ver >= 46 {
		r.Created = boolPtr(created)
	}
	return r
}

// multipleChoices is the 300 answer to an external ID that matches several
// records: a JSON array of their URLs; nothing is written.
func multipleChoices(version string, found []*stored) response {
	urls := make([]string, len(found))
	for i, r := range found {
		urls[i] = sobjectURL(version, r.object, r.id)
	}
	return response{status: http.StatusMultipleChoices, body: urls}
}

type upsertResult struct {
	rec     *stored
	created bool
	multi   []*stored
	err     *dmlError
}

// upsert creates or updates the one record of obj whose external ID field
// holds value.
func (s *Server) upsert(t *tx, obj *objectDef, field, value string, body map[string]any, updateOnly bool) upsertResult {
	if k, v, ok := lookupField(body, field); ok {
		if text, _ := valueText(v); text != value {
			return upsertResult{err: newDMLError("INVALID_FIELD",
				"The external ID field "+field+" in the body does not match the value in the URL", field)}
		}
		delete(body, k)
	}
	found := t.st.match(obj, field, value)
	switch len(found) {
	case 0:
		if updateOnly {
			return upsertResult{err: &dmlError{status: http.StatusNotFound, code: "NOT_FOUND", msg: "The requested resource does not exist"}}
		}
		fields, err := t.write(obj, body, nil)
		if err != nil {
			return upsertResult{err: err}
		}
		fields[field] = value
		return upsertResult{rec: t.insert(obj, fields), created: true}
	case 1:
		fields, err := t.write(obj, body, found[0])
		if err != nil {
			return upsertResult{err: err}
		}
		t.replace(found[0], fields)
		return upsertResult{rec: found[0]}
	}
	return upsertResult{multi: found}
}

// recordView renders a record as the REST API does: an attributes block, then
// either every field or Id plus the requested ones (null when unset).
func recordView(rec *stored, version string, fields []string) map[string]any {
	out := map[string]any{"attributes": map[string]string{
		"type": rec.object.name,
		"url":  sobjectURL(version, rec.object, rec.id),
	}}
	if len(fields) == 0 {
		for k, v := range rec.fields {
			out[k] = v
		}
		return out
	}
	out["Id"] = rec.id
	for _, f := range fields {
		if k, v, ok := lookupField(rec.fields, f); ok {
			out[k] = v
		} else {
			out[rec.object.canonicalField(f)] = nil
		}
	}
	return out
}

func (s *Server) describeGlobal() response {
	names := make([]string, 0, len(s.st.objects))
	for _, o := range s.st.objects {
		names = append(names, o.name)
	}
	sort.Strings(names)
	list := make([]map[string]any, 0, len(names))
	for _, n := range names {
		o := s.st.object(n)
		list = append(list, map[string]any{"name": o.name, "keyPrefix": o.prefix, "createable": true, "updateable": true})
	}
	return response{status: http.StatusOK, body: map[string]any{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list}}
}

// describe lists the fields the fake enforces rules on; a real org lists all.
func describe(obj *objectDef) response {
	fields := make([]map[string]any, 0, len(obj.known))
	for _, f := range obj.known {
		_, ext := obj.isExternalID(f)
		fields = append(fields, map[string]any{
			"name":       f,
			"externalId": ext,
			"unique":     ext,
			"length":     maxLength(obj, f),
			"nillable":   !containsFold(obj.required, f),
			"createable": f != "Id",
			"updateable": f != "Id" && !containsFold(obj.createOnly, f),
		})
	}
	return response{status: http.StatusOK, body: map[string]any{"name": obj.name, "keyPrefix": obj.prefix, "fields": fields}}
}

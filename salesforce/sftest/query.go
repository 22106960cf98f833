package sftest

import (
	"encoding/json"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

func splitFields(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// handleQuery serves GET /query?q= and GET /query/{locator}-{offset}.
func (s *Server) handleQuery(t *tx, c call) response {
	if c.method != http.MethodGet {
		return methodNotAllowed(c.method, "GET,HEAD")
	}
	switch len(c.segs) {
	case 1:
		q := c.query.Get("q")
		if q == "" {
			return errorResponse(http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")
		}
		return s.runQuery(t, c, q)
	case 2:
		return s.queryMore(c, c.segs[1])
	}
	return notFound()
}

func (s *Server) runQuery(t *tx, c call, text string) response {
	rows, _, bad := t.selectRows(c.version, text)
	if bad != nil {
		return *bad
	}
	return s.page(c, rows, 0, "")
}

// selectRows runs a SOQL query and returns its rows, projected, with the
// parsed query; a bad query is an error response.
func (t *tx) selectRows(version, text string) ([]map[string]any, *soqlQuery, *response) {
	q, err := parseSOQL(text)
	if err != nil {
		r := errorResponse(http.StatusBadRequest, "MALFORMED_QUERY", strings.TrimPrefix(err.Error(), "sftest: malformed query: "))
		return nil, nil, &r
	}
	obj := t.st.object(q.Object)
	if obj == nil {
		r := errorResponse(http.StatusBadRequest, "INVALID_TYPE", "sObject type '"+q.Object+
			"' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.")
		return nil, nil, &r
	}
	var matched []*stored
	for _, r := range t.st.list(obj) {
		if t.st.matchesAll(r, q.Where) {
			matched = append(matched, r)
		}
	}
	if q.OrderBy != "" {
		t.st.sortRecords(matched, q.OrderBy, q.Desc)
	}
	if q.Limit >= 0 && len(matched) > q.Limit {
		matched = matched[:q.Limit]
	}
	rows := make([]map[string]any, len(matched))
	for i, r := range matched {
		rows[i] = t.project(r, version, q.Fields)
	}
	return rows, q, nil
}

// page renders rows[offset:] up to the page size (WithQueryPageSize, or a
// smaller Sforce-Query-Options batchSize), parking the rest under a query
// locator.
func (s *Server) page(c call, rows []map[string]any, offset int, locator string) response {
	size := s.cfg.pageSize
	if c.batchSize > 0 {
		size = min(size, c.batchSize)
	}
	end := min(offset+size, len(rows))
	body := map[string]any{"totalSize": len(rows), "done": end == len(rows), "records": rows[offset:end]}
	if end < len(rows) {
		if locator == "" {
			s.st.cursorN++
			locator = makeID("01g", s.st.cursorN)
			s.st.cursors[locator] = rows
		}
		body["nextRecordsUrl"] = "/services/data/" + c.version + "/query/" + locator + "-" + strconv.Itoa(end)
	} else if locator != "" {
		delete(s.st.cursors, locator)
	}
	return response{status: http.StatusOK, body: body}
}

func (s *Server) queryMore(c call, seg string) response {
	i := strings.LastIndexByte(seg, '-')
	bad := errorResponse(http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
	if i < 0 {
		return bad
	}
	offset, err := strconv.Atoi(seg[i+1:])
	rows, ok := s.st.cursors[seg[:i]]
	if err != nil || !ok || offset < 0 || offset >= len(rows) {
		return bad
	}
	return s.page(c, rows, offset, seg[:i])
}

// project renders the selected fields of r; Parent.Field follows the lookup
// ParentId one level.
func (t *tx) project(r *stored, version string, fields []string) map[string]any {
	out := map[string]any{"attributes": map[string]string{"type": r.object.name, "url": sobjectURL(version, r.object, r.id)}}
	for _, f := range fields {
		rel, sub, dotted := strings.Cut(f, ".")
		if !dotted {
			k, v, ok := lookupField(r.fields, f)
			if !ok {
				k, v = r.object.canonicalField(f), nil
			}
			out[k] = v
			continue
		}
		var parent *stored
		if _, v, ok := lookupField(r.fields, rel+"Id"); ok {
			if id, ok := v.(string); ok {
				parent = t.st.get(id)
			}
		}
		if parent == nil {
			out[rel] = nil
			continue
		}
		nested, _ := out[rel].(map[string]any)
		if nested == nil {
			nested = map[string]any{"attributes": map[string]string{"type": parent.object.name, "url": sobjectURL(version, parent.object, parent.id)}}
			out[rel] = nested
		}
		for k, v := range t.project(parent, version, []string{sub}) {
			if k != "attributes" {
				nested[k] = v
			}
		}
	}
	return out
}

// fieldValue reads a field of r; Parent.Field follows the lookup ParentId,
// to any depth. Unset fields and broken lookups read as nil.
func (st *state) fieldValue(r *stored, path string) any {
	for {
		rel, rest, dotted := strings.Cut(path, ".")
		if !dotted {
			_, v, _ := lookupField(r.fields, path)
			return v
		}
		_, v, _ := lookupField(r.fields, rel+"Id")
		id, _ := v.(string)
		if r = st.get(id); r == nil {
			return nil
		}
		path = rest
	}
}

func (st *state) matchesAll(r *stored, conds []condition) bool {
	for _, c := range conds {
		if !matches(st.fieldValue(r, c.Field), c) {
			return false
		}
	}
	return true
}

func matches(v any, c condition) bool {
	any := false
	for _, lit := range c.Values {
		if equalLiteral(c.Field, v, lit) {
			any = true
			break
		}
	}
	switch c.Op {
	case "=", "IN":
		return any
	}
	return !any
}

// equalLiteral compares a stored value with a SOQL literal: text compares
// case-insensitively (as SOQL does), ids in either length, numbers exactly.
func equalLiteral(field string, v any, lit literal) bool {
	switch lit.Kind {
	case litNull:
		return v == nil || v == ""
	case litBool:
		b, ok := v.(bool)
		return ok && strconv.FormatBool(b) == lit.Text
	case litNumber:
		return numberEqual(v, lit.Text)
	}
	text, ok := valueText(v)
	if !ok {
		return false
	}
	if strings.HasSuffix(strings.ToLower(field), "id") {
		if a, b := normalizeID(text), normalizeID(lit.Text); a != "" && b != "" {
			return a == b
		}
	}
	return strings.EqualFold(text, lit.Text)
}

func numberEqual(v any, text string) bool {
	var have string
	switch x := v.(type) {
	case json.Number:
		have = x.String()
	case string:
		have = x
	default:
		return false
	}
	a, ok1 := new(big.Rat).SetString(have)
	b, ok2 := new(big.Rat).SetString(text)
	return ok1 && ok2 && a.Cmp(b) == 0
}

// sortRecords orders by one field; nulls sort first ascending, as in SOQL.
func (st *state) sortRecords(recs []*stored, field string, desc bool) {
	key := func(r *stored) (string, bool) {
		t, ok := valueText(st.fieldValue(r, field))
		return strings.ToLower(t), ok
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, aok := key(recs[i])
		b, bok := key(recs[j])
		if aok != bok {
			return !aok != desc
		}
		if desc {
			return a > b
		}
		return a < b
	})
}

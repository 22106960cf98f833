package sftest

import (
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// sfTimeLayout is how Salesforce writes datetime fields in JSON.
const sfTimeLayout = "2006-01-02T15:04:05.000+0000"

// stored is one record in the fake org.
type stored struct {
	id     string
	object *objectDef
	seq    uint64
	fields map[string]any // includes Id and the system timestamps
}

// state is the fake org's data. Every access happens under Server.mu.
type state struct {
	objects  map[string]*objectDef // by lower-cased name
	byPrefix map[string]*objectDef
	records  map[string]*stored
	// index finds records by the text of an external ID field, so that
	// upsert by external ID stays cheap in a large org. insert, replace and remove
	// (and their undos) keep it in step with records.
	index   map[indexKey]map[*stored]struct{}
	seq     uint64 // creation order, never reused
	nextID  uint64 // id counter, never reused (a rolled-back insert burns its id, as in Salesforce)
	cursors map[string][]map[string]any
	cursorN uint64
	// lenientCreateOnly accepts a create-only field on update when it holds
	// the current value (WithLenientCreateOnly).
	lenientCreateOnly bool
	// customFields are the fields created through the Tooling API, by
	// lower-cased "Object.Field__c" (see tooling.go).
	customFields map[string]*customField
	// duplicateRules are the active duplicate rules (duplicates.go).
	duplicateRules map[*objectDef][]DuplicateRule
}

func newState(seed uint64) *state {
	s := &state{
		objects:  map[string]*objectDef{},
		byPrefix: map[string]*objectDef{},
		records:  map[string]*stored{},
		index:    map[indexKey]map[*stored]struct{}{},
		nextID:   seed,
		cursors:  map[string][]map[string]any{},

		customFields: map[string]*customField{},
	}
	for _, o := range defaultObjects() {
		s.addObject(o)
	}
	return s
}

func (s *state) addObject(o *objectDef) {
	o.finish()
	s.objects[strings.ToLower(o.name)] = o
	s.byPrefix[o.prefix] = o
}

func (s *state) object(name string) *objectDef { return s.objects[strings.ToLower(name)] }

// get returns the record with the given 15- or 18-character id.
func (s *state) get(id string) *stored {
	if full := normalizeID(id); full != "" {
		return s.records[full]
	}
	return nil
}

// list returns the records of obj in creation order.
func (s *state) list(obj *objectDef) []*stored {
	var out []*stored
	for _, r := range s.records {
		if r.object == obj {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// match returns the records of obj whose field equals value, compared as
// text and case-sensitively (the default for a text external ID field), in
// creation order. The field name is matched case-insensitively. External ID
// fields are looked up in the index; any other field is scanned.
func (s *state) match(obj *objectDef, field, value string) []*stored {
	var out []*stored
	if ext, ok := obj.isExternalID(field); ok {
		for r := range s.index[indexKey{obj: obj, field: strings.ToLower(ext), value: value}] {
			out = append(out, r)
		}
	} else {
		for _, r := range s.records {
			if r.object != obj {
				continue
			}
			if _, v, ok := lookupField(r.fields, field); ok {
				if t, ok := valueText(v); ok && t == value {
					out = append(out, r)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// indexKey is one entry of state.index: an external ID value on one object.
type indexKey struct {
	obj          *objectDef
	field, value string // field lower-cased
}

// indexFields adds (add true) or removes r's external ID values, read from
// fields, to or from the index.
func (s *state) indexFields(r *stored, fields map[string]any, add bool) {
	for _, f := range r.object.externalIDFields() {
		s.indexField(r, fields, f, add)
	}
}

func (s *state) indexField(r *stored, fields map[string]any, field string, add bool) {
	_, v, ok := lookupField(fields, field)
	if !ok {
		return
	}
	t, ok := valueText(v)
	if !ok {
		return
	}
	key := indexKey{obj: r.object, field: strings.ToLower(field), value: t}
	set := s.index[key]
	switch {
	case add && set == nil:
		s.index[key] = map[*stored]struct{}{r: {}}
	case add:
		set[r] = struct{}{}
	default:
		delete(set, r)
		if len(set) == 0 {
			delete(s.index, key)
		}
	}
}

// valueText renders a scalar JSON value as text for comparisons.
func valueText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// tx applies writes to the state and remembers how to undo them, so that
// allOrNone requests and composite graphs can roll back.
type tx struct {
	st   *state
	now  time.Time
	undo []func()
	// version is the API version of the request, for record URLs.
	version string
	// allowSave is set while a request (or subrequest) that sent
	// Sforce-Duplicate-Rule-Header: allowSave=true runs.
	allowSave bool
}

func (t *tx) savepoint() int { return len(t.undo) }

// rollbackTo undoes every write made after sp, newest first.
func (t *tx) rollbackTo(sp int) {
	for i := len(t.undo) - 1; i >= sp; i-- {
		t.undo[i]()
	}
	t.undo = t.undo[:sp]
}

func (t *tx) insert(obj *objectDef, fields map[string]any) *stored {
	s := t.st
	id := makeID(obj.prefix, s.nextID)
	s.nextID++
	s.seq++
	ts := t.now.UTC().Format(sfTimeLayout)
	fields["Id"] = id
	fields["CreatedDate"] = ts
	fields["LastModifiedDate"] = ts
	fields["SystemModstamp"] = ts
	rec := &stored{id: id, object: obj, seq: s.seq, fields: fields}
	s.records[id] = rec
	s.indexFields(rec, fields, true)
	t.undo = append(t.undo, func() {
		s.indexFields(rec, rec.fields, false)
		delete(s.records, id)
	})
	return rec
}

func (t *tx) replace(rec *stored, fields map[string]any) {
	old := rec.fields
	ts := t.now.UTC().Format(sfTimeLayout)
	fields["LastModifiedDate"] = ts
	fields["SystemModstamp"] = ts
	s := t.st
	s.indexFields(rec, old, false)
	rec.fields = fields
	s.indexFields(rec, fields, true)
	t.undo = append(t.undo, func() {
		s.indexFields(rec, rec.fields, false)
		rec.fields = old
		s.indexFields(rec, old, true)
	})
}

func (t *tx) remove(rec *stored) {
	s := t.st
	delete(s.records, rec.id)
	s.indexFields(rec, rec.fields, false)
	t.undo = append(t.undo, func() {
		s.records[rec.id] = rec
		s.indexFields(rec, rec.fields, true)
	})
}

func copyFields(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

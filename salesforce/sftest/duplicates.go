package sftest

import (
	"fmt"
	"strings"
)

// DuplicateRule is an active duplicate rule of the fake org, with an exact
// matching rule: a create or update of Object whose Fields are all set and
// equal, ignoring case and surrounding space, to those of another record of
// Object is refused with 400 DUPLICATES_DETECTED, in the real body shape
// (see AddDuplicateRule).
type DuplicateRule struct {
	// Name is the rule's developer name, reported in the error; default
	// Object+"_Duplicate_Rule".
	Name string
	// Object is the sObject the rule guards, e.g. "Contact".
	Object string
	// Fields are the fields the matching rule compares, e.g. "Email". At
	// least one is required.
	Fields []string
	// Block makes the rule's action on create and edit Block: the save is
	// refused even when the request sends Sforce-Duplicate-Rule-Header:
	// allowSave=true. By default the action is Alert, which that header
	// lets through.
	Block bool
}

// AddDuplicateRule activates a duplicate rule. From then on every create
// and update of its object, through any resource (sObject, upsert by
// external ID, sObject Collections, Composite, Composite Graph, Bulk API),
// is checked against the org's other records of the object. A request
// passes a rule whose action is Alert when it sends
// "Sforce-Duplicate-Rule-Header: allowSave=true": a plain request in its
// own headers, a Composite or Composite Graph subrequest in its
// httpHeaders (subrequests do not inherit the top-level header here, see
// the package documentation). It fails, with an error wrapping ErrInvalid,
// for an unknown object or an empty field list.
func (s *Server) AddDuplicateRule(r DuplicateRule) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := s.st.object(r.Object)
	if obj == nil {
		return fmt.Errorf("%w: duplicate rule on unknown object %q", ErrInvalid, r.Object)
	}
	if len(r.Fields) == 0 {
		return fmt.Errorf("%w: duplicate rule %q compares no field", ErrInvalid, r.Name)
	}
	r.Object = obj.name
	if r.Name == "" {
		r.Name = obj.name + "_Duplicate_Rule"
	}
	fields := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		fields[i] = obj.canonicalField(f)
	}
	r.Fields = fields
	if s.st.duplicateRules == nil {
		s.st.duplicateRules = map[*objectDef][]DuplicateRule{}
	}
	s.st.duplicateRules[obj] = append(s.st.duplicateRules[obj], r)
	return nil
}

// duplicateMessage is the message Salesforce's standard duplicate rules
// show.
const duplicateMessage = "You're creating a duplicate record. We recommend you use an existing record instead."

// duplicateResult is the duplicate result a DUPLICATES_DETECTED error
// carries. Salesforce spells its key "duplicateResut".
type duplicateResult struct {
	AllowSave               bool          `json:"allowSave"`
	DuplicateRule           string        `json:"duplicateRule"`
	DuplicateRuleEntityType string        `json:"duplicateRuleEntityType"`
	ErrorMessage            string        `json:"errorMessage"`
	MatchResults            []matchResult `json:"matchResults"`
}

type matchResult struct {
	EntityType   string        `json:"entityType"`
	Errors       []any         `json:"errors"`
	MatchEngine  string        `json:"matchEngine"`
	MatchRecords []matchRecord `json:"matchRecords"`
	Rule         string        `json:"rule"`
	Size         int           `json:"size"`
	Success      bool          `json:"success"`
}

type matchRecord struct {
	AdditionalInformation []any          `json:"additionalInformation"`
	FieldDiffs            []any          `json:"fieldDiffs"`
	MatchConfidence       float64        `json:"matchConfidence"`
	Record                map[string]any `json:"record"`
}

// parseDuplicateHeader reports whether a Sforce-Duplicate-Rule-Header
// value asks for allowSave=true ("allowSave=true; includeRecordDetails=...").
func parseDuplicateHeader(v string) bool {
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "allowSave") && strings.EqualFold(strings.TrimSpace(val), "true") {
			return true
		}
	}
	return false
}

// checkDuplicates applies the object's duplicate rules to the fields a
// create (self == nil) or an update of self would leave.
func (t *tx) checkDuplicates(obj *objectDef, fields map[string]any, self *stored) *dmlError {
	for _, rule := range t.st.duplicateRules[obj] {
		keys, ok := ruleKeys(rule, fields)
		if !ok {
			continue
		}
		var matches []*stored
		for _, r := range t.st.list(obj) {
			if r == self {
				continue
			}
			if other, ok := ruleKeys(rule, r.fields); ok && other == keys {
				matches = append(matches, r)
			}
		}
		if len(matches) == 0 || (!rule.Block && t.allowSave) {
			continue
		}
		res := &duplicateResult{AllowSave: !rule.Block, DuplicateRule: rule.Name, DuplicateRuleEntityType: obj.name,
			ErrorMessage: duplicateMessage}
		mr := matchResult{EntityType: obj.name, Errors: []any{}, MatchEngine: "ExactMatchEngine",
			Rule: rule.Name + "_Matching_Rule", Size: len(matches), Success: true}
		for _, m := range matches {
			mr.MatchRecords = append(mr.MatchRecords, matchRecord{AdditionalInformation: []any{}, FieldDiffs: []any{},
				MatchConfidence: 100, Record: map[string]any{
					"attributes": map[string]string{"type": obj.name, "url": sobjectURL(t.apiVersion(), obj, m.id)},
					"Id":         m.id,
				}})
		}
		res.MatchResults = []matchResult{mr}
		err := newDMLError("DUPLICATES_DETECTED", duplicateMessage)
		err.duplicates = res
		return err
	}
	return nil
}

// ruleKeys joins the rule's fields of a record, normalized; ok is false
// when one of them is empty, which never matches.
func ruleKeys(rule DuplicateRule, fields map[string]any) (string, bool) {
	parts := make([]string, len(rule.Fields))
	for i, f := range rule.Fields {
		_, v, ok := lookupField(fields, f)
		if !ok || v == nil {
			return "", false
		}
		s := strings.ToLower(strings.TrimSpace(fmt.Sprint(v)))
		if s == "" {
			return "", false
		}
		parts[i] = s
	}
	return strings.Join(parts, "\x00"), true
}

// apiVersion is the version the transaction's request named, for record
// URLs; v64.0 when unknown.
func (t *tx) apiVersion() string {
	if t.version != "" {
		return t.version
	}
	return "v64.0"
}

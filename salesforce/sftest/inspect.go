package sftest

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Record is a copy of one record's fields, including Id and the system
// timestamps. Numbers are json.Number, so decimals keep their exact text;
// lookups set by external ID hold the resolved 18-character id.
type Record map[string]any

// Errors returned by the setup methods.
var (
	ErrUnknownObject = errors.New("sftest: unknown sObject type")
	ErrInvalidName   = errors.New("sftest: invalid name")
)

// Records returns copies of every record of object, oldest first (nil for an
// unknown object). Changing them does not change the org.
func (s *Server) Records(object string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := s.st.object(object)
	if obj == nil {
		return nil
	}
	var out []Record
	for _, r := range s.st.list(obj) {
		out = append(out, Record(copyFields(r.fields)))
	}
	return out
}

// Record returns a copy of the record with the given 15- or 18-character id.
func (s *Server) Record(id string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.get(id)
	if r == nil {
		return nil, false
	}
	return Record(copyFields(r.fields)), true
}

// RecordByExternalID returns a copy of the record of object whose field holds
// value (compared as text, case-sensitively). It reports false when no
// record, or more than one, matches.
func (s *Server) RecordByExternalID(object, field, value string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := s.st.object(object)
	if obj == nil {
		return nil, false
	}
	found := s.st.match(obj, field, value)
	if len(found) != 1 {
		return nil, false
	}
	return Record(copyFields(found[0].fields)), true
}

// Seed inserts a record directly and returns its id, skipping validation and
// external ID uniqueness. Use it to set up data the API would refuse, such
// as two records sharing an external ID (an org whose field is not Unique),
// which makes upserts on that value answer 300. Seeding is not an API call.
func (s *Server) Seed(object string, fields Record) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := s.st.object(object)
	if obj == nil {
		return "", fmt.Errorf("%w: %q", ErrUnknownObject, object)
	}
	f := map[string]any{}
	for k, v := range fields {
		if !strings.EqualFold(k, "Id") {
			f[obj.canonicalField(k)] = v
		}
	}
	t := &tx{st: s.st, now: time.Now()}
	return t.insert(obj, f).id, nil
}

// AddExternalIDField registers field as a unique, case-sensitive text
// external ID of object, in addition to the four BigCommerce_*__c fields
// every object has. The name must end in "__c".
func (s *Server) AddExternalIDField(object, field string) error {
	if !strings.HasSuffix(field, "__c") || !refIDRE.MatchString(field) {
		return fmt.Errorf("%w: external ID field %q must be a custom field name ending in __c", ErrInvalidName, field)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	obj := s.st.object(object)
	if obj == nil {
		return fmt.Errorf("%w: %q", ErrUnknownObject, object)
	}
	s.st.addExternalID(obj, field)
	return nil
}

// addExternalID registers field as a unique external ID of obj and indexes
// the records that hold it; a field obj already has is left alone.
func (st *state) addExternalID(obj *objectDef, field string) {
	if _, ok := obj.isExternalID(field); ok {
		return
	}
	obj.extIDs = append(obj.extIDs, field)
	obj.finish()
	for _, r := range st.records {
		if r.object == obj {
			st.indexField(r, r.fields, field, true)
		}
	}
}

// AddObject registers an sObject type the org does not have yet, such as a
// custom object "Shipment__c" with key prefix "a01". It has no required
// fields. Names must be letters, digits and underscores; the prefix must be
// 3 alphanumeric characters not already in use.
func (s *Server) AddObject(name, keyPrefix string) error {
	if !refIDRE.MatchString(name) || len(keyPrefix) != 3 || !isAlnum(keyPrefix) {
		return fmt.Errorf("%w: object %q with key prefix %q", ErrInvalidName, name, keyPrefix)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.object(name) != nil || s.st.byPrefix[keyPrefix] != nil {
		return fmt.Errorf("%w: object %q or key prefix %q already exists", ErrInvalidName, name, keyPrefix)
	}
	s.st.addObject(&objectDef{name: name, prefix: keyPrefix})
	return nil
}

// Calls returns how many REST requests reached route (a Route* constant, or
// RouteUnknown for requests no route took) since the start or the last
// ResetCalls, whatever they were answered: an injected fault, a 401 or a
// spent allowance included. A request counts once however many records or
// subrequests it carries, as Salesforce counts API calls: a Composite,
// Composite Graph or sObject Collections request is one call.
func (s *Server) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.byRoute[route]
}

// TotalCalls returns how many REST requests reached the org, on any route,
// counted as Calls counts them. Token requests (see TokenRequests) and the
// versions list at /services/data are not REST API calls and are not
// counted. DailyUsage, by contrast, counts only the calls the org served.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.total
}

// TokenRequests returns how many requests reached the token endpoint,
// successful or not, since the start or the last ResetCalls.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.tokenRequests
}

// FaultsInjected returns how many calls an injected fault answered since
// the start or the last ResetCalls (a delay-only fault counts too), and how
// many graph nodes FailGraphNodesRandomly failed.
func (s *Server) FaultsInjected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts.faulted
}

// ResetCalls sets Calls, TotalCalls, TokenRequests and FaultsInjected back
// to 0. It leaves the daily allowance alone (see DailyUsage).
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = counters{byRoute: map[string]int{}}
}

// DailyUsage returns the API calls used in the current 24-hour window and
// the allowance, as the Sforce-Limit-Info header reports them: calls the org
// served, not those refused (401, spent allowance) or faulted. The window
// starts when the server is built and restarts once 24 hours have passed
// (a real org uses a rolling window).
func (s *Server) DailyUsage() (used, max int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usage.used, s.cfg.dailyLimit
}

// SetDailyUsage sets the calls already used in the current window, e.g. to
// put the org one call before its allowance runs out. Negative values count
// as 0.
func (s *Server) SetDailyUsage(used int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usage.used = max(used, 0)
}

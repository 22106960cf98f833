package sftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Limits of the composite resources.
const (
	maxCompositeSubrequests = 25
	maxGraphs               = 75
	maxGraphNodes           = 500
	// maxGraphFailures is how many graphs of one request may fail: once
	// more have failed, the remaining graphs are not processed and report
	// PROCESSING_HALTED.
	maxGraphFailures = 14
	// maxGraphNodeTypes is how many different kinds of node one request may
	// hold; nodes differ in API version, HTTP method or sObject type.
	maxGraphNodeTypes = 15
)

type subrequest struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	ReferenceID string            `json:"referenceId"`
	Body        any               `json:"body"`
	HTTPHeaders map[string]string `json:"httpHeaders"`
}

type subresult struct {
	Body           any               `json:"body"`
	HTTPHeaders    map[string]string `json:"httpHeaders"`
	HTTPStatusCode int               `json:"httpStatusCode"`
	ReferenceID    string            `json:"referenceId"`
}

type compositeBody struct {
	AllOrNone          bool         `json:"allOrNone"`
	CollateSubrequests *bool        `json:"collateSubrequests"`
	CompositeRequest   []subrequest `json:"compositeRequest"`
}

type graphBody struct {
	Graphs []graphNodes `json:"graphs"`
}

type graphNodes struct {
	GraphID          string       `json:"graphId"`
	CompositeRequest []subrequest `json:"compositeRequest"`
}

type graphResult struct {
	GraphID       string `json:"graphId"`
	GraphResponse struct {
		CompositeResponse []subresult `json:"compositeResponse"`
	} `json:"graphResponse"`
	IsSuccessful bool `json:"isSuccessful"`
}

const haltedMessage = "The transaction was rolled back since another operation in the same transaction failed."

func halted(ref string) subresult {
	return subresult{
		Body:           []apiError{{ErrorCode: "PROCESSING_HALTED", Message: haltedMessage}},
		HTTPHeaders:    map[string]string{},
		HTTPStatusCode: http.StatusBadRequest,
		ReferenceID:    ref,
	}
}

func (s *Server) handleComposite(t *tx, c call) response {
	switch {
	case len(c.segs) >= 2 && c.segs[1] == "sobjects":
		return s.handleCollections(t, c)
	case c.nested:
		return errorResponse(http.StatusBadRequest, "INVALID_INPUT", "A composite request can't contain another composite or graph request")
	case len(c.segs) == 1:
		if c.method != http.MethodPost {
			return methodNotAllowed(c.method, "POST")
		}
		return s.composite(t, c)
	case len(c.segs) == 2 && c.segs[1] == "graph":
		if c.method != http.MethodPost {
			return methodNotAllowed(c.method, "POST")
		}
		return s.graph(t, c)
	}
	return notFound()
}

func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

func (s *Server) composite(t *tx, c call) response {
	var body compositeBody
	if err := decodeJSON(c.body, &body); err != nil {
		return jsonParseError("Cannot deserialize the composite request body")
	}
	if bad := checkSubrequests(body.CompositeRequest, maxCompositeSubrequests); bad != nil {
		return *bad
	}
	results, _ := s.runSubrequests(t, body.CompositeRequest, body.AllOrNone, false)
	return response{status: http.StatusOK, body: map[string]any{"compositeResponse": results}}
}

func (s *Server) graph(t *tx, c call) response {
	var body graphBody
	if err := decodeJSON(c.body, &body); err != nil {
		return jsonParseError("Cannot deserialize the composite graph request body")
	}
	if len(body.Graphs) == 0 {
		return errorResponse(http.StatusBadRequest, "INVALID_INPUT", "graphs is required")
	}
	if len(body.Graphs) > maxGraphs {
		return errorResponse(http.StatusBadRequest, "LIMIT_EXCEEDED",
			fmt.Sprintf("A composite graph request can contain at most %d graphs", maxGraphs))
	}
	nodes := 0
	seen := map[string]bool{}
	for _, g := range body.Graphs {
		nodes += len(g.CompositeRequest)
		if g.GraphID == "" || seen[g.GraphID] {
			return errorResponse(http.StatusBadRequest, "INVALID_INPUT", "Each graph needs a unique, non-empty graphId")
		}
		seen[g.GraphID] = true
		if bad := checkSubrequests(g.CompositeRequest, maxGraphNodes); bad != nil {
			return *bad
		}
	}
	if nodes > maxGraphNodes {
		return errorResponse(http.StatusBadRequest, "LIMIT_EXCEEDED",
			fmt.Sprintf("A composite graph request can contain at most %d nodes", maxGraphNodes))
	}
	if n := graphNodeTypes(body.Graphs); n > maxGraphNodeTypes {
		return errorResponse(http.StatusBadRequest, "LIMIT_EXCEEDED",
			fmt.Sprintf("A composite graph request can contain at most %d different nodes; this one has %d", maxGraphNodeTypes, n))
	}
	out := make([]graphResult, len(body.Graphs))
	failures := 0
	for i, g := range body.Graphs {
		out[i].GraphID = g.GraphID
		if failures > maxGraphFailures {
			// Past the limit of failed graphs, the rest is not processed.
			results := make([]subresult, len(g.CompositeRequest))
			for j, r := range g.CompositeRequest {
				results[j] = halted(r.ReferenceID)
			}
			out[i].GraphResponse.CompositeResponse = results
			continue
		}
		results, ok := s.runSubrequests(t, g.CompositeRequest, true, true)
		out[i].GraphResponse.CompositeResponse = results
		out[i].IsSuccessful = ok
		if !ok {
			failures++
		}
	}
	return response{status: http.StatusOK, body: map[string]any{"graphs": out}}
}

// graphNodeTypes counts the different kinds of node of a graph request:
// nodes differ in API version, HTTP method or sObject type.
func graphNodeTypes(graphs []graphNodes) int {
	kinds := map[string]bool{}
	for _, g := range graphs {
		for _, r := range g.CompositeRequest {
			version, object := "", ""
			segs := strings.Split(strings.TrimPrefix(r.URL, "/services/data/"), "/")
			if len(segs) > 0 {
				version = segs[0]
			}
			if len(segs) > 2 {
				object = strings.ToLower(segs[2])
			}
			kinds[version+" "+strings.ToUpper(r.Method)+" "+object] = true
		}
	}
	return len(kinds)
}

func checkSubrequests(reqs []subrequest, max int) *response {
	if len(reqs) == 0 {
		r := errorResponse(http.StatusBadRequest, "INVALID_INPUT", "compositeRequest is required")
		return &r
	}
	if len(reqs) > max {
		r := errorResponse(http.StatusBadRequest, "LIMIT_EXCEEDED",
			fmt.Sprintf("A composite request can contain at most %d subrequests", max))
		return &r
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		if r.ReferenceID == "" || seen[r.ReferenceID] || !refIDRE.MatchString(r.ReferenceID) {
			bad := errorResponse(http.StatusBadRequest, "INVALID_INPUT",
				"Each subrequest needs a unique referenceId of letters, digits and underscores: "+r.ReferenceID)
			return &bad
		}
		seen[r.ReferenceID] = true
	}
	return nil
}

var (
	refIDRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	refRE   = regexp.MustCompile(`@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[[0-9]+\])*)\}`)
)

// runSubrequests runs composite subrequests in order inside t. With allOrNone
// the first failure undoes every write of this run, stops it, and every other
// subrequest reports PROCESSING_HALTED. It reports whether all succeeded.
func (s *Server) runSubrequests(t *tx, reqs []subrequest, allOrNone, graph bool) ([]subresult, bool) {
	sp := t.savepoint()
	refs := map[string]any{}
	results := make([]subresult, 0, len(reqs))
	failedAt := -1
	for i, r := range reqs {
		res := s.runOne(t, r, refs, allOrNone, graph)
		results = append(results, res.subresult)
		if res.failed && failedAt < 0 {
			failedAt = i
			if allOrNone {
				break
			}
		}
	}
	if failedAt < 0 {
		return results, true
	}
	if !allOrNone {
		return results, false
	}
	t.rollbackTo(sp)
	out := make([]subresult, len(reqs))
	for i, r := range reqs {
		if i == failedAt {
			out[i] = results[i]
		} else {
			out[i] = halted(r.ReferenceID)
		}
	}
	return out, false
}

type oneResult struct {
	subresult
	failed bool
}

func (s *Server) runOne(t *tx, r subrequest, refs map[string]any, allOrNone, graph bool) oneResult {
	fail := func(status int, code, msg string) oneResult {
		return oneResult{subresult{Body: []apiError{{ErrorCode: code, Message: msg}}, HTTPHeaders: map[string]string{},
			HTTPStatusCode: status, ReferenceID: r.ReferenceID}, true}
	}
	rawURL, err := substituteText(r.URL, refs)
	if err != nil {
		return fail(http.StatusBadRequest, "PROCESSING_HALTED", err.Error())
	}
	body, err := substitute(r.Body, refs)
	if err != nil {
		return fail(http.StatusBadRequest, "PROCESSING_HALTED", err.Error())
	}
	u, perr := url.Parse(rawURL)
	if perr != nil || !strings.HasPrefix(u.EscapedPath(), "/services/data/") {
		return fail(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	method := strings.ToUpper(r.Method)
	c, ok := s.parseCall(method, strings.TrimPrefix(u.EscapedPath(), "/services/data/"), u.RawQuery, raw)
	if !ok {
		return fail(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	if graph && (len(c.segs) < 2 || c.segs[0] != "sobjects") {
		return fail(http.StatusBadRequest, "INVALID_INPUT", "A composite graph node must be an sObject request")
	}
	if graph {
		if code, ok := s.failNode(); ok {
			return fail(http.StatusBadRequest, code, (Fault{Status: http.StatusBadRequest, Code: code}).message())
		}
	}
	c.nested, c.allOrNone = true, allOrNone
	allowSave := false
	for k, v := range r.HTTPHeaders {
		switch {
		case strings.EqualFold(k, "Sforce-Query-Options"):
			c.batchSize = parseBatchSize(v)
		case strings.EqualFold(k, "Sforce-Duplicate-Rule-Header"):
			allowSave = parseDuplicateHeader(v)
		}
	}
	// A subrequest takes the duplicate rule header from its own httpHeaders
	// only, not from the top-level request.
	outer := t.allowSave
	t.allowSave = allowSave
	resp := s.dispatch(t, c)
	t.allowSave = outer
	headers := map[string]string{}
	for k, v := range resp.header {
		headers[k] = v
	}
	res := oneResult{subresult{Body: resp.body, HTTPHeaders: headers, HTTPStatusCode: resp.status, ReferenceID: r.ReferenceID},
		resp.status >= 300 || resp.failed}
	if resp.status < 300 {
		refs[r.ReferenceID] = generic(resp.body)
	}
	return res
}

// generic turns a response body into plain JSON values, so references can
// walk it.
func generic(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = decodeJSON(b, &out)
	return out
}

// substitute replaces @{ref.path} references in every string of a decoded
// JSON body. A string that is exactly one reference takes the referenced
// value with its JSON type.
func substitute(v any, refs map[string]any) (any, error) {
	switch x := v.(type) {
	case string:
		if m := refRE.FindStringSubmatch(x); m != nil && m[0] == x {
			return resolveRef(m[1], m[2], refs)
		}
		return substituteText(x, refs)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := substitute(e, refs)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := substitute(e, refs)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func substituteText(s string, refs map[string]any) (string, error) {
	var firstErr error
	out := refRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := refRE.FindStringSubmatch(m)
		v, err := resolveRef(sub[1], sub[2], refs)
		if err == nil {
			if text, ok := valueText(v); ok {
				return text
			}
			err = refError("Invalid reference specified. " + m + " is not a scalar value")
		}
		if firstErr == nil {
			firstErr = err
		}
		return m
	})
	return out, firstErr
}

// refError is a reference that cannot be resolved; its text is the message
// sent back in the subrequest's PROCESSING_HALTED error.
type refError string

func (e refError) Error() string { return string(e) }

var refStepRE = regexp.MustCompile(`\.([A-Za-z0-9_]+)|\[([0-9]+)\]`)

// resolveRef walks path (".field", "[n]" steps) through the body of the
// earlier subrequest ref.
func resolveRef(ref, path string, refs map[string]any) (any, error) {
	cur, ok := refs[ref]
	notFound := refError(fmt.Sprintf("Invalid reference specified. No value for %s%s found in %s. Provided referenceId ('%s') must be a valid, earlier, successful subrequest", ref, path, ref, ref))
	if !ok {
		return nil, notFound
	}
	for _, step := range refStepRE.FindAllStringSubmatch(path, -1) {
		switch node := cur.(type) {
		case map[string]any:
			if step[1] == "" {
				return nil, notFound
			}
			_, v, found := lookupField(node, step[1])
			if !found {
				return nil, notFound
			}
			cur = v
		case []any:
			var i int
			if _, err := fmt.Sscan(step[2], &i); err != nil || step[2] == "" || i >= len(node) {
				return nil, notFound
			}
			cur = node[i]
		default:
			return nil, notFound
		}
	}
	return cur, nil
}

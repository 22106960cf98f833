package salesforce

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Subrequest is one request inside a Composite or Composite Graph call.
// URL is the resource path, either absolute (starting with /services/data/,
// as Salesforce expects) or relative to the API version, such as
// "sobjects/Account/Key__c/42", which Client.Composite and
// Client.CompositeGraph complete with the client's version before sending.
// A body may reference an earlier subrequest's result as
// "@{referenceId.id}".
type Subrequest struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	ReferenceID string `json:"referenceId"`
	Body        any    `json:"body,omitempty"`
}

// Graph is one graph of a Composite Graph request: its subrequests succeed or
// fail together, independently of the other graphs in the same call.
type Graph struct {
	GraphID          string       `json:"graphId"`
	CompositeRequest []Subrequest `json:"compositeRequest"`
}

// GraphRequest is the body of POST /composite/graph: up to 75 graphs and
// 500 nodes in one API call.
type GraphRequest struct {
	Graphs []Graph `json:"graphs"`
}

// UpsertPath returns the resource path that upserts an sObject by an external
// ID, e.g. /services/data/v64.0/sobjects/Opportunity/BigCommerce_Order_Id__c/250.
// The external ID value is path-escaped. It fails with a clear error for a
// version not like v64.0, for an object or field that is not an API name,
// and for an external ID value that no path can carry: the empty string,
// "." and "..", which a URL resolves as dot segments (".." would address
// the object's collection instead of a record).
func UpsertPath(version, sobject, externalIDField, externalID string) (string, error) {
	if !versionRE.MatchString(version) {
		return "", fmt.Errorf("salesforce: API version %q is not of the form vNN.N (e.g. v64.0)", version)
	}
	rel, err := upsertResource(sobject, externalIDField, externalID)
	if err != nil {
		return "", err
	}
	return "/services/data/" + version + "/" + rel, nil
}

// upsertResource returns the upsert path relative to the API version,
// sobjects/<sobject>/<field>/<escaped value>, after the checks UpsertPath
// documents.
func upsertResource(sobject, externalIDField, externalID string) (string, error) {
	if err := checkName("sObject", sobject); err != nil {
		return "", err
	}
	if err := checkName("external ID field", externalIDField); err != nil {
		return "", err
	}
	switch externalID {
	case "":
		return "", fmt.Errorf("salesforce: upsert %s: empty external ID value", sobject)
	case ".", "..":
		return "", fmt.Errorf("salesforce: upsert %s: external ID value %q cannot be sent in a URL path (it is a dot segment)", sobject, externalID)
	}
	var b strings.Builder
	b.Grow(len("sobjects///") + len(sobject) + len(externalIDField) + len(externalID))
	b.WriteString("sobjects/")
	b.WriteString(sobject)
	b.WriteByte('/')
	b.WriteString(externalIDField)
	b.WriteByte('/')
	b.WriteString(url.PathEscape(externalID))
	return b.String(), nil
}

// Composite Graph limits, from the Salesforce Composite Graph guide and
// limits page.
const (
	// MaxGraphs is the most graphs one Composite Graph call takes: 75.
	MaxGraphs = 75
	// MaxGraphNodes is the most nodes (subrequests) one call takes, across
	// all its graphs: 500.
	MaxGraphNodes = 500
	// MaxGraphIDLen is the longest graphId Salesforce accepts: 39
	// characters, as a graphId must be less than 40 characters long.
	MaxGraphIDLen = 39
)

// ErrInvalidGraph is wrapped by the errors of NewUpsertGraph: a graph that
// Salesforce would refuse, built from records that retrying cannot fix.
var ErrInvalidGraph = errors.New("salesforce: invalid graph")

// checkGraphID is the one graphId rule: 1 to MaxGraphIDLen letters, digits
// and underscores, starting with a letter or digit.
func checkGraphID(id string) error {
	if id == "" || len(id) > MaxGraphIDLen {
		return fmt.Errorf("graphId %q must be 1-%d characters", id, MaxGraphIDLen)
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		alnum := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
		if !alnum && (i == 0 || ch != '_') {
			return fmt.Errorf("graphId %q: only letters, digits and underscores, starting with a letter or digit", id)
		}
	}
	return nil
}

// UpsertRecord is one upsert by external ID, the unit NewUpsertGraph builds
// a graph from.
type UpsertRecord struct {
	// Ref is the node's referenceId: letters, digits and underscores,
	// unique within the graph. Later records link to this one with
	// "@{<Ref>.id}" in their Fields.
	Ref string
	// SObject is the object's API name, e.g. "Account".
	SObject string
	// ExternalIDField and ExternalID go in the node's URL; Fields must not
	// repeat the field, as Salesforce rejects an upsert that names it in
	// both places.
	ExternalIDField string
	ExternalID      string
	// Fields is the body. NewUpsertGraph does not modify it; the graph may
	// share it until it is sent.
	Fields map[string]any
	// CreateOnly names the Fields that Salesforce accepts only when it
	// creates the record (an OrderItem's OrderId, for example): they are
	// left out of the body of a record that already exists.
	CreateOnly []string
}

// NewUpsertGraph returns the Composite Graph that upserts recs in order: one
// PATCH node per record, to the record's external-ID resource, with Ref as
// referenceId and Fields as body. A record for which exists reports true is
// sent without its CreateOnly fields; a nil exists treats every record as
// new. Node URLs are relative to the API version
// ("sobjects/Account/Key__c/42"): Client.CompositeGraph completes them with
// the client's version, so one graph serves any client.
//
// An error wraps ErrInvalidGraph and names the problem: a graphId that is
// not 1-39 letters, digits and underscores starting with a letter or digit,
// no record or more than MaxGraphNodes, a missing or repeated Ref, an
// object or field that is not an API name, or an external ID that cannot
// be in a path ("", "." or "..", see UpsertPath).
func NewUpsertGraph(graphID string, recs []UpsertRecord, exists func(UpsertRecord) bool) (Graph, error) {
	if err := checkGraphID(graphID); err != nil {
		return Graph{}, fmt.Errorf("%w: %w", ErrInvalidGraph, err)
	}
	if n := len(recs); n == 0 || n > MaxGraphNodes {
		return Graph{}, fmt.Errorf("%w: graph %q has %d records; a graph takes 1-%d", ErrInvalidGraph, graphID, n, MaxGraphNodes)
	}
	subs := make([]Subrequest, len(recs))
	for i := range recs {
		rec := &recs[i]
		path, err := upsertResource(rec.SObject, rec.ExternalIDField, rec.ExternalID)
		if err != nil {
			return Graph{}, fmt.Errorf("%w: graph %q record %d: %w", ErrInvalidGraph, graphID, i, err)
		}
		body := rec.Fields
		switch {
		case body == nil:
			body = map[string]any{}
		case len(rec.CreateOnly) > 0 && exists != nil && exists(*rec):
			body = maps.Clone(body)
			for _, f := range rec.CreateOnly {
				delete(body, f)
			}
		}
		subs[i] = Subrequest{Method: http.MethodPatch, URL: path, ReferenceID: rec.Ref, Body: body}
	}
	g := Graph{GraphID: graphID, CompositeRequest: subs}
	if err := checkSubrequests(subs); err != nil {
		return Graph{}, fmt.Errorf("%w: graph %q: %w", ErrInvalidGraph, graphID, err)
	}
	return g, nil
}

// Nodes returns the number of nodes in the request.
func (r GraphRequest) Nodes() int {
	n := 0
	for _, g := range r.Graphs {
		n += len(g.CompositeRequest)
	}
	return n
}

// Validate checks what Salesforce would refuse: 1-75 graphs, at most 500
// nodes in all, unique graphIds of at most MaxGraphIDLen (39) characters
// (letters, digits, underscores, starting with a letter or digit),
// non-empty graphs, nodes that address sObject resources
// (/services/data/vXX.X/sobjects/..., or sobjects/... relative to the API
// version) with DELETE, GET, PATCH or POST, and unique referenceIds within
// each graph.
func (r GraphRequest) Validate() error {
	if n := len(r.Graphs); n == 0 || n > MaxGraphs {
		return fmt.Errorf("salesforce: composite graph takes 1-%d graphs, got %d", MaxGraphs, n)
	}
	if n := r.Nodes(); n > MaxGraphNodes {
		return fmt.Errorf("salesforce: composite graph takes at most %d nodes, got %d", MaxGraphNodes, n)
	}
	seen := make(map[string]bool, len(r.Graphs))
	for i, g := range r.Graphs {
		if err := checkGraphID(g.GraphID); err != nil {
			return fmt.Errorf("salesforce: graph %d: %w", i, err)
		}
		if seen[g.GraphID] {
			return fmt.Errorf("salesforce: graph %d: duplicate graphId %q", i, g.GraphID)
		}
		seen[g.GraphID] = true
		if len(g.CompositeRequest) == 0 {
			return fmt.Errorf("salesforce: graph %q has no nodes", g.GraphID)
		}
		if err := checkSubrequests(g.CompositeRequest); err != nil {
			return fmt.Errorf("graph %q: %w", g.GraphID, err)
		}
		if err := checkGraphNodes(g); err != nil {
			return err
		}
	}
	return nil
}

// checkGraphNodes applies the graph-only rules: nodes address sObject
// resources (/services/data/vXX.X/sobjects/..., or sobjects/... relative to
// the API version) with DELETE, GET, PATCH or POST; PUT, queries and other
// resources are refused by Salesforce.
func checkGraphNodes(g Graph) error {
	for i, s := range g.CompositeRequest {
		if s.Method == http.MethodPut {
			return fmt.Errorf("salesforce: graph %q node %d: PUT is not allowed in a graph", g.GraphID, i)
		}
		rest, ok := s.URL, true
		if strings.HasPrefix(rest, "/") {
			var ok2 bool
			rest, ok = strings.CutPrefix(rest, "/services/data/")
			_, rest, ok2 = strings.Cut(rest, "/")
			ok = ok && ok2
		}
		if !ok || !strings.HasPrefix(rest, "sobjects/") {
			return fmt.Errorf("salesforce: graph %q node %d: URL %q is not an sObject resource", g.GraphID, i, s.URL)
		}
	}
	return nil
}

// SplitGraphs packs graphs, in order, into as few requests as the limits
// allow (at most 75 graphs and 500 nodes each). A graph with more than 500
// nodes, or with none, is an error.
func SplitGraphs(graphs []Graph) ([]GraphRequest, error) {
	var out []GraphRequest
	var cur GraphRequest
	nodes := 0
	for i, g := range graphs {
		n := len(g.CompositeRequest)
		if n == 0 || n > MaxGraphNodes {
			return nil, fmt.Errorf("salesforce: graph %d (%q) has %d nodes; a graph takes 1-%d", i, g.GraphID, n, MaxGraphNodes)
		}
		if len(cur.Graphs) == MaxGraphs || nodes+n > MaxGraphNodes {
			out = append(out, cur)
			cur, nodes = GraphRequest{}, 0
		}
		cur.Graphs = append(cur.Graphs, g)
		nodes += n
	}
	if len(cur.Graphs) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// GraphResponse is the answer to a Composite Graph call.
type GraphResponse struct {
	// Graphs holds one result per graph sent.
	Graphs []GraphResult `json:"graphs"`
}

// Graph returns the result of the graph with the given graphId.
func (r *GraphResponse) Graph(graphID string) (GraphResult, bool) {
	for _, g := range r.Graphs {
		if g.GraphID == graphID {
			return g, true
		}
	}
	return GraphResult{}, false
}

// GraphResult is the outcome of one graph: all its nodes were applied
// (IsSuccessful) or none was.
type GraphResult struct {
	// GraphID is the graphId sent.
	GraphID string `json:"graphId"`
	// IsSuccessful reports whether every node was applied.
	IsSuccessful bool `json:"isSuccessful"`
	// GraphResponse holds the node results.
	GraphResponse CompositeResponse `json:"graphResponse"`
}

// Results returns the node results in the order Salesforce sent them.
func (g GraphResult) Results() []SubResult { return g.GraphResponse.Results }

// Result returns the node result with the given referenceId.
func (g GraphResult) Result(referenceID string) (SubResult, bool) {
	return g.GraphResponse.Result(referenceID)
}

// Err returns nil for a successful graph, else a *GraphError naming the
// nodes that failed for a reason of their own (not PROCESSING_HALTED).
func (g GraphResult) Err() error {
	if g.IsSuccessful {
		return nil
	}
	ge := &GraphError{GraphID: g.GraphID}
	for _, r := range g.Results() {
		if !r.OK() && !r.Halted() {
			ge.Nodes = append(ge.Nodes, r)
		}
	}
	return ge
}

// GraphError is a graph that was rolled back.
type GraphError struct {
	// GraphID names the graph.
	GraphID string
	// Nodes are the failing nodes; empty when Salesforce halted the graph
	// without blaming a node (e.g. after too many failed graphs).
	Nodes []SubResult
}

// Error names the graph and each failing node's error.
func (e *GraphError) Error() string {
	if len(e.Nodes) == 0 {
		return fmt.Sprintf("salesforce: graph %q was not applied (processing halted)", e.GraphID)
	}
	parts := make([]string, 0, len(e.Nodes))
	for _, n := range e.Nodes {
		parts = append(parts, n.ReferenceID+": "+strings.TrimPrefix(n.Err().Error(), "salesforce: "))
	}
	return fmt.Sprintf("salesforce: graph %q failed: %s", e.GraphID, strings.Join(parts, "; "))
}

// Unwrap returns the node errors, so errors.Is(err, ErrDuplicateValue) and
// errors.As(err, &apiErr) see them.
func (e *GraphError) Unwrap() []error {
	errs := make([]error, 0, len(e.Nodes))
	for _, n := range e.Nodes {
		errs = append(errs, n.Err())
	}
	return errs
}

// CompositeGraph sends POST /composite/graph after Validate, with relative
// node URLs completed with the client's API version. Each graph is
// applied atomically and independently, so one bad order fails alone; the
// whole call counts as one API request and answers 200 even when graphs
// fail: check each GraphResult. Use SplitGraphs for more than 75 graphs or
// 500 nodes. The call is retried on a transient failure only when no node
// is a POST.
func (c *Client) CompositeGraph(ctx context.Context, req GraphRequest) (*GraphResponse, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	idem := true
	for _, g := range req.Graphs {
		idem = idem && noPOST(g.CompositeRequest)
	}
	req = GraphRequest{Graphs: c.completeGraphs(req.Graphs)}
	resp, err := c.do(ctx, call{method: http.MethodPost, path: c.dataPath("composite", "graph"), body: req, idempotent: idem})
	if err != nil {
		return nil, err
	}
	var out GraphResponse
	if err := decodeJSON(resp, "composite graph", &out); err != nil {
		return nil, err
	}
	for i := range out.Graphs {
		c.scrubResults(resp, out.Graphs[i].GraphResponse.Results)
	}
	return &out, nil
}

// completeGraphs returns graphs with every relative node URL completed with
// the client's API version. It copies only what it changes, never the
// caller's slices.
func (c *Client) completeGraphs(graphs []Graph) []Graph {
	out := graphs
	for i, g := range graphs {
		subs, changed := c.completeURLs(g.CompositeRequest)
		if !changed {
			continue
		}
		if !cloned(out, graphs) {
			out = slices.Clone(graphs)
		}
		out[i].CompositeRequest = subs
	}
	return out
}

// cloned reports whether out is a copy rather than graphs itself.
func cloned(out, graphs []Graph) bool { return len(out) > 0 && &out[0] != &graphs[0] }

// completeURLs returns subs with every relative URL prefixed by
// /services/data/<version>/, and whether there was one; subs itself is
// never modified.
func (c *Client) completeURLs(subs []Subrequest) ([]Subrequest, bool) {
	var out []Subrequest
	prefix := c.dataPath()
	for i, s := range subs {
		if strings.HasPrefix(s.URL, "/") {
			continue
		}
		if out == nil {
			out = slices.Clone(subs)
		}
		out[i].URL = prefix + s.URL
	}
	if out == nil {
		return subs, false
	}
	return out, true
}

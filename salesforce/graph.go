package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Subrequest is one request inside a Composite or Composite Graph call.
// URL is the full resource path starting with /services/data/, as Salesforce
// expects; a body may reference an earlier subrequest's result as
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
// The external ID value is path-escaped, so any value is safe to pass.
func UpsertPath(version, sobject, externalIDField, externalID string) string {
	var b strings.Builder
	b.WriteString("/services/data/")
	b.WriteString(version)
	b.WriteString("/sobjects/")
	b.WriteString(sobject)
	b.WriteByte('/')
	b.WriteString(externalIDField)
	b.WriteByte('/')
	b.WriteString(url.PathEscape(externalID))
	return b.String()
}

// Composite Graph limits per call, from the Salesforce limits page.
const (
	// MaxGraphs is the most graphs one Composite Graph call takes: 75.
	MaxGraphs = 75
	// MaxGraphNodes is the most nodes (subrequests) one call takes, across
	// all its graphs: 500.
	MaxGraphNodes = 500
)

// Nodes returns the number of nodes in the request.
func (r GraphRequest) Nodes() int {
	n := 0
	for _, g := range r.Graphs {
		n += len(g.CompositeRequest)
	}
	return n
}

// Validate checks what Salesforce would refuse: 1-75 graphs, at most 500
// nodes in all, unique graphIds shorter than 40 characters (letters, digits,
// underscores, starting with a letter or digit), non-empty graphs, nodes
// that address /services/data/vXX.X/sobjects/ with DELETE, GET, PATCH or
// POST, and unique referenceIds within each graph.
func (r GraphRequest) Validate() error {
	if n := len(r.Graphs); n == 0 || n > MaxGraphs {
		return fmt.Errorf("salesforce: composite graph takes 1-%d graphs, got %d", MaxGraphs, n)
	}
	if n := r.Nodes(); n > MaxGraphNodes {
		return fmt.Errorf("salesforce: composite graph takes at most %d nodes, got %d", MaxGraphNodes, n)
	}
	seen := make(map[string]bool, len(r.Graphs))
	for i, g := range r.Graphs {
		if err := checkRefID(g.GraphID); err != nil {
			return fmt.Errorf("salesforce: graph %d: graphId: %w", i, err)
		}
		if seen[g.GraphID] {
			return fmt.Errorf("salesforce: graph %d: duplicate graphId %q", i, g.GraphID)
		}
		seen[g.GraphID] = true
		if len(g.CompositeRequest) == 0 {
			return fmt.Errorf("salesforce: graph %q has no nodes", g.GraphID)
		}
		if len(g.GraphID) >= maxGraphIDLen {
			return fmt.Errorf("salesforce: graph %d: graphId %q must be shorter than %d characters", i, g.GraphID, maxGraphIDLen)
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

// maxGraphIDLen bounds graphId length, as the Composite Graph guide asks.
const maxGraphIDLen = 40

// checkGraphNodes applies the graph-only rules: nodes address sObject
// resources (/services/data/vXX.X/sobjects/...) with DELETE, GET, PATCH or
// POST; PUT, queries and other resources are refused by Salesforce.
func checkGraphNodes(g Graph) error {
	for i, s := range g.CompositeRequest {
		if s.Method == http.MethodPut {
			return fmt.Errorf("salesforce: graph %q node %d: PUT is not allowed in a graph", g.GraphID, i)
		}
		rest, ok := strings.CutPrefix(s.URL, "/services/data/")
		_, rest, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || !strings.HasPrefix(rest, "sobjects/") {
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

// CompositeGraph sends POST /composite/graph after Validate. Each graph is
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
	resp, err := c.do(ctx, call{method: http.MethodPost, path: c.dataPath("composite", "graph"), body: req, idempotent: idem})
	if err != nil {
		return nil, err
	}
	var out GraphResponse
	if err := decodeJSON(resp, "composite graph", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

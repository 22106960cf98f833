package salesforce

import (
	"net/http"
	"strings"
)

// DuplicateRuleHeader is the request header that tells Salesforce how to
// apply the org's duplicate rules to a create, update or upsert (API 52.0
// and later).
const DuplicateRuleHeader = "Sforce-Duplicate-Rule-Header"

// allowSaveValue is what WithDuplicateRuleAllowSave sends.
const allowSaveValue = "allowSave=true"

// writes reports whether a method changes records, so that the duplicate
// rule header applies to it.
func writes(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}

// withDuplicateHeaders returns the body of a Composite or Composite Graph
// call with the duplicate rule header on every subrequest that writes: a
// subrequest inherits only Accept, Authorization and Content-Type from the
// top-level request, and takes any other header from its own httpHeaders.
// Other bodies are returned as they are.
func withDuplicateHeaders(body any) any {
	switch b := body.(type) {
	case GraphRequest:
		out := graphWire{Graphs: make([]graphWireGraph, len(b.Graphs))}
		for i, g := range b.Graphs {
			out.Graphs[i] = graphWireGraph{GraphID: g.GraphID, CompositeRequest: subrequestsWithHeader(g.CompositeRequest)}
		}
		return out
	case CompositeRequest:
		return compositeWire{AllOrNone: b.AllOrNone, CollateSubrequests: b.CollateSubrequests,
			Subrequests: subrequestsWithHeader(b.Subrequests)}
	}
	return body
}

// subrequestWire is a Subrequest with the headers it sends.
type subrequestWire struct {
	Subrequest
	HTTPHeaders map[string]string `json:"httpHeaders,omitempty"`
}

type graphWireGraph struct {
	GraphID          string           `json:"graphId"`
	CompositeRequest []subrequestWire `json:"compositeRequest"`
}

type graphWire struct {
	Graphs []graphWireGraph `json:"graphs"`
}

type compositeWire struct {
	AllOrNone          bool             `json:"allOrNone"`
	CollateSubrequests *bool            `json:"collateSubrequests,omitempty"`
	Subrequests        []subrequestWire `json:"compositeRequest"`
}

func subrequestsWithHeader(subs []Subrequest) []subrequestWire {
	out := make([]subrequestWire, len(subs))
	for i, s := range subs {
		out[i] = subrequestWire{Subrequest: s}
		if writes(strings.ToUpper(s.Method)) {
			out[i].HTTPHeaders = map[string]string{DuplicateRuleHeader: allowSaveValue}
		}
	}
	return out
}

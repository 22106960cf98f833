package salesforce

import (
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

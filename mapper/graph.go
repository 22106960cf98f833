package mapper

import (
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/bc2sf/bc2sf/salesforce"
)

// PricebookEntries resolves a product key (see Result.ProductKeys) to the id
// of its PricebookEntry in the Order's price book; ok is false when there is
// none.
type PricebookEntries func(productKey string) (pricebookEntryID string, ok bool)

// PricebookEntryMap returns a PricebookEntries that looks keys up in m.
func PricebookEntryMap(m map[string]string) PricebookEntries {
	return func(key string) (string, bool) {
		id, ok := m[key]
		return id, ok && id != ""
	}
}

// MaxGraphNodes is the most subrequests Salesforce accepts in one graph.
const MaxGraphNodes = 500

// Errors Result.Graph returns.
var (
	// ErrSkipped: the Result is a skip decision; there is nothing to send.
	ErrSkipped = errors.New("mapper: order is skipped")
	// ErrMissingPricebookEntry: no PricebookEntry id for a product key. The
	// error is a *MissingPricebookEntryError naming the key.
	ErrMissingPricebookEntry = errors.New("mapper: no pricebook entry")
	// ErrInvalidGraph: the graph id or API version is malformed, or the order
	// needs more than MaxGraphNodes subrequests.
	ErrInvalidGraph = errors.New("mapper: invalid graph")
)

// MissingPricebookEntryError names the product key that has no
// PricebookEntry. It matches ErrMissingPricebookEntry with errors.Is.
type MissingPricebookEntryError struct {
	// ProductKey is the key the resolver did not know.
	ProductKey string
	// LineItemID is the BigCommerce line item id of the first line using it.
	LineItemID string
}

// Error names the key and the line.
func (e *MissingPricebookEntryError) Error() string {
	return fmt.Sprintf("mapper: no pricebook entry for product key %q (line %s)", e.ProductKey, e.LineItemID)
}

// Is reports whether target is ErrMissingPricebookEntry.
func (e *MissingPricebookEntryError) Is(target error) bool { return target == ErrMissingPricebookEntry }

// GraphOptions tells Result.GraphWith what the graph needs from Salesforce:
// the PricebookEntry ids of new lines, and which records already exist. The
// zero value treats every record as new, which is what Result.Graph does.
type GraphOptions struct {
	// PricebookEntries resolves the product key of every OrderItem that is
	// to be created. It may be nil when the Result has no OrderItems or all
	// of them exist, since an existing item's PricebookEntry cannot change.
	PricebookEntries PricebookEntries
	// ExistingLineItems reports whether Salesforce already holds the
	// OrderItem whose external ID (Config.Fields.LineItemID) is the given
	// value, the BigCommerce line item id as in Record.ExternalID. Such an
	// item is sent without its Record.CreateOnly fields (its Order link and
	// PricebookEntry), which Salesforce refuses on update. nil means none
	// exists.
	ExistingLineItems func(lineItemID string) bool
	// ExistingOrders reports whether Salesforce already holds the Order
	// whose external ID (Config.Fields.OrderID) is the given value, the
	// BigCommerce order id as in Record.ExternalID. Such an Order is sent
	// without Status and Pricebook2Id. nil means none exists.
	ExistingOrders func(orderID string) bool
}

// Graph returns the Composite Graph that writes the Result: one PATCH upsert
// per record, in record order, to salesforce.UpsertPath, with the record's
// fields as body. OrderItem bodies get PricebookEntryId from entries, which
// may be nil when the Result has no OrderItems.
//
// Graph treats every record as new and so sends every field: it is
// GraphWith with only GraphOptions.PricebookEntries set. For the Order
// target use GraphWith, which leaves out the fields Salesforce refuses on an
// update, so that a second sync of an order succeeds.
//
// graphID must start with a letter or digit and hold at most 40 letters,
// digits and underscores; apiVersion looks like "v64.0". An error wraps
// ErrSkipped, ErrInvalidGraph or ErrMissingPricebookEntry.
func (r Result) Graph(graphID, apiVersion string, entries PricebookEntries) (salesforce.Graph, error) {
	return r.GraphWith(graphID, apiVersion, GraphOptions{PricebookEntries: entries})
}

// GraphWith returns the Composite Graph that writes the Result, as Graph
// does, knowing from opts which OrderItems and which Order already exist in
// Salesforce. The body of an existing record leaves out its
// Record.CreateOnly fields: an existing OrderItem is sent without its Order
// link and PricebookEntry (Salesforce answers INVALID_FIELD_FOR_INSERT_UPDATE
// otherwise, and the whole graph rolls back), and needs no PricebookEntry
// id; an existing Order is sent without Status and Pricebook2Id. A new
// OrderItem whose product key opts.PricebookEntries cannot resolve is a
// *MissingPricebookEntryError. Errors are those of Graph.
func (r Result) GraphWith(graphID, apiVersion string, opts GraphOptions) (salesforce.Graph, error) {
	if r.Skip != nil {
		return salesforce.Graph{}, fmt.Errorf("%w: %s", ErrSkipped, r.Skip.Message)
	}
	if !isGraphID(graphID) {
		return salesforce.Graph{}, fmt.Errorf("%w: graph id %q", ErrInvalidGraph, graphID)
	}
	if !isAPIVersion(apiVersion) {
		return salesforce.Graph{}, fmt.Errorf("%w: API version %q is not like v64.0", ErrInvalidGraph, apiVersion)
	}
	if len(r.Records) > MaxGraphNodes {
		return salesforce.Graph{}, fmt.Errorf("%w: %d records exceed %d subrequests per graph", ErrInvalidGraph, len(r.Records), MaxGraphNodes)
	}
	subs := make([]salesforce.Subrequest, 0, len(r.Records))
	for i := range r.Records {
		rec := &r.Records[i]
		body, err := opts.body(rec)
		if err != nil {
			return salesforce.Graph{}, err
		}
		subs = append(subs, salesforce.Subrequest{
			Method:      http.MethodPatch,
			URL:         salesforce.UpsertPath(apiVersion, rec.SObject, rec.ExternalIDField, rec.ExternalID),
			ReferenceID: rec.Ref,
			Body:        body,
		})
	}
	return salesforce.Graph{GraphID: graphID, CompositeRequest: subs}, nil
}

// exists reports whether opts say Salesforce holds rec. Only the Order and
// its OrderItems are ever looked up: the other records have no CreateOnly
// fields.
func (o *GraphOptions) exists(rec *Record) bool {
	switch {
	case rec.ProductKey != "":
		return o.ExistingLineItems != nil && o.ExistingLineItems(rec.ExternalID)
	case rec.Ref == refOrder:
		return o.ExistingOrders != nil && o.ExistingOrders(rec.ExternalID)
	}
	return false
}

// body returns a copy of rec's fields as the upsert body: without the
// CreateOnly fields for an existing record, and with the PricebookEntry id
// for a new OrderItem.
func (o *GraphOptions) body(rec *Record) (map[string]any, error) {
	body := maps.Clone(rec.Fields)
	if body == nil {
		body = map[string]any{}
	}
	if o.exists(rec) {
		for _, f := range rec.CreateOnly {
			delete(body, f)
		}
		return body, nil
	}
	if rec.ProductKey == "" {
		return body, nil
	}
	var id string
	ok := false
	if o.PricebookEntries != nil {
		id, ok = o.PricebookEntries(rec.ProductKey)
	}
	if !ok {
		return nil, &MissingPricebookEntryError{ProductKey: rec.ProductKey, LineItemID: rec.ExternalID}
	}
	if !isSalesforceID(id) {
		return nil, fmt.Errorf("%w: pricebook entry id %q for product key %q is not a Salesforce id", ErrInvalidGraph, id, rec.ProductKey)
	}
	field := rec.PricebookEntryField
	if field == "" {
		field = defaultPricebookEntryField
	}
	body[field] = id
	return body, nil
}

// defaultPricebookEntryField is the PricebookEntry lookup of a Record built
// without PricebookEntryField, e.g. decoded from an older JSON form.
const defaultPricebookEntryField = "PricebookEntryId"

func isGraphID(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		alnum := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
		if !alnum && (i == 0 || ch != '_') {
			return false
		}
	}
	return true
}

// isAPIVersion accepts "v" digits "." digits.
func isAPIVersion(s string) bool {
	if len(s) < 4 || len(s) > 10 || s[0] != 'v' {
		return false
	}
	dot := -1
	for i := 1; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '.' && dot < 0 && i > 1:
			dot = i
		case ch >= '0' && ch <= '9':
		default:
			return false
		}
	}
	return dot > 0 && dot < len(s)-1
}

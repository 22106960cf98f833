package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// maxEncodedQueryLen bounds one query's SOQL as it travels in the query
// string of a GET, that is URL-encoded, where a quote, a comma or a
// non-ASCII byte takes three bytes: Salesforce answers 414 to a request URI
// longer than 16,384 bytes, and 431 when the URI and the headers together
// pass that. 14,000 bytes leave room for the path, the bearer token and the
// other headers, and stay far below SOQL's 100,000 characters. A batch of
// 75 typical orders needs one query of each kind.
const maxEncodedQueryLen = 14000

// existing is what the existence query found: the OrderItem external IDs
// Salesforce holds, the Order external IDs of their Orders, and which of
// those Orders are activated.
type existing struct {
	items, orders map[string]bool
	activated     map[string]bool // Order external ID -> StatusCode is Activated
}

func (e *existing) item(id string) bool  { return e.items[id] }
func (e *existing) order(id string) bool { return e.orders[id] }

// statusCodeActivated is the StatusCode of an Order in Salesforce's
// Activated status category, whatever its Status is called.
const statusCodeActivated = "Activated"

// lineItemIDs returns the distinct OrderItem external IDs of the batch, in
// arrival order.
func lineItemIDs(b *batch) []string {
	seen := map[string]bool{}
	var ids []string
	for _, id := range b.order {
		for _, rec := range b.items[id].result.Records {
			if rec.ProductKey != "" && !seen[rec.ExternalID] {
				seen[rec.ExternalID] = true
				ids = append(ids, rec.ExternalID)
			}
		}
	}
	return ids
}

// existingRecords finds which of the batch's OrderItems Salesforce already
// holds, and through them which Orders and whether each is activated, with
// one query per maxEncodedQueryLen bytes of encoded SOQL:
//
//	SELECT <line id>, <Order relationship>.<order id>, <Order relationship>.StatusCode
//	FROM OrderItem WHERE <line id> IN (...)
//
// StatusCode is asked for only when the Order object is the standard Order,
// the only one known to have it.
func (w *Worker) existingRecords(ctx context.Context, b *batch) (*existing, error) {
	found := &existing{items: map[string]bool{}, orders: map[string]bool{}, activated: map[string]bool{}}
	cfg := w.cfg.Mapper.Config()
	lineField := cfg.Fields.LineItemID
	orderField := cfg.Fields.OrderRelationship + "." + cfg.Fields.OrderID
	fields := lineField + ", " + orderField
	codeField := ""
	if cfg.Objects.Order == "Order" {
		codeField = cfg.Fields.OrderRelationship + ".StatusCode"
		fields += ", " + codeField
	}
	prefix := fmt.Sprintf("SELECT %s FROM %s WHERE %s IN (", fields, cfg.Objects.OrderItem, lineField)
	for _, soql := range inQueries(prefix, lineItemIDs(b), maxEncodedQueryLen) {
		w.stats.existenceQueries.Add(1)
		for raw, err := range w.cfg.Pricebook.Query(ctx, soql) {
			if err != nil {
				return nil, err
			}
			line, order, code, err := existingKeys(raw, lineField, orderField, codeField)
			if err != nil {
				return nil, err
			}
			found.items[line] = true
			if order != "" {
				found.orders[order] = true
				if code == statusCodeActivated {
					found.activated[order] = true
				}
			}
		}
	}
	return found, nil
}

// inQueries returns prefix + quoted values + ")" split into as few queries
// as keep each, URL-encoded, at most max bytes; a single value too long for
// max still gets a query of its own. It returns nil for no values.
func inQueries(prefix string, values []string, max int) []string {
	var out []string
	var q strings.Builder
	n, size := 0, 0 // values in q, encoded length of q
	sep, closing := encodedLen(", "), encodedLen(")")
	for _, v := range values {
		quoted := salesforce.QuoteString(v)
		vlen := encodedLen(quoted)
		if n > 0 && size+sep+vlen+closing > max {
			q.WriteByte(')')
			out = append(out, q.String())
			q.Reset()
			n = 0
		}
		if n == 0 {
			q.WriteString(prefix)
			size = encodedLen(prefix)
		} else {
			q.WriteString(", ")
			size += sep
		}
		q.WriteString(quoted)
		size += vlen
		n++
	}
	if n > 0 {
		q.WriteByte(')')
		out = append(out, q.String())
	}
	return out
}

// encodedLen returns len(url.QueryEscape(s)) without building the string:
// letters, digits, "-", "_", ".", "~" and the space (written "+") take one
// byte, every other byte three ("%XX").
func encodedLen(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == ' ':
			n++
		default:
			n += 3
		}
	}
	return n
}

// existingKeys reads the line item id, its Order's id and, when codeField
// is not empty, the Order's StatusCode from one OrderItem record. Field names
// match regardless of case, as Salesforce echoes them in their schema
// spelling.
func existingKeys(raw json.RawMessage, lineField, orderField, codeField string) (line, order, code string, err error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", "", "", fmt.Errorf("order item: %w", err)
	}
	line = stringAt(rec, lineField)
	if line == "" {
		return "", "", "", fmt.Errorf("order item without %s", lineField)
	}
	if codeField != "" {
		code = stringAt(rec, codeField)
	}
	return line, stringAt(rec, orderField), code, nil
}

// stringAt follows a dotted field path through nested records and returns
// the text of a string or number value, or "" when any step is missing.
func stringAt(rec map[string]json.RawMessage, path string) string {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		var next map[string]json.RawMessage
		if err := json.Unmarshal(fieldFold(rec, p), &next); err != nil || next == nil {
			return ""
		}
		rec = next
	}
	raw := fieldFold(rec, parts[len(parts)-1])
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func fieldFold(rec map[string]json.RawMessage, name string) json.RawMessage {
	if v, ok := rec[name]; ok {
		return v
	}
	for k, v := range rec {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// lookups gathers what the batch's graphs need from Salesforce. For the
// Order target that is one existence query, then one PricebookEntry query
// for the product keys of the lines Salesforce does not hold yet (none when
// it holds them all); the Opportunity target needs nothing.
func (w *Worker) lookups(ctx context.Context, b *batch) (*lookup, error) {
	if w.target != mapper.TargetOrder {
		return &lookup{}, nil
	}
	ex, err := w.existingRecords(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("existing order items: %w", err)
	}
	objects := w.cfg.Mapper.Config().Objects
	keys, currencies := newPriceKeys(b, ex, objects)
	entries, err := w.pricebookEntries(ctx, keys, currencies)
	if err != nil {
		return nil, fmt.Errorf("pricebook entries: %w", err)
	}
	if entries, err = w.syncMissingProducts(ctx, b, ex, entries); err != nil {
		return nil, fmt.Errorf("products of new lines: %w", err)
	}
	return &lookup{objects: objects, found: ex, entries: entries, multiCurrency: w.multiCurrency}, nil
}

package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/bc2sf/bc2sf/salesforce"
)

// pricebookEntries resolves the PricebookEntry ids of keys with one query
// per maxEncodedQueryLen bytes of encoded SOQL, and none for no keys.
func (w *Worker) pricebookEntries(ctx context.Context, keys []string) (map[string]string, error) {
	// Salesforce stores no NUL, so a key holding one matches no entry: it
	// is left out of the query (which Salesforce might refuse as a whole)
	// and its order dead-letters for want of an entry.
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return strings.ContainsRune(k, 0) })
	sort.Strings(keys)
	field := w.cfg.PricebookKeyField
	prefix := fmt.Sprintf("SELECT Id, %s FROM PricebookEntry WHERE Pricebook2Id = %s AND %s IN (",
		field, salesforce.QuoteString(w.cfg.Mapper.Config().Pricebook2ID), field)
	found := make(map[string]string, len(keys))
	for _, soql := range inQueries(prefix, keys, maxEncodedQueryLen) {
		if err := w.queryEntries(ctx, soql, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

func (w *Worker) queryEntries(ctx context.Context, soql string, found map[string]string) error {
	field := w.cfg.PricebookKeyField
	w.stats.pricebookQueries.Add(1)
	for raw, err := range w.cfg.Pricebook.Query(ctx, soql) {
		if err != nil {
			return err
		}
		id, key, err := entryKey(raw, field)
		if err != nil {
			return err
		}
		if _, dup := found[key]; !dup {
			found[key] = id
		}
	}
	return nil
}

// entryKey reads Id and the (possibly dotted, e.g. "Product2.ProductCode")
// key field from one PricebookEntry record.
func entryKey(raw json.RawMessage, field string) (id, key string, err error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", "", fmt.Errorf("pricebook entry: %w", err)
	}
	if err := json.Unmarshal(rec["Id"], &id); err != nil || id == "" {
		return "", "", fmt.Errorf("pricebook entry without Id")
	}
	path := strings.Split(field, ".")
	for _, p := range path[:len(path)-1] {
		var next map[string]json.RawMessage
		if err := json.Unmarshal(rec[p], &next); err != nil || next == nil {
			return id, "", nil // no parent: the entry matches no key
		}
		rec = next
	}
	_ = json.Unmarshal(rec[path[len(path)-1]], &key)
	return id, key, nil
}

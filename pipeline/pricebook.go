package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// priceKey names the PricebookEntry a new OrderItem needs: its product key
// and, in a multi-currency org, its order's currency (empty otherwise), as
// Salesforce requires an item's entry to have the Order's currency.
type priceKey struct {
	product, currency string
}

// newPriceKeys returns the distinct product keys of the batch's OrderItems
// that Salesforce does not hold yet (an existing item keeps its
// PricebookEntry), leaving out the items of activated Orders, which are not
// written, and the distinct currencies of their orders, sorted. Currencies
// are empty unless the Mapper is multi-currency.
func newPriceKeys(b *batch, ex *existing, objects mapper.Objects) (keys, currencies []string) {
	for _, id := range b.order {
		res := &b.items[id].result
		if ex.activated[orderExternalID(res, objects)] {
			continue // its items are left out
		}
		for _, rec := range res.Records {
			if rec.ProductKey == "" || ex.items[rec.ExternalID] {
				continue
			}
			keys = append(keys, rec.ProductKey)
			if res.Currency != "" {
				currencies = append(currencies, res.Currency)
			}
		}
	}
	slices.Sort(keys)
	slices.Sort(currencies)
	return slices.Compact(keys), slices.Compact(currencies)
}

// pricebookEntries resolves the active PricebookEntry ids of keys in the
// configured price book, with one query per maxEncodedQueryLen bytes of
// encoded SOQL, and none for no keys:
//
//	SELECT Id, <key field>[, CurrencyIsoCode] FROM PricebookEntry
//	WHERE Pricebook2Id = '<id>' AND IsActive = true
//	[AND CurrencyIsoCode IN (<currencies>)] AND <key field> IN (<keys>)
//
// In a multi-currency org each entry is keyed by its currency as well, and
// a batch whose orders carry no currency code makes no query: without a
// currency no entry can be chosen.
func (w *Worker) pricebookEntries(ctx context.Context, keys, currencies []string) (map[priceKey]string, error) {
	found := map[priceKey]string{}
	// Salesforce stores no NUL, so a key holding one matches no entry: it
	// is left out of the query (which Salesforce might refuse as a whole)
	// and its order dead-letters for want of an entry.
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return strings.ContainsRune(k, 0) })
	if len(keys) == 0 || w.multiCurrency && len(currencies) == 0 {
		return found, nil
	}
	field := w.cfg.PricebookKeyField
	selectList, currencyFilter := field, ""
	if w.multiCurrency {
		quoted := make([]string, len(currencies))
		for i, c := range currencies {
			quoted[i] = salesforce.QuoteString(c)
		}
		selectList += ", " + fieldCurrency
		currencyFilter = fmt.Sprintf(" AND %s IN (%s)", fieldCurrency, strings.Join(quoted, ", "))
	}
	prefix := fmt.Sprintf("SELECT Id, %s FROM PricebookEntry WHERE Pricebook2Id = %s AND IsActive = true%s AND %s IN (",
		selectList, salesforce.QuoteString(w.cfg.Mapper.Config().Pricebook2ID), currencyFilter, field)
	for _, soql := range inQueries(prefix, keys, maxEncodedQueryLen) {
		if err := w.queryEntries(ctx, soql, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// fieldCurrency is the currency field of a multi-currency org.
const fieldCurrency = "CurrencyIsoCode"

func (w *Worker) queryEntries(ctx context.Context, soql string, found map[priceKey]string) error {
	field := w.cfg.PricebookKeyField
	w.stats.pricebookQueries.Add(1)
	for raw, err := range w.cfg.Pricebook.Query(ctx, soql) {
		if err != nil {
			return err
		}
		id, key, currency, err := entryKey(raw, field)
		if err != nil {
			return err
		}
		k := priceKey{product: key}
		if w.multiCurrency {
			k.currency = currency
		}
		if _, dup := found[k]; !dup {
			found[k] = id
		}
	}
	return nil
}

// entryKey reads Id, the (possibly dotted, e.g. "Product2.ProductCode") key
// field and CurrencyIsoCode, when present, from one PricebookEntry record.
func entryKey(raw json.RawMessage, field string) (id, key, currency string, err error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", "", "", fmt.Errorf("pricebook entry: %w", err)
	}
	if err := json.Unmarshal(rec["Id"], &id); err != nil || id == "" {
		return "", "", "", fmt.Errorf("pricebook entry without Id")
	}
	_ = json.Unmarshal(rec[fieldCurrency], &currency)
	path := strings.Split(field, ".")
	for _, p := range path[:len(path)-1] {
		var next map[string]json.RawMessage
		if err := json.Unmarshal(rec[p], &next); err != nil || next == nil {
			return id, "", currency, nil // no parent: the entry matches no key
		}
		rec = next
	}
	_ = json.Unmarshal(rec[path[len(path)-1]], &key)
	return id, key, currency, nil
}

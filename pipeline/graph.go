package pipeline

import (
	"errors"
	"fmt"
	"maps"

	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// lookup is what a batch's graphs need from Salesforce beyond the mapped
// records: which Orders and OrderItems exist already, and the PricebookEntry
// ids of the new lines' product keys. The zero value, the Opportunity
// target's, treats every record as new and knows no entry.
type lookup struct {
	objects mapper.Objects
	found   *existing
	entries map[priceKey]string // -> PricebookEntry id
	// multiCurrency keys entries by the order's currency too.
	multiCurrency bool
}

// exists reports whether Salesforce holds the record. Only Orders and
// OrderItems are ever looked up: the other records have no create-only
// fields.
func (l *lookup) exists(sobject, externalID string) bool {
	if l.found == nil {
		return false
	}
	switch sobject {
	case l.objects.OrderItem:
		return l.found.item(externalID)
	case l.objects.Order:
		return l.found.order(externalID)
	}
	return false
}

// itemsLocked reports whether the order of res is an Order that Salesforce
// holds activated: its OrderItems can be neither added nor changed, so they
// are left out of its graph.
func (l *lookup) itemsLocked(res *mapper.Result) bool {
	return l.found != nil && l.found.activated[orderExternalID(res, l.objects)]
}

// orderExternalID returns the external ID of the result's Order record, or
// "" when it has none.
func orderExternalID(res *mapper.Result, objects mapper.Objects) string {
	for i := range res.Records {
		if res.Records[i].SObject == objects.Order {
			return res.Records[i].ExternalID
		}
	}
	return ""
}

// WarnItemsLocked is the code of the warning a Result carries when the
// order's Order is activated in Salesforce: its OrderItems were left out of
// the write, because Salesforce refuses to add or change the products of an
// activated Order, and the Order itself (status, amounts, dates) was
// written. Deactivate the Order in Salesforce and sync the order again to
// write its items.
const WarnItemsLocked mapper.WarningCode = "order_items_locked"

// lockedWarning is the warning of an order whose items were left out.
func lockedWarning(res *mapper.Result, objects mapper.Objects) mapper.Warning {
	n := 0
	for i := range res.Records {
		if res.Records[i].SObject == objects.OrderItem {
			n++
		}
	}
	return mapper.Warning{Code: WarnItemsLocked, Message: fmt.Sprintf(
		"the Order is activated in Salesforce; its %d items were left out (Salesforce refuses changes to them)", n)}
}

// errMissingPricebookEntry is wrapped by a *missingEntryError.
var errMissingPricebookEntry = errors.New("no pricebook entry")

// missingEntryError is a new OrderItem whose product has no active
// PricebookEntry in the price book (in the order's currency, in a
// multi-currency org): a data error, which a retry cannot fix until someone
// adds or activates the entry (and then replays the dead letter).
type missingEntryError struct {
	productKey, lineItemID string
	multiCurrency          bool
	currency               string
}

func (e *missingEntryError) Error() string {
	switch {
	case !e.multiCurrency:
		return fmt.Sprintf("no active pricebook entry for product key %q (line %s)", e.productKey, e.lineItemID)
	case e.currency == "":
		return fmt.Sprintf("no pricebook entry can be chosen for product key %q (line %s): the order has no currency code", e.productKey, e.lineItemID)
	}
	return fmt.Sprintf("no active pricebook entry for product key %q in currency %s (line %s)", e.productKey, e.currency, e.lineItemID)
}

func (e *missingEntryError) Unwrap() error { return errMissingPricebookEntry }

// orderGraph returns the Composite Graph that writes one mapped order: its
// records in order, a new OrderItem given the PricebookEntry id of its
// product key (in the order's currency, in a multi-currency org), and a
// record that Salesforce holds already sent without its create-only fields
// (salesforce.NewUpsertGraph leaves them out). The OrderItems of an Order
// activated in Salesforce are left out (itemsLocked), and a WarnItemsLocked
// warning is added to res.
func orderGraph(graphID string, res *mapper.Result, l *lookup) (salesforce.Graph, error) {
	locked := l.itemsLocked(res)
	if locked {
		res.Warnings = append(res.Warnings, lockedWarning(res, l.objects))
	}
	recs := make([]salesforce.UpsertRecord, 0, len(res.Records))
	for i := range res.Records {
		rec := &res.Records[i]
		if locked && rec.SObject == l.objects.OrderItem {
			continue
		}
		fields := rec.Fields
		if rec.ProductKey != "" && !l.exists(rec.SObject, rec.ExternalID) {
			k := priceKey{product: rec.ProductKey}
			if l.multiCurrency {
				k.currency = res.Currency
			}
			id, ok := l.entries[k]
			if !ok || l.multiCurrency && k.currency == "" {
				return salesforce.Graph{}, &missingEntryError{productKey: rec.ProductKey, lineItemID: rec.ExternalID,
					multiCurrency: l.multiCurrency, currency: k.currency}
			}
			field := rec.PricebookEntryField
			if field == "" {
				field = mapper.DefaultPricebookEntryField
			}
			fields = maps.Clone(fields)
			fields[field] = id
		}
		recs = append(recs, salesforce.UpsertRecord{
			Ref: rec.Ref, SObject: rec.SObject,
			ExternalIDField: rec.ExternalIDField, ExternalID: rec.ExternalID,
			Fields: fields, CreateOnly: rec.CreateOnly,
		})
	}
	return salesforce.NewUpsertGraph(graphID, recs, func(r salesforce.UpsertRecord) bool {
		return l.exists(r.SObject, r.ExternalID)
	})
}

package mapper

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/shopspring/decimal"
)

const (
	refOpportunity = "opportunity"
	refOrder       = "order"
	refItemPrefix  = "item"
)

// The Order fields that are not configurable: the standard Status and price
// book lookup.
const (
	fieldStatus       = "Status"
	fieldPricebook2ID = "Pricebook2Id"
)

func (b *builder) opportunity() error {
	rec := b.newRecord(refOpportunity, b.cfg.Objects.Opportunity, b.cfg.Fields.OrderID, b.orderID())
	name, _ := truncate(b.cfg.OpportunityNamePrefix+b.orderID(), maxOpportunityName)
	rec.Fields["Name"] = name
	amount, err := b.money("total_inc_tax", b.o.TotalIncTax)
	if err != nil {
		return err
	}
	rec.Fields["Amount"] = amount
	if rec.Fields["CloseDate"], err = b.date(refOpportunity, "CloseDate"); err != nil {
		return err
	}
	b.cfg.Stage.set(&rec, b.o)
	if err := b.statusFields(&rec); err != nil {
		return err
	}
	b.currency(&rec)
	b.link(&rec, b.cfg.Fields.AccountLookup, b.cfg.Fields.AccountRelationship, &b.res.Records[0])
	b.add(rec)
	return nil
}

func (b *builder) money(name string, d decimal.Decimal) (json.Number, error) {
	n, ok := money(d)
	if !ok {
		return "", fmt.Errorf("%w: %s is out of range for a currency field", ErrInvalidOrder, name)
	}
	return n, nil
}

func (b *builder) order() error {
	rec := b.newRecord(refOrder, b.cfg.Objects.Order, b.cfg.Fields.OrderID, b.orderID())
	var err error
	if rec.Fields["EffectiveDate"], err = b.date(refOrder, "EffectiveDate"); err != nil {
		return err
	}
	rec.Fields[fieldStatus] = b.cfg.OrderStatus
	rec.Fields[fieldPricebook2ID] = b.cfg.Pricebook2ID
	// Re-sending Draft would try to deactivate an Order activated in
	// Salesforce, and the price book of an Order with items cannot change.
	rec.CreateOnly = []string{fieldStatus, fieldPricebook2ID}
	if st := &b.cfg.OrderStage; st.Field != "" {
		if v := st.value(b.o); v != "" && strings.EqualFold(st.Field, fieldStatus) {
			// A mapped Status is the order's own: sent on every sync.
			delete(rec.Fields, fieldStatus)
			rec.CreateOnly = []string{fieldPricebook2ID}
		}
		st.set(&rec, b.o)
	}
	if err := b.statusFields(&rec); err != nil {
		return err
	}
	b.currency(&rec)
	b.link(&rec, b.cfg.Fields.AccountLookup, b.cfg.Fields.AccountRelationship, &b.res.Records[0])
	b.add(rec)
	return b.lines(len(b.res.Records) - 1)
}

// lines adds one OrderItem per revenue line of the order at
// b.res.Records[parent].
func (b *builder) lines(parent int) error {
	items := b.o.LineItems()
	if len(items) == 0 {
		b.warn(WarnNoLineItems, refOrder, "", "order has no line items (fetched without consignments, or empty); the Order has no products")
		return nil
	}
	seen := make(map[int64]bool, len(items))
	n := 0
	for i := range items {
		p := &items[i]
		if seen[p.ID] {
			return fmt.Errorf("%w: line id %d appears twice", ErrInvalidOrder, p.ID)
		}
		seen[p.ID] = true
		if b.foldBundleChild(p) {
			continue
		}
		if p.Quantity <= 0 {
			b.warn(WarnLineQuantity, "", "Quantity", "line %d has quantity %d; not written", p.ID, p.Quantity)
			continue
		}
		n++
		if err := b.line(p, n, parent); err != nil {
			return err
		}
	}
	return nil
}

// foldBundleChild reports whether p is a bundle component to leave out: the
// bundle's parent line carries the price, so writing the child would count
// revenue twice or add a zero line. A child that has a price of its own is
// kept, with a warning.
func (b *builder) foldBundleChild(p *bigcommerce.OrderProduct) bool {
	if !p.IsBundleChild() {
		return false
	}
	if p.PriceIncTax.IsZero() && p.PriceExTax.IsZero() && p.TotalIncTax.IsZero() {
		b.warn(WarnBundleChildFolded, "", "", "line %d is a component of bundle line %d; folded into it", p.ID, p.ParentOrderProductID)
		return true
	}
	b.warn(WarnBundleChildPriced, "", "", "line %d is a component of bundle line %d but has its own price; written as a line", p.ID, p.ParentOrderProductID)
	return false
}

func (b *builder) line(p *bigcommerce.OrderProduct, n, parent int) error {
	ref := refItemPrefix + strconv.Itoa(n)
	if p.ID <= 0 {
		return fmt.Errorf("%w: line id %d is not positive", ErrInvalidOrder, p.ID)
	}
	rec := b.newRecord(ref, b.cfg.Objects.OrderItem, b.cfg.Fields.LineItemID, strconv.FormatInt(p.ID, 10))
	key, err := b.productKey(ref, p)
	if err != nil {
		return err
	}
	rec.ProductKey = key
	rec.PricebookEntryField = b.cfg.Fields.PricebookEntryLookup
	rec.Fields["Quantity"] = intNumber(int64(p.Quantity))
	price, priceName := p.PriceIncTax, "price_inc_tax"
	if b.cfg.UnitPriceExTax {
		price, priceName = p.PriceExTax, "price_ex_tax"
	}
	if rec.Fields["UnitPrice"], err = b.money(fmt.Sprintf("line %d %s", p.ID, priceName), price); err != nil {
		return err
	}
	b.set(&rec, "Description", p.Name, maxDescription)
	b.link(&rec, b.cfg.Fields.OrderLookup, b.cfg.Fields.OrderRelationship, &b.res.Records[parent])
	// Salesforce refuses both on update (INVALID_FIELD_FOR_INSERT_UPDATE).
	rec.CreateOnly = []string{b.linkField(b.cfg.Fields.OrderLookup, b.cfg.Fields.OrderRelationship), b.cfg.Fields.PricebookEntryLookup}
	b.add(rec)
	return nil
}

// productKey names the line's product: its SKU, else bc-product-<id>, else
// bc-variant-<id>, else Config.CatchAllProductKey.
func (b *builder) productKey(ref string, p *bigcommerce.OrderProduct) (string, error) {
	if sku := b.text(ref, "ProductKey", p.SKU, 0); sku != "" {
		return sku, nil
	}
	key := ProductKey("", p.ProductID, p.VariantID)
	switch {
	case key != "":
	case b.cfg.CatchAllProductKey != "":
		b.warn(WarnCatchAllProduct, ref, "ProductKey", "line %d has no SKU, product or variant id; used the catch-all product %q", p.ID, b.cfg.CatchAllProductKey)
		return b.cfg.CatchAllProductKey, nil
	default:
		return "", fmt.Errorf("%w: line %d has no SKU, product or variant id and no catch-all product is configured", ErrNoProductKey, p.ID)
	}
	b.warn(WarnProductKeyFallback, ref, "ProductKey", "line %d has no SKU; product key is %s", p.ID, key)
	return key, nil
}

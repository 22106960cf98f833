package mapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/shopspring/decimal"
)

// DefaultProductKeyField is the default of Config.Fields.ProductKey: the
// Product2 external ID, "BigCommerce_Product_Key__c".
const DefaultProductKeyField = "BigCommerce_Product_Key__c"

// The Salesforce objects of a product: they are standard and not renamed.
const (
	// ObjectProduct2 is the object MapProduct writes.
	ObjectProduct2 = "Product2"
)

// Errors MapCustomer and MapProduct return.
var (
	// ErrInvalidCustomer: MapCustomer was given nil or a customer whose id
	// is not positive.
	ErrInvalidCustomer = errors.New("mapper: invalid customer")
	// ErrInvalidProduct: MapProduct was given nil, a product whose id is not
	// positive, or a price out of range for a currency field.
	ErrInvalidProduct = errors.New("mapper: invalid product")
)

// ProductKey returns the product key the mapper gives an order line: the
// SKU (invalid UTF-8 replaced, trimmed) when it has one, else
// bc-product-<productID>, else bc-variant-<variantID>, else "" (Map then
// uses Config.CatchAllProductKey). MapProduct writes each Product2 under
// the key an order line for it gets.
func ProductKey(sku string, productID, variantID int64) string {
	if s, _ := sanitize(sku); s != "" {
		return s
	}
	switch {
	case productID > 0:
		return "bc-product-" + strconv.FormatInt(productID, 10)
	case variantID > 0:
		return "bc-variant-" + strconv.FormatInt(variantID, 10)
	}
	return ""
}

// CustomerResult is what MapCustomer returns: the Account and Contact of
// one registered customer, under the key its orders use.
type CustomerResult struct {
	// CustomerID is the BigCommerce customer id.
	CustomerID int64 `json:"customerId"`
	// Key is the customer key (CustomerKey of the customer's e-mail and id).
	Key string `json:"key"`
	// Records are the Account and, unless Config.OmitContact, the Contact
	// linked to it, in that order.
	Records []Record `json:"records"`
	// Warnings lists the fallbacks used.
	Warnings []Warning `json:"warnings"`
}

// MapCustomer returns the records that write a registered customer (a v3
// customer) to Salesforce: the same Account and Contact that Map writes for
// the customer's orders, under the same key (CustomerKey of the customer's
// e-mail and id), so a customer with no order yet gets them too, and an
// edit in BigCommerce reaches them. Names, company, e-mail and phone come
// from the customer; the address comes from the customer's most recently
// added address (the highest id) when Customer.Addresses holds any,
// otherwise no address field is sent and Salesforce keeps what an order
// wrote. Phone falls back to that address's phone. Config.Extra fields with
// a constant Value apply to the Account and Contact; fields read From an
// order field do not (a customer has none).
//
// An order's key comes from its billing e-mail, which a registered customer
// may have changed at checkout: such an order's Account is not the one
// MapCustomer writes. Like Map it does no I/O; an error wraps
// ErrInvalidCustomer.
func (m *Mapper) MapCustomer(c *bigcommerce.Customer) (CustomerResult, error) {
	if c == nil {
		return CustomerResult{}, fmt.Errorf("%w: nil customer", ErrInvalidCustomer)
	}
	if c.ID <= 0 {
		return CustomerResult{}, fmt.Errorf("%w: customer id %d is not positive", ErrInvalidCustomer, c.ID)
	}
	o := customerAsOrder(c)
	res := Result{Records: []Record{}, Warnings: []Warning{}}
	b := &builder{cfg: &m.cfg, o: o, res: &res}
	b.customerKey()
	b.account()
	if !m.cfg.OmitContact {
		b.contact()
	}
	b.constantExtras()
	return CustomerResult{CustomerID: c.ID, Key: b.key, Records: res.Records, Warnings: res.Warnings}, nil
}

// customerAsOrder puts a customer's details where the order builder reads
// them: the billing address of an order without id.
func customerAsOrder(c *bigcommerce.Customer) *bigcommerce.Order {
	a := latestAddress(c.Addresses)
	first, last := c.FirstName, c.LastName
	if strings.TrimSpace(first+last) == "" && a != nil {
		first, last = a.FirstName, a.LastName
	}
	ba := bigcommerce.Address{
		FirstName: first, LastName: last, Company: c.Company, Phone: c.Phone, Email: c.Email,
	}
	if a != nil {
		ba.Street1, ba.Street2, ba.City, ba.State = a.Address1, a.Address2, a.City, a.StateOrProvince
		ba.Zip, ba.Country, ba.CountryISO2 = a.PostalCode, a.Country, a.CountryCode
		if strings.TrimSpace(ba.Phone) == "" {
			ba.Phone = a.Phone
		}
		if strings.TrimSpace(ba.Company) == "" {
			ba.Company = a.Company
		}
	}
	return &bigcommerce.Order{CustomerID: c.ID, BillingAddress: ba}
}

// latestAddress returns the address with the highest id, or nil.
func latestAddress(as []bigcommerce.CustomerAddress) *bigcommerce.CustomerAddress {
	var best *bigcommerce.CustomerAddress
	for i := range as {
		if best == nil || as[i].ID > best.ID {
			best = &as[i]
		}
	}
	return best
}

// constantExtras applies the Config.Extra fields with a constant Value to
// the records built so far.
func (b *builder) constantExtras() {
	for _, x := range b.cfg.Extra {
		if x.From != "" {
			continue
		}
		for i := range b.res.Records {
			if rec := &b.res.Records[i]; rec.SObject == x.Object {
				b.set(rec, x.Field, x.Value, x.MaxLength)
			}
		}
	}
}

// ProductRecord is one Product2 upsert of a product, with the list price of
// its PricebookEntry.
type ProductRecord struct {
	// Record upserts the Product2 on Config.Fields.ProductKey; its
	// ExternalID is the product key. Fields holds Name, ProductCode (the
	// key as well) and IsActive (true).
	Record
	// UnitPrice is the list price for the product's PricebookEntry, in the
	// store's currency, from the exact decimal of the catalog: the
	// variant's own price, else the product's.
	UnitPrice json.Number `json:"unitPrice"`
}

// ProductResult is what MapProduct returns for one catalog product: one
// Product2 per distinct product key of its variants.
type ProductResult struct {
	// ProductID is the BigCommerce product id.
	ProductID int64 `json:"productId"`
	// Products are the Product2 records, in variant order, one per key;
	// their Refs are "product1", "product2", ...
	Products []ProductRecord `json:"products"`
	// Warnings lists the fallbacks used.
	Warnings []Warning `json:"warnings"`
}

// Keys returns the product keys of r, in order.
func (r ProductResult) Keys() []string {
	keys := make([]string, len(r.Products))
	for i, p := range r.Products {
		keys[i] = p.ExternalID
	}
	return keys
}

// MapProduct returns the Product2 records of a catalog product, one per
// product key an order line for it can carry, so that the Order target
// finds a product and a price for every line: each variant's key
// (ProductKey of its SKU and the product id: the SKU, else
// bc-product-<product id>), and, for a variant without SKU, also the
// product's own SKU, which an order line may carry instead. A product read
// without variants is treated as its base variant. Where several variants
// share a key, the first (by the catalog's order) names and prices it.
//
// Each Product2 gets Name (the product's name, plus the variant's option
// labels in parentheses for a variant with options of its own key, cut to
// 255 characters), ProductCode (the key) and IsActive true. Its UnitPrice
// is the variant's own price, else the product's. A product deleted or
// disabled in BigCommerce is never written inactive: its Product2 stays
// for the orders that name it. Like Map it does no I/O; an error wraps
// ErrInvalidProduct.
func (m *Mapper) MapProduct(p *bigcommerce.Product) (ProductResult, error) {
	if p == nil {
		return ProductResult{}, fmt.Errorf("%w: nil product", ErrInvalidProduct)
	}
	if p.ID <= 0 {
		return ProductResult{}, fmt.Errorf("%w: product id %d is not positive", ErrInvalidProduct, p.ID)
	}
	res := Result{Warnings: []Warning{}}
	b := &builder{cfg: &m.cfg, res: &res}
	variants := p.Variants
	if len(variants) == 0 {
		variants = []bigcommerce.Variant{{ProductID: p.ID, SKU: p.SKU}}
	}
	out := ProductResult{ProductID: p.ID, Products: []ProductRecord{}}
	seen := map[string]bool{}
	add := func(key string, v *bigcommerce.Variant, options bool) error {
		if key == "" || seen[key] {
			return nil
		}
		seen[key] = true
		ref := "product" + strconv.Itoa(len(out.Products)+1)
		rec := b.newRecord(ref, ObjectProduct2, m.cfg.Fields.ProductKey, key)
		rec.Fields["Name"] = b.productName(ref, p, v, options)
		rec.Fields["ProductCode"], _ = truncate(key, maxProductCode)
		rec.Fields["IsActive"] = true
		price := p.Price
		if v.Price.Valid {
			price = v.Price.Decimal
		}
		n, err := productMoney(price)
		if err != nil {
			return fmt.Errorf("product %d: %w", p.ID, err)
		}
		out.Products = append(out.Products, ProductRecord{Record: rec, UnitPrice: n})
		return nil
	}
	for i := range variants {
		v := &variants[i]
		sku, _ := sanitize(v.SKU)
		if err := add(ProductKey(sku, p.ID, 0), v, sku != ""); err != nil {
			return ProductResult{}, err
		}
		if sku == "" {
			if err := add(ProductKey(p.SKU, 0, 0), v, false); err != nil {
				return ProductResult{}, err
			}
		}
	}
	out.Warnings = res.Warnings
	return out, nil
}

// maxProductCode is the length of Product2.ProductCode.
const maxProductCode = 255

// productName is the Product2 Name of a key: the product's name, with the
// variant's option labels when the key is the variant's own.
func (b *builder) productName(ref string, p *bigcommerce.Product, v *bigcommerce.Variant, options bool) string {
	name, _ := sanitize(p.Name)
	if name == "" {
		name = "bc-product-" + strconv.FormatInt(p.ID, 10)
	}
	if options && len(v.OptionValues) > 0 {
		labels := make([]string, 0, len(v.OptionValues))
		for _, ov := range v.OptionValues {
			if l, _ := sanitize(ov.Label); l != "" {
				labels = append(labels, l)
			}
		}
		if len(labels) > 0 {
			name += " (" + strings.Join(labels, ", ") + ")"
		}
	}
	return b.text(ref, "Name", name, maxProductName)
}

// maxProductName is the length of Product2.Name.
const maxProductName = 255

// productMoney writes a price as a JSON number, refusing one a currency
// field cannot hold.
func productMoney(d decimal.Decimal) (json.Number, error) {
	n, ok := money(d)
	if !ok {
		return "", fmt.Errorf("%w: price %s is out of range for a currency field", ErrInvalidProduct, d.String())
	}
	return n, nil
}

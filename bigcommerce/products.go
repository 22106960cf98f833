package bigcommerce

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Catalog product paging: 50 per page by default, at most 250; an id:in
// filter is sent 250 ids to a request, one full page.
const (
	defaultProductPageSize = 50
	maxProductPageSize     = 250
)

// ProductsService reads catalog products with their variants (v3). Get it
// from Client.Products.
type ProductsService struct{ c *Client }

// Product is a catalog product (v3) with its variants. Prices are in the
// store's default currency, decoded exactly from the JSON numbers the API
// sends; dates are RFC 3339 on the wire.
type Product struct {
	ID int64 `json:"id"`
	// Name is the product's name, unique in the store.
	Name string `json:"name"`
	// Type is "physical" or "digital".
	Type string `json:"type"`
	// SKU is the product's own SKU; it may be empty.
	SKU string `json:"sku"`
	// Price is the default price (with or without tax, by the store's
	// settings); SalePrice and RetailPrice are zero when not set, and
	// CalculatedPrice is the price the storefront shows.
	Price           decimal.Decimal `json:"price"`
	SalePrice       decimal.Decimal `json:"sale_price"`
	RetailPrice     decimal.Decimal `json:"retail_price"`
	CalculatedPrice decimal.Decimal `json:"calculated_price"`
	IsVisible       bool            `json:"is_visible"`
	// Availability is "available", "disabled" or "preorder".
	Availability  string    `json:"availability"`
	BaseVariantID int64     `json:"base_variant_id"`
	DateCreated   time.Time `json:"date_created"`
	DateModified  time.Time `json:"date_modified"`
	// Variants are sent only with include=variants, which Get and List
	// always ask for. Every product has at least its base variant.
	Variants []Variant `json:"variants"`
}

// Variant is one variant of a product: a combination of option values with
// its own SKU and, optionally, its own price.
type Variant struct {
	ID        int64 `json:"id"`
	ProductID int64 `json:"product_id"`
	// SKU is the variant's SKU; it may be empty.
	SKU   string `json:"sku"`
	SKUID int64  `json:"sku_id"`
	// Price is the variant's own price; it is not Valid (the API sent
	// null) when the variant takes the product's price.
	Price decimal.NullDecimal `json:"price"`
	// CalculatedPrice is the price the storefront shows for the variant.
	CalculatedPrice    decimal.Decimal `json:"calculated_price"`
	PurchasingDisabled bool            `json:"purchasing_disabled"`
	// OptionValues make up the variant; empty for a product's base variant.
	OptionValues []OptionValue `json:"option_values"`
}

// OptionValue is one option value of a variant, e.g. Label "Red" of
// OptionDisplayName "Color".
type OptionValue struct {
	ID                int64  `json:"id"`
	Label             string `json:"label"`
	OptionID          int64  `json:"option_id"`
	OptionDisplayName string `json:"option_display_name"`
}

// UnmarshalJSON decodes a product leniently: money from a number or a
// string (null and "" are zero), ids and SKUs from a number or a string,
// RFC 3339 dates ("" or null is the zero time), unknown fields ignored.
func (p *Product) UnmarshalJSON(b []byte) error {
	type plain Product
	aux := struct {
		*plain
		ID              *lenientInt     `json:"id"`
		SKU             *lenientString  `json:"sku"`
		Price           *lenientDecimal `json:"price"`
		SalePrice       *lenientDecimal `json:"sale_price"`
		RetailPrice     *lenientDecimal `json:"retail_price"`
		CalculatedPrice *lenientDecimal `json:"calculated_price"`
		BaseVariantID   *lenientInt     `json:"base_variant_id"`
		DateCreated     *v3Time         `json:"date_created"`
		DateModified    *v3Time         `json:"date_modified"`
	}{
		plain:           (*plain)(p),
		ID:              (*lenientInt)(&p.ID),
		SKU:             (*lenientString)(&p.SKU),
		Price:           (*lenientDecimal)(&p.Price),
		SalePrice:       (*lenientDecimal)(&p.SalePrice),
		RetailPrice:     (*lenientDecimal)(&p.RetailPrice),
		CalculatedPrice: (*lenientDecimal)(&p.CalculatedPrice),
		BaseVariantID:   (*lenientInt)(&p.BaseVariantID),
		DateCreated:     (*v3Time)(&p.DateCreated),
		DateModified:    (*v3Time)(&p.DateModified),
	}
	return json.Unmarshal(b, &aux)
}

// UnmarshalJSON decodes a variant leniently, as Product does; a null or
// absent price leaves Price not Valid.
func (v *Variant) UnmarshalJSON(b []byte) error {
	type plain Variant
	var price json.RawMessage
	aux := struct {
		*plain
		ID              *lenientInt      `json:"id"`
		ProductID       *lenientInt      `json:"product_id"`
		SKU             *lenientString   `json:"sku"`
		SKUID           *lenientInt      `json:"sku_id"`
		Price           *json.RawMessage `json:"price"`
		CalculatedPrice *lenientDecimal  `json:"calculated_price"`
	}{
		plain:           (*plain)(v),
		ID:              (*lenientInt)(&v.ID),
		ProductID:       (*lenientInt)(&v.ProductID),
		SKU:             (*lenientString)(&v.SKU),
		SKUID:           (*lenientInt)(&v.SKUID),
		Price:           &price,
		CalculatedPrice: (*lenientDecimal)(&v.CalculatedPrice),
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	v.Price = decimal.NullDecimal{}
	if s := strings.TrimSpace(string(price)); s != "" && s != "null" && s != `""` {
		var d lenientDecimal
		if err := d.UnmarshalJSON(price); err != nil {
			return err
		}
		v.Price = decimal.NewNullDecimal(decimal.Decimal(d))
	}
	return nil
}

// Get returns one product with its variants, through
// GET /v3/catalog/products/{id}?include=variants. A product that does not
// exist is an *APIError matching ErrNotFound.
func (s *ProductsService) Get(ctx context.Context, id int64) (*Product, error) {
	if err := checkID("product", id); err != nil {
		return nil, err
	}
	var body struct {
		Data Product `json:"data"`
	}
	path := "/v3/catalog/products/" + strconv.FormatInt(id, 10)
	if _, err := s.c.get(ctx, path, url.Values{"include": {"variants"}}, &body); err != nil {
		return nil, err
	}
	return &body.Data, nil
}

// ListProductsOptions selects products for Products.List. With no IDs,
// every product is listed.
type ListProductsOptions struct {
	// IDs keeps these product ids (id:in), sent 250 to a request.
	IDs []int64
	// PageSize is the number of products per request: 1 to 250. By default
	// 50, or 250 with IDs, so that a chunk of ids is one request.
	PageSize int
}

// List returns an iterator over the products matching opts, each with its
// variants (include=variants), following meta.pagination page by page.
// Ids that name no product are left out, not an error. An error is yielded
// once and ends the loop.
func (s *ProductsService) List(ctx context.Context, opts ListProductsOptions) iter.Seq2[Product, error] {
	var values []string
	for _, id := range opts.IDs {
		values = append(values, strconv.FormatInt(id, 10))
	}
	return func(yield func(Product, error) bool) {
		for chunk := range chunks(values, maxProductPageSize) {
			q := url.Values{"include": {"variants"}}
			def := defaultProductPageSize
			if len(chunk) > 0 {
				q.Set("id:in", strings.Join(chunk, ","))
				def = maxProductPageSize
			}
			limit := clampLimit(opts.PageSize, def, maxProductPageSize)
			for p, err := range paginate(ctx, v3Pages[Product](s.c, "/v3/catalog/products", q, limit)) {
				if !yield(p, err) || err != nil {
					return
				}
			}
		}
	}
}

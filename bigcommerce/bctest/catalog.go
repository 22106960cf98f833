package bctest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Product is a v3 catalog product. Name is required and unique in the
// store, as the API demands; SKUs are unique across every product and
// variant, ignoring case. Price is a decimal string, served as a JSON
// number, "" meaning 0. Type defaults to "physical" and Availability to
// "available"; zero dates default to the clock's now. A product added
// without variants gets its base variant (the product's SKU, no option
// values, no price of its own), as the real store creates one for every
// product.
type Product struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Type         string    `json:"type"`
	SKU          string    `json:"sku"`
	Price        string    `json:"-"`
	IsVisible    bool      `json:"is_visible"`
	Availability string    `json:"availability"`
	DateCreated  time.Time `json:"-"`
	DateModified time.Time `json:"-"`
	Variants     []Variant `json:"-"`
}

// Variant is one variant of a product. Price is a decimal string, or ""
// for a variant that takes the product's price (served as null). A zero ID
// is assigned.
type Variant struct {
	ID           int64         `json:"id"`
	ProductID    int64         `json:"product_id"`
	SKU          string        `json:"sku"`
	Price        string        `json:"-"`
	OptionValues []OptionValue `json:"option_values"`
}

// OptionValue is one option value of a variant, such as Label "Red" of
// OptionDisplayName "Color".
type OptionValue struct {
	ID                int64  `json:"id"`
	Label             string `json:"label"`
	OptionID          int64  `json:"option_id"`
	OptionDisplayName string `json:"option_display_name"`
}

func (p Product) clone() Product {
	p.Variants = slices.Clone(p.Variants)
	for i := range p.Variants {
		p.Variants[i].OptionValues = slices.Clone(p.Variants[i].OptionValues)
	}
	return p
}

// now is the clock the entity fixtures stamp their dates with.
func (s *Server) now() time.Time { return time.Now() }

// AddProduct stores a product and returns it as the API will serve it,
// with its ids assigned (products from 1, variants from 1) and its base
// variant added when it has none. It fails with ErrInvalid for an empty
// name, a negative id or a price that is not a decimal string, and with
// ErrConflict for a taken id, name or SKU.
func (s *Server) AddProduct(p Product) (Product, error) {
	p = p.clone()
	if err := normalizeProduct(&p); err != nil {
		return Product{}, err
	}
	if p.DateCreated.IsZero() {
		p.DateCreated = s.now()
	}
	if p.DateModified.IsZero() {
		p.DateModified = p.DateCreated
	}
	p.DateCreated = p.DateCreated.UTC().Truncate(time.Second)
	p.DateModified = p.DateModified.UTC().Truncate(time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == 0 {
		p.ID = s.nextID.product
	}
	if _, taken := s.products[p.ID]; taken {
		return Product{}, fmt.Errorf("%w: product %d exists", ErrConflict, p.ID)
	}
	if len(p.Variants) == 0 {
		p.Variants = []Variant{{SKU: p.SKU}}
	}
	s.assignVariantIDs(&p)
	if err := s.checkCatalogUnique(&p); err != nil {
		return Product{}, err
	}
	s.nextID.product = max(s.nextID.product, p.ID+1)
	stored := p.clone()
	s.products[p.ID] = &stored
	return p, nil
}

// UpdateProduct applies change to a copy of the stored product, checks the
// result as AddProduct does, stores it and returns it. The id cannot change.
// DateModified becomes the clock's now, unless change moved it itself. It
// fails with ErrNotFound for an unknown id, leaving the product as it was on
// any error.
func (s *Server) UpdateProduct(id int64, change func(*Product)) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.products[id]
	if !ok {
		return Product{}, fmt.Errorf("%w: product %d", ErrNotFound, id)
	}
	p := cur.clone()
	if change != nil {
		change(&p)
	}
	p.ID = id
	if err := normalizeProduct(&p); err != nil {
		return Product{}, err
	}
	if p.DateModified.Equal(cur.DateModified) {
		p.DateModified = s.now()
	}
	p.DateModified = p.DateModified.UTC().Truncate(time.Second)
	if len(p.Variants) == 0 {
		p.Variants = []Variant{{SKU: p.SKU}}
	}
	s.assignVariantIDs(&p)
	if err := s.checkCatalogUnique(&p); err != nil {
		return Product{}, err
	}
	stored := p.clone()
	s.products[id] = &stored
	return p, nil
}

// Product returns a copy of the stored product with the given id.
func (s *Server) Product(id int64) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return Product{}, false
	}
	return p.clone(), true
}

// Products returns copies of every stored product, by ascending id.
func (s *Server) Products() []Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.productList()
}

// productList returns copies of the products by id; mu must be held.
func (s *Server) productList() []Product {
	out := make([]Product, 0, len(s.products))
	for _, p := range s.products {
		out = append(out, p.clone())
	}
	slices.SortFunc(out, func(a, b Product) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func normalizeProduct(p *Product) error {
	if p.ID < 0 || strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("%w: a product needs a name and a non-negative id", ErrInvalid)
	}
	defaultString(&p.Type, "physical")
	defaultString(&p.Availability, "available")
	if err := money("price", &p.Price); err != nil {
		return err
	}
	for i := range p.Variants {
		v := &p.Variants[i]
		if v.ID < 0 {
			return fmt.Errorf("%w: negative variant id", ErrInvalid)
		}
		if v.Price != "" {
			if err := money("variants.price", &v.Price); err != nil {
				return err
			}
		}
	}
	return nil
}

// assignVariantIDs numbers new variants and points them at p; mu must be
// held.
func (s *Server) assignVariantIDs(p *Product) {
	for i := range p.Variants {
		v := &p.Variants[i]
		if v.ID == 0 {
			v.ID = s.nextID.variant
		}
		s.nextID.variant = max(s.nextID.variant, v.ID+1)
		v.ProductID = p.ID
	}
}

// checkCatalogUnique refuses a name another product holds, and a SKU
// held twice in p or by another product, ignoring case; mu must be held.
func (s *Server) checkCatalogUnique(p *Product) error {
	own := map[string]bool{strings.ToLower(p.SKU): p.SKU != ""}
	for _, sku := range variantSKUs(p) {
		k := strings.ToLower(sku)
		if k == "" || strings.EqualFold(sku, p.SKU) {
			continue // a base variant carries the product's own SKU
		}
		if own[k] {
			return fmt.Errorf("%w: SKU %q appears twice in product %q", ErrConflict, sku, p.Name)
		}
		own[k] = true
	}
	for id, o := range s.products {
		if id == p.ID {
			continue
		}
		if strings.EqualFold(o.Name, p.Name) {
			return fmt.Errorf("%w: product %d is named %q already", ErrConflict, id, o.Name)
		}
		for _, sku := range append([]string{o.SKU}, variantSKUs(o)...) {
			if sku != "" && own[strings.ToLower(sku)] {
				return fmt.Errorf("%w: SKU %q belongs to product %d", ErrConflict, sku, id)
			}
		}
	}
	return nil
}

// productWire is a product as GET /v3/catalog/products serves it.
type productWire struct {
	*Product
	Price           json.Number   `json:"price"`
	SalePrice       json.Number   `json:"sale_price"`
	RetailPrice     json.Number   `json:"retail_price"`
	CostPrice       json.Number   `json:"cost_price"`
	CalculatedPrice json.Number   `json:"calculated_price"`
	BaseVariantID   int64         `json:"base_variant_id"`
	DateCreated     string        `json:"date_created"`
	DateModified    string        `json:"date_modified"`
	Variants        []variantWire `json:"variants,omitempty"`
}

type variantWire struct {
	*Variant
	Price              *json.Number `json:"price"`
	SalePrice          *json.Number `json:"sale_price"`
	RetailPrice        *json.Number `json:"retail_price"`
	CalculatedPrice    json.Number  `json:"calculated_price"`
	SKUID              *int64       `json:"sku_id"`
	PurchasingDisabled bool         `json:"purchasing_disabled"`
}

// v3DateLayout is how the catalog prints dates: RFC 3339 with "+00:00".
const v3DateLayout = "2006-01-02T15:04:05-07:00"

func wireProduct(p *Product, withVariants bool) productWire {
	w := productWire{
		Product: p, Price: json.Number(p.Price), SalePrice: "0", RetailPrice: "0", CostPrice: "0",
		CalculatedPrice: json.Number(p.Price),
		DateCreated:     p.DateCreated.UTC().Format(v3DateLayout),
		DateModified:    p.DateModified.UTC().Format(v3DateLayout),
	}
	if len(p.Variants) > 0 {
		w.BaseVariantID = p.Variants[0].ID
	}
	if !withVariants {
		return w
	}
	w.Variants = make([]variantWire, len(p.Variants))
	for i := range p.Variants {
		v := &p.Variants[i]
		vw := variantWire{Variant: v, CalculatedPrice: json.Number(p.Price)}
		if v.Price != "" {
			n := json.Number(v.Price)
			vw.Price, vw.CalculatedPrice = &n, n
		}
		if v.OptionValues == nil {
			v.OptionValues = []OptionValue{} // p is the caller's copy: served as [], never null
		}
		if i > 0 {
			id := v.ID
			vw.SKUID = &id
		}
		w.Variants[i] = vw
	}
	return w
}

// productIncludes are the documented include values of the catalog; the
// fake serves variants and accepts the others without serving them.
var productIncludes = []string{
	"bulk_pricing_rules", "channels", "custom_fields", "images", "modifiers", "options",
	"parent_relations", "primary_image", "reviews", "variants", "videos",
}

// productParams are the query parameters the fake's product routes model.
var productParams = []string{"id:in", "include", "page", "limit"}

// readIncludes reads include= and reports whether it asks for variants.
func readIncludes(q *query) bool {
	raw, ok := q.list("include")
	if !ok {
		return false
	}
	variants := false
	for _, v := range raw {
		if !slices.Contains(productIncludes, v) {
			q.fail("include", v, "one of "+strings.Join(productIncludes, ", "))
			return false
		}
		variants = variants || v == "variants"
	}
	return variants
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) {
	q := &query{v: r.URL.Query()}
	withVariants := readIncludes(q)
	if !checkV3Query(w, q, false) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeV3Error(w, http.StatusNotFound, "The requested product was not found.", nil)
		return
	}
	p, ok := s.Product(id)
	if !ok {
		writeV3Error(w, http.StatusNotFound, "The requested product was not found.", nil)
		return
	}
	writeJSON(w, http.StatusOK, itemBody[productWire]{Data: wireProduct(&p, withVariants)})
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) {
	q := &query{v: r.URL.Query()}
	for name := range r.URL.Query() {
		if !slices.Contains(productParams, name) {
			writeV3Error(w, http.StatusUnprocessableEntity, "bctest does not support this filter",
				map[string]string{name: "not supported by the fake store"})
			return
		}
	}
	ids := q.idSet("id:in", "a product id")
	withVariants := readIncludes(q)
	page, limit, tooLarge := q.page(maxV3Limit)
	if !checkV3Query(w, q, tooLarge) {
		return
	}
	var matched []productWire
	for _, p := range s.Products() {
		if len(ids) > 0 && !ids[p.ID] {
			continue
		}
		matched = append(matched, wireProduct(&p, withVariants))
	}
	writeJSON(w, http.StatusOK, paginate(matched, page, limit))
}

func variantSKUs(p *Product) []string {
	out := make([]string, 0, len(p.Variants))
	for _, v := range p.Variants {
		out = append(out, v.SKU)
	}
	return out
}

// idSet reads an ":in" filter of positive ids (id:in); a value that is not
// one fails the query with want. It is empty when the filter is absent.
func (q *query) idSet(name, want string) map[int64]bool {
	ids := map[int64]bool{}
	raw, ok := q.list(name)
	if !ok {
		return ids
	}
	for _, v := range raw {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			q.fail(name, v, want)
			break
		}
		ids[n] = true
	}
	return ids
}

package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProductsGet(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v3/catalog/products/{id}", func(w http.ResponseWriter, r *http.Request) {
		eq(t, "include", r.URL.Query().Get("include"), "variants")
		if r.PathValue("id") != "174" {
			jsonHandler(http.StatusNotFound, []byte(`{"status":404,"title":"The requested product was not found.","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`))(w, r)
			return
		}
		jsonHandler(http.StatusOK, fixture(t, "product_variants.json"))(w, r)
	})
	c := newServerClient(t, mux)
	p, err := c.Products.Get(context.Background(), 174)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "name", p.Name, "Smith Journal 13")
	eq(t, "sku", p.SKU, "SM-13")
	eq(t, "price", p.Price.String(), "25")
	eq(t, "modified", p.DateModified.Equal(time.Date(2018, 9, 5, 20, 42, 7, 0, time.UTC)), true)
	eq(t, "variants", len(p.Variants), 3)
	base, red, blue := p.Variants[0], p.Variants[1], p.Variants[2]
	eq(t, "base price set", base.Price.Valid, false)
	eq(t, "red price", red.Price.Decimal.String(), "27.5")
	eq(t, "red option", red.OptionValues[0].Label+"/"+red.OptionValues[0].OptionDisplayName, "Red/Color")
	eq(t, "blue price from a string", blue.Price.Decimal.String(), "0.1")
	eq(t, "blue sku", blue.SKU, "")
	eq(t, "blue sku id", blue.SKUID, int64(71))

	_, err = c.Products.Get(context.Background(), 9)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing product: %v, want ErrNotFound", err)
	}
	if _, err := c.Products.Get(context.Background(), 0); err == nil {
		t.Fatal("id 0: want an error")
	}
}

// TestProductsListByIDs: 600 ids are three requests of at most 250, each
// asking for the variants and a page as large as the chunk.
func TestProductsListByIDs(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var sizes []int
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v3/catalog/products", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		eq(t, "include", q.Get("include"), "variants")
		eq(t, "limit", q.Get("limit"), "250")
		ids := strings.Split(q.Get("id:in"), ",")
		mu.Lock()
		sizes = append(sizes, len(ids))
		mu.Unlock()
		var data []map[string]any
		for _, id := range ids {
			n, _ := strconv.Atoi(id)
			if n%2 == 0 { // odd ids name no product
				data = append(data, map[string]any{"id": n, "name": "P" + id, "price": 1.5, "variants": []any{}})
			}
		}
		body, _ := json.Marshal(map[string]any{"data": data, "meta": map[string]any{"pagination": map[string]any{
			"total": len(data), "count": len(data), "per_page": 250, "current_page": 1, "total_pages": 1}}})
		jsonHandler(http.StatusOK, body)(w, r)
	})
	c := newServerClient(t, mux)
	ids := make([]int64, 600)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	n := 0
	for p, err := range c.Products.List(context.Background(), ListProductsOptions{IDs: ids}) {
		if err != nil {
			t.Fatal(err)
		}
		if p.ID%2 != 0 || p.Price.String() != "1.5" {
			t.Fatalf("product %+v", p)
		}
		n++
	}
	eq(t, "products", n, 300)
	eq(t, "requests", len(sizes), 3)
	eq(t, "chunks", sizes[0]+sizes[1]+sizes[2], 600)
	for _, s := range sizes {
		if s > 250 {
			t.Errorf("a request carried %d ids", s)
		}
	}
}

func TestVariantPriceShapes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		valid bool
		want  string
		err   bool
	}{
		{`{"price":null}`, false, "0", false},
		{`{}`, false, "0", false},
		{`{"price":""}`, false, "0", false},
		{`{"price":12.3456}`, true, "12.3456", false},
		{`{"price":"7"}`, true, "7", false},
		{`{"price":"abc"}`, false, "", true},
		{`{"price":[1]}`, false, "", true},
	} {
		var v Variant
		err := json.Unmarshal([]byte(c.in), &v)
		if (err != nil) != c.err {
			t.Errorf("%s: err %v", c.in, err)
			continue
		}
		if err == nil && (v.Price.Valid != c.valid || v.Price.Decimal.String() != c.want) {
			t.Errorf("%s: price %+v", c.in, v.Price)
		}
	}
}

func FuzzDecodeProduct(f *testing.F) {
	f.Add(fixture(f, "product_variants.json"))
	f.Add([]byte(`{"data":{"id":"12","sku":123,"price":"1e400","variants":[{"price":null,"option_values":null}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var body struct {
			Data Product `json:"data"`
		}
		if err := json.Unmarshal(data, &body); err != nil {
			return
		}
		out, err := json.Marshal(body.Data)
		if err != nil {
			return
		}
		var back Product
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !back.Price.Equal(body.Data.Price) || len(back.Variants) != len(body.Data.Variants) {
			t.Fatalf("round trip changed the product: %s", out)
		}
		for i, v := range back.Variants {
			if v.Price.Valid != body.Data.Variants[i].Price.Valid || !v.Price.Decimal.Equal(body.Data.Variants[i].Price.Decimal) {
				t.Fatalf("round trip changed variant %d: %s", i, out)
			}
		}
	})
}

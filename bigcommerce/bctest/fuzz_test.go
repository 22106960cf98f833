package bctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"
)

func fuzzServer(f *testing.F) *Server {
	s, err := NewServer(WithRateLimit(1<<30, time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	if _, err := s.AddOrder(Order{TotalIncTax: "10", LineItems: []LineItem{{Name: "x", Quantity: 1}}}); err != nil {
		f.Fatal(err)
	}
	if _, err := s.AddCustomer(Customer{Email: "a@b.c"}); err != nil {
		f.Fatal(err)
	}
	if _, err := s.AddHook(Hook{ID: 1, Scope: "store/order/created", Destination: "https://e.com/h"}); err != nil {
		f.Fatal(err)
	}
	if _, err := s.AddProduct(Product{Name: "p", Price: "1", Variants: []Variant{{SKU: "a"}, {SKU: "b", Price: "2"}}}); err != nil {
		f.Fatal(err)
	}
	return s
}

// serve runs one request through the whole server without the network and
// returns its status.
func serve(s *Server, method, path, rawQuery string, body []byte) int {
	return record(s, method, path, rawQuery, body).Code
}

// record runs one request through the whole server without the network.
func record(s *Server, method, path, rawQuery string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/stores/"+s.cfg.storeHash+path, bytes.NewReader(body))
	req.URL.RawQuery = rawQuery
	req.Header.Set(headerAuthToken, s.cfg.token())
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// FuzzQueries checks that no query string makes a list route panic or
// answer anything but a success or a client error of the route's kind.
func FuzzQueries(f *testing.F) {
	for _, seed := range []string{
		"", "min_id=1&max_id=100", "sort=date_created:desc&limit=250&page=2",
		"min_date_created=Thu%2C%2020%20Apr%202017%2011%3A32%3A00%20-0400",
		"max_date_modified=2017-04-20T11:32:00.000-04:00", "min_total=1.5", "limit=251",
		"include=consignments.line_items&consignment_structure=object", "id:in=1,2&email:in=a@b.c",
		"page=99999999999999999999", "limit=-1", "%zz", "sort=last_name:asc",
		"include=variants", "id:in=1,2&include=variants,images", "date_modified:min=2026-01-01&include=addresses",
	} {
		f.Add(seed)
	}
	s := fuzzServer(f)
	routes := []struct {
		path string
		ok   []int
	}{
		{"/v2/orders", []int{200, 204, 400, 413}},
		{"/v2/orders/100", []int{200}},
		{"/v2/orders/100/products", []int{200, 204, 400, 413}},
		{"/v2/orders/100/shipping_addresses", []int{200, 204, 400, 413}},
		{"/v3/customers", []int{200, 422}},
		{"/v3/catalog/products", []int{200, 422}},
		{"/v3/catalog/products/1", []int{200, 422}},
		{"/v3/hooks", []int{200, 422}},
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		for _, r := range routes {
			if code := serve(s, http.MethodGet, r.path, rawQuery, nil); !slices.Contains(r.ok, code) {
				t.Fatalf("GET %s?%s = %d", r.path, rawQuery, code)
			}
		}
	})
}

// FuzzHookBodies checks that no request body makes the hook routes panic
// or answer anything but 200, 400 or 422.
func FuzzHookBodies(f *testing.F) {
	for _, seed := range []string{
		`{"scope":"store/order/created","destination":"https://e.com/x","headers":{"a":"b"}}`,
		`{"is_active":false}`, `{"headers":null}`, `{}`, `[]`, `null`, `{"scope":1}`, `{"headers":[1]}`,
		`{"scope":"s","destination":"http://[::1"}`,
	} {
		f.Add([]byte(seed))
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ok := []int{200, 400, 422}
		if code := serve(s, http.MethodPut, "/v3/hooks/1", "", body); !slices.Contains(ok, code) {
			t.Fatalf("PUT %q = %d", body, code)
		}
		if code := serve(s, http.MethodPost, "/v3/hooks", "", body); !slices.Contains(ok, code) {
			t.Fatalf("POST %q = %d", body, code)
		}
	})
}

// FuzzOrderIDRange checks that a list by id range answers what the same
// list without the range answers, cut to the range, whichever way the
// store finds the range's orders (looked up by id for a range narrower
// than the store, a pass over it otherwise).
func FuzzOrderIDRange(f *testing.F) {
	f.Add(int64(100), int64(105), "")
	f.Add(int64(0), int64(1000), "sort=id:desc")
	f.Add(int64(118), int64(130), "status_id=11")
	f.Add(int64(110), int64(100), "")
	s, err := NewServer(WithRateLimit(1<<30, time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	for i := range 20 {
		if _, err := s.AddOrder(Order{StatusID: []int{11, 10}[i%2], TotalIncTax: "1"}); err != nil {
			f.Fatal(err)
		}
	}
	list := func(t *testing.T, rawQuery string) (int, []int64) {
		rec := record(s, http.MethodGet, "/v2/orders", rawQuery, nil)
		var ids []int64
		if rec.Code == http.StatusOK {
			var rows []struct{ ID int64 }
			if err := json.Unmarshal(rec.Body.Bytes(), &rows); err != nil {
				t.Fatalf("%s: %v", rawQuery, err)
			}
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
		}
		return rec.Code, ids
	}
	f.Fuzz(func(t *testing.T, lo, hi int64, rest string) {
		if lo < 0 || hi < 0 {
			return // refused with 400 before any lookup (FuzzQueries)
		}
		v, err := url.ParseQuery(rest)
		if err != nil || v.Has("min_id") || v.Has("max_id") || v.Has("page") || v.Has("limit") {
			return // the range, its page and its size are the test's
		}
		base := "limit=250"
		if rest != "" {
			base += "&" + rest
		}
		code, all := list(t, base)
		if code != http.StatusOK && code != http.StatusNoContent {
			return // a query the store refuses, with the range or without
		}
		var want []int64
		for _, id := range all {
			if id >= lo && id <= hi {
				want = append(want, id)
			}
		}
		_, got := list(t, fmt.Sprintf("%s&min_id=%d&max_id=%d", base, lo, hi))
		if !slices.Equal(got, want) {
			t.Fatalf("min_id=%d&max_id=%d&%s: %v, want %v", lo, hi, base, got, want)
		}
	})
}

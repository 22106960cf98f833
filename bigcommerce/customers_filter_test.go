package bigcommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCustomersListFilters: the modified-since bound, the sort and the
// addresses reach the API as documented, and 600 ids are three requests of
// at most 250, each one page.
func TestCustomersListFilters(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var queries []map[string]string
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storePath+"/v3/customers", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		queries = append(queries, map[string]string{
			"date_modified:min": q.Get("date_modified:min"), "sort": q.Get("sort"), "include": q.Get("include"),
			"limit": q.Get("limit"), "ids": fmt.Sprint(len(strings.Split(q.Get("id:in"), ","))),
		})
		mu.Unlock()
		jsonHandler(http.StatusOK, []byte(`{"data":[{"id":7,"email":"ada@example.com","addresses":[
			{"id":3,"customer_id":"7","address1":"12 Main St","city":"Leeds","postal_code":12345,"phone":null,"country_code":"GB"}]}],
			"meta":{"pagination":{"total":1,"count":1,"per_page":250,"current_page":1,"total_pages":1}}}`))(w, r)
	})
	c := newServerClient(t, mux)
	since := time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))
	var got []Customer
	for cust, err := range c.Customers.List(context.Background(), ListCustomersOptions{
		MinDateModified: since, Sort: "date_modified:asc", IncludeAddresses: true,
	}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cust)
	}
	eq(t, "customers", len(got), 1)
	eq(t, "min", queries[0]["date_modified:min"], "2026-03-01T11:30:00Z")
	eq(t, "sort", queries[0]["sort"], "date_modified:asc")
	eq(t, "include", queries[0]["include"], "addresses")
	eq(t, "limit without ids", queries[0]["limit"], "50")
	a := got[0].Addresses[0]
	eq(t, "address", fmt.Sprintf("%d|%d|%s|%s|%s|%s|%s", a.ID, a.CustomerID, a.Address1, a.City, a.PostalCode, a.Phone, a.CountryCode), "3|7|12 Main St|Leeds|12345||GB")

	ids := make([]int64, 600)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	queries = nil
	for _, err := range c.Customers.List(context.Background(), ListCustomersOptions{IDs: ids}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	eq(t, "requests", len(queries), 3)
	eq(t, "chunk sizes", queries[0]["ids"]+","+queries[1]["ids"]+","+queries[2]["ids"], "250,250,100")
	eq(t, "a chunk is one page", queries[0]["limit"], "250")
}

func TestCustomersUnknownSort(t *testing.T) {
	t.Parallel()
	c, mt, _ := newMockClient(t)
	for _, err := range c.Customers.List(context.Background(), ListCustomersOptions{Sort: "email:asc"}) {
		if err == nil || !strings.Contains(err.Error(), `unknown customer sort "email:asc"`) {
			t.Fatalf("err = %v", err)
		}
	}
	eq(t, "calls", mt.GetTotalCallCount(), 0)
}

func FuzzDecodeCustomer(f *testing.F) {
	f.Add(fixture(f, "customers.json"))
	f.Add([]byte(`{"data":[{"id":"1","phone":5,"addresses":[{"id":null,"postal_code":1.5,"company":true}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var list v3List[Customer]
		if err := json.Unmarshal(data, &list); err != nil {
			return
		}
		out, err := json.Marshal(list.Data)
		if err != nil {
			return
		}
		var back []Customer
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		for i := range back {
			if back[i].ID != list.Data[i].ID || back[i].Email != list.Data[i].Email || len(back[i].Addresses) != len(list.Data[i].Addresses) {
				t.Fatalf("round trip changed customer %d: %s", i, out)
			}
		}
	})
}

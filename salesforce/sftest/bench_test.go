package sftest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkBaselineHandler is the floor the fake is measured against: one
// HTTP round trip to a handler that reads the body and answers a fixed JSON
// document.
func BenchmarkBaselineHandler(b *testing.B) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"0018d00000000G9AAI","success":true,"errors":[],"created":true}`))
	}))
	defer ts.Close()
	body := []byte(`{"Name":"Acme"}`)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req, _ := http.NewRequest(http.MethodPatch, ts.URL+"/x/"+fmt.Sprint(i), bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkUpsert is one upsert round trip against an org holding 200
// accounts, the size of a typical test.
func BenchmarkUpsert(b *testing.B) {
	srv := newServer(b)
	c := newClient(b, srv)
	for i := 0; i < 200; i++ {
		srv.Seed("Account", Record{"Name": "n", "BigCommerce_Customer_Key__c": fmt.Sprint("seed", i)})
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if r := c.do("PATCH", fmt.Sprint("sobjects/Account/BigCommerce_Customer_Key__c/k", i%100), map[string]any{"Name": "Acme"}); r.status >= 300 {
			b.Fatal(r.status)
		}
	}
}

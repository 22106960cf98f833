package salesforce

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkGraphRequest75 builds (NewUpsertGraph), validates, completes
// with the client's API version and encodes one Composite Graph call
// carrying 75 orders of 3 upserts each (Account, Contact, Opportunity), the
// worker's hot path.
func BenchmarkGraphRequest75(b *testing.B) {
	c := &Client{version: DefaultAPIVersion}
	b.ReportAllocs()
	start := mallocs()
	var size int
	for b.Loop() {
		req := GraphRequest{Graphs: make([]Graph, 0, MaxGraphs)}
		for i := range MaxGraphs {
			req.Graphs = append(req.Graphs, orderGraph(1000+i))
		}
		if err := req.Validate(); err != nil {
			b.Fatal(err)
		}
		out, err := json.Marshal(GraphRequest{Graphs: c.completeGraphs(req.Graphs)})
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	reportPerOrder(b, start)
	b.ReportMetric(float64(size)/MaxGraphs, "bytes/order")
}

// BenchmarkGraphRequest75Baseline encodes the same request built as plain
// nested maps, without validation: the floor the typed path is compared with.
func BenchmarkGraphRequest75Baseline(b *testing.B) {
	b.ReportAllocs()
	start := mallocs()
	for b.Loop() {
		graphs := make([]any, 0, MaxGraphs)
		for i := range MaxGraphs {
			id := fmt.Sprint(1000 + i)
			key := "c" + id + "@example.com"
			graphs = append(graphs, map[string]any{"graphId": "order_" + id, "compositeRequest": []any{
				map[string]any{"method": "PATCH", "url": "/services/data/v64.0/sobjects/Account/BigCommerce_Customer_Key__c/" + key, "referenceId": "acct", "body": map[string]any{"Name": "Customer " + id}},
				map[string]any{"method": "PATCH", "url": "/services/data/v64.0/sobjects/Contact/BigCommerce_Customer_Key__c/" + key, "referenceId": "contact", "body": map[string]any{"LastName": "L", "AccountId": "@{acct.id}"}},
				map[string]any{"method": "PATCH", "url": "/services/data/v64.0/sobjects/Opportunity/BigCommerce_Order_Id__c/" + id, "referenceId": "opp", "body": map[string]any{"Name": "Order " + id, "StageName": "Closed Won", "CloseDate": "2026-11-26", "AccountId": "@{acct.id}"}},
			}})
		}
		if _, err := json.Marshal(map[string]any{"graphs": graphs}); err != nil {
			b.Fatal(err)
		}
	}
	reportPerOrder(b, start)
}

func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// reportPerOrder reports time and allocations per order (75 per op).
func reportPerOrder(b *testing.B, startMallocs uint64) {
	perOp := float64(b.N) * MaxGraphs
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perOp, "ns/order")
	b.ReportMetric(float64(mallocs()-startMallocs)/perOp, "allocs/order")
}

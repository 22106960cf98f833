package sftest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func FuzzSOQL(f *testing.F) {
	seeds := []string{
		"SELECT Id, Name FROM Account WHERE Name = 'Bob\\'s' AND Id IN ('a','b') ORDER BY Name DESC LIMIT 10",
		"SELECT Account.Name FROM Contact WHERE Email != null",
		"SELECT Id FROM Account WHERE Name = '\\u00e9\\n'",
		"select id from account where amount = -1.5",
		"SELECT Id FROM Account WHERE Name = 'unterminated",
		"SELECT Id FROM Account WHERE Name = 'a\\",
		"SELECT Id FROM Account WHERE Name = '\\u12",
		"SELECT , FROM",
		"((((",
		"\x00\xff",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		parsed, err := parseSOQL(q)
		if err != nil {
			if !errors.Is(err, errMalformedQuery) {
				t.Fatalf("error %v does not wrap errMalformedQuery", err)
			}
			if parsed != nil {
				t.Fatal("both a query and an error")
			}
			return
		}
		if len(parsed.Fields) == 0 || parsed.Object == "" {
			t.Fatalf("accepted %q without fields or object", q)
		}
		if !strings.Contains(strings.ToUpper(q), "SELECT") {
			t.Fatalf("accepted %q without SELECT", q)
		}
	})
}

// FuzzRecordBody feeds arbitrary bytes to the create and upsert paths, which
// read client-provided JSON: they must answer, never panic.
func FuzzRecordBody(f *testing.F) {
	f.Add([]byte(`{"Name":"A","Account":{"BigCommerce_Customer_Key__c":"x"}}`))
	f.Add([]byte(`{"LastName":["x"],"CloseDate":"2026-13-01"}`))
	f.Add([]byte(`{"records":[{"attributes":{"type":"Account"},"Name":"x"}]}`))
	f.Add([]byte(`{"graphs":[{"graphId":"g","compositeRequest":[{"method":"POST","url":"/services/data/v64.0/sobjects/Account","referenceId":"a","body":{"Name":"@{a.id}"}}]}]}`))
	f.Add([]byte(`null`))
	srv := newServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		tx := &tx{st: srv.st, now: time.Now()}
		srv.mu.Lock()
		defer srv.mu.Unlock()
		sp := tx.savepoint()
		defer tx.rollbackTo(sp)
		for _, c := range []call{
			{method: "POST", version: "v64.0", verNum: 64, segs: []string{"sobjects", "Contact"}, body: body},
			{method: "PATCH", version: "v64.0", verNum: 64, segs: []string{"sobjects", "Account", "BigCommerce_Customer_Key__c", "k"}, body: body},
			{method: "POST", version: "v64.0", verNum: 64, segs: []string{"composite", "sobjects"}, body: body},
			{method: "POST", version: "v64.0", verNum: 64, segs: []string{"composite", "graph"}, body: body},
			{method: "POST", version: "v64.0", verNum: 64, segs: []string{"composite"}, body: body},
		} {
			if r := srv.dispatch(tx, c); r.status == 0 {
				t.Fatalf("%s %v: no status", c.method, c.segs)
			}
		}
	})
}

// FuzzIngestCSV feeds arbitrary bytes to an upsert job: it must finish,
// Failed or JobComplete, never panic.
func FuzzIngestCSV(f *testing.F) {
	f.Add([]byte("BigCommerce_Customer_Key__c,Name,Account.BigCommerce_Customer_Key__c\nk,A,k\n"))
	f.Add([]byte("BigCommerce_Customer_Key__c,Name\n\"k,\"\"x\",#N/A\n"))
	f.Add([]byte("\"unterminated\n"))
	f.Add([]byte("Id\n\n\n"))
	srv := newServer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		t0 := &tx{st: srv.st, now: time.Now()}
		j := srv.newJob("ingest", t0.now)
		j.object, j.operation, j.extField, j.state, j.data, j.uploaded = "Account", "upsert", "BigCommerce_Customer_Key__c", "Open", data, true
		srv.runIngest(t0, j)
		if j.state != "JobComplete" && j.state != "Failed" {
			t.Fatalf("state %s", j.state)
		}
		if j.processed != len(j.success)+len(j.failure) {
			t.Fatalf("processed %d, %d ok, %d failed", j.processed, len(j.success), len(j.failure))
		}
		delete(srv.bulk.jobs, j.id)
	})
}

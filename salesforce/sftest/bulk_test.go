package sftest

import (
	"strings"
	"testing"
)

// putCSV uploads data to a job.
func (c *client) putCSV(jobID, data string) result {
	c.t.Helper()
	c.extra = map[string]string{"Content-Type": "text/csv"}
	defer func() { c.extra = nil }()
	return c.do("PUT", "jobs/ingest/"+jobID+"/batches", data)
}

func (c *client) newJob(op, object, ext string) string {
	c.t.Helper()
	body := map[string]any{"object": object, "operation": op}
	if ext != "" {
		body["externalIdFieldName"] = ext
	}
	return c.mustStatus(c.do("POST", "jobs/ingest", body), 200).object(c.t)["id"].(string)
}

func (c *client) runJob(jobID, data string) map[string]any {
	c.t.Helper()
	c.mustStatus(c.putCSV(jobID, data), 201)
	c.mustStatus(c.do("PATCH", "jobs/ingest/"+jobID, map[string]any{"state": "UploadComplete"}), 200)
	return c.mustStatus(c.do("GET", "jobs/ingest/"+jobID, nil), 200).object(c.t)
}

func TestIngestJobLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	srv.SetBulkPolls(1)
	id := c.newJob("upsert", "Account", "bigcommerce_customer_key__c")
	info := c.mustStatus(c.do("GET", "jobs/ingest/"+id, nil), 200).object(t)
	if info["state"] != "Open" || info["externalIdFieldName"] != "BigCommerce_Customer_Key__c" ||
		info["contentUrl"] != "services/data/v64.0/jobs/ingest/"+id+"/batches" {
		t.Fatalf("open job %v", info)
	}
	if code := c.mustStatus(c.do("PATCH", "jobs/ingest/"+id, map[string]any{"state": "UploadComplete"}), 400).errorCode(t); code != "INVALIDJOBSTATE" {
		t.Errorf("close without data: %s", code)
	}
	if code := c.mustStatus(c.do("GET", "jobs/ingest/"+id+"/successfulResults", nil), 400).errorCode(t); code != "INVALIDJOBSTATE" {
		t.Errorf("results of an open job: %s", code)
	}
	c.mustStatus(c.putCSV(id, "BigCommerce_Customer_Key__c,Name,Description\nk1,A,#N/A\nk2,,x\n"), 201)
	if code := c.mustStatus(c.putCSV(id, "BigCommerce_Customer_Key__c,Name\nk3,C\n"), 409).errorCode(t); code != "INVALIDJOBSTATE" {
		t.Errorf("second upload: %s", code)
	}
	closed := c.mustStatus(c.do("PATCH", "jobs/ingest/"+id, map[string]any{"state": "UploadComplete"}), 200).object(t)
	if closed["state"] != "UploadComplete" {
		t.Errorf("close answered %v", closed["state"])
	}
	if s := c.mustStatus(c.do("GET", "jobs/ingest/"+id, nil), 200).object(t)["state"]; s != "InProgress" {
		t.Errorf("first read after close: %v", s)
	}
	info = c.mustStatus(c.do("GET", "jobs/ingest/"+id, nil), 200).object(t)
	if info["state"] != "JobComplete" || info["numberRecordsProcessed"].(interface{ String() string }).String() != "2" ||
		info["numberRecordsFailed"].(interface{ String() string }).String() != "1" {
		t.Errorf("finished job %v", info)
	}
	ok := c.mustStatus(c.do("GET", "jobs/ingest/"+id+"/successfulResults/", nil), 200)
	if ct := ok.header.Get("Content-Type"); ct != "text/csv" || !strings.HasPrefix(string(ok.raw), "sf__Id,sf__Created,BigCommerce_Customer_Key__c,Name,Description\n") {
		t.Errorf("successful results (%s): %q", ct, ok.raw)
	}
	bad := c.mustStatus(c.do("GET", "jobs/ingest/"+id+"/failedResults/", nil), 200)
	if !strings.Contains(string(bad.raw), ",REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --,k2,,x\n") {
		t.Errorf("failed results %q", bad.raw)
	}
	rec, _ := srv.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "k1")
	if v, ok := rec["Description"]; !ok || v != nil {
		t.Errorf("#N/A stored %v (present %v), want null", v, ok)
	}
	c.mustStatus(c.do("DELETE", "jobs/ingest/"+id, nil), 204)
	c.mustStatus(c.do("GET", "jobs/ingest/"+id, nil), 404)
	if srv.BulkJobs() != 0 {
		t.Errorf("%d jobs after delete", srv.BulkJobs())
	}
}

func TestIngestOperations(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	ins := c.newJob("insert", "Account", "")
	c.runJob(ins, "Name\nA\nB\n")
	recs := srv.Records("Account")
	if len(recs) != 2 {
		t.Fatalf("%d accounts after insert", len(recs))
	}
	upd := c.newJob("update", "Account", "")
	info := c.runJob(upd, "Id,Name\n"+recs[0]["Id"].(string)+",A2\n001000000000000AAA,X\n")
	if info["numberRecordsFailed"].(interface{ String() string }).String() != "1" {
		t.Errorf("update: %v", info)
	}
	if r, _ := srv.Record(recs[0]["Id"].(string)); r["Name"] != "A2" {
		t.Errorf("updated %v", r)
	}
	del := c.newJob("delete", "Account", "")
	c.runJob(del, "Id\n"+recs[1]["Id"].(string)+"\n")
	if n := len(srv.Records("Account")); n != 1 {
		t.Errorf("%d accounts after delete", n)
	}
	abort := c.newJob("insert", "Account", "")
	if s := c.mustStatus(c.do("PATCH", "jobs/ingest/"+abort, map[string]any{"state": "Aborted"}), 200).object(t)["state"]; s != "Aborted" {
		t.Errorf("abort: %v", s)
	}
	if r := c.putCSV(abort, "Name\nZ\n"); r.status != 409 {
		t.Errorf("upload to an aborted job: %d", r.status)
	}
	for name, body := range map[string]map[string]any{
		"unknown object":    {"object": "Nope", "operation": "insert"},
		"bad operation":     {"object": "Account", "operation": "merge"},
		"not an ext id":     {"object": "Account", "operation": "upsert", "externalIdFieldName": "Name"},
		"ext id on insert":  {"object": "Account", "operation": "insert", "externalIdFieldName": "BigCommerce_Customer_Key__c"},
		"tab delimited":     {"object": "Account", "operation": "insert", "columnDelimiter": "TAB"},
		"crlf line endings": {"object": "Account", "operation": "insert", "lineEnding": "CRLF"},
	} {
		if r := c.do("POST", "jobs/ingest", body); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	ragged := c.newJob("insert", "Account", "")
	info = c.runJob(ragged, "Name,Description\nA\n")
	if info["state"] != "Failed" || !strings.Contains(info["errorMessage"].(string), "InvalidBatch") {
		t.Errorf("ragged CSV: %v", info)
	}
}

func TestQueryJobResultsPages(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t)
	for _, n := range []string{"A", "B", "C"} {
		if _, err := srv.Seed("Account", Record{"Name": n}); err != nil {
			t.Fatal(err)
		}
	}
	job := c.mustStatus(c.do("POST", "jobs/query", map[string]any{"operation": "query", "query": "SELECT Id, Name FROM Account ORDER BY Name DESC"}), 200).object(t)
	id := job["id"].(string)
	if job["state"] != "UploadComplete" {
		t.Errorf("created query job in state %v", job["state"])
	}
	page := c.mustStatus(c.do("GET", "jobs/query/"+id+"/results?maxRecords=2", nil), 200)
	if page.header.Get("Sforce-Locator") != "2" || page.header.Get("Sforce-NumberOfRecords") != "2" || !strings.HasPrefix(string(page.raw), "Id,Name\n") {
		t.Errorf("first page %v %q", page.header, page.raw)
	}
	last := c.mustStatus(c.do("GET", "jobs/query/"+id+"/results?locator=2&maxRecords=2", nil), 200)
	if last.header.Get("Sforce-Locator") != "null" || !strings.HasSuffix(string(last.raw), ",A\n") {
		t.Errorf("last page %v %q", last.header, last.raw)
	}
	for _, q := range []string{"locator=9", "locator=x", "maxRecords=0"} {
		if r := c.do("GET", "jobs/query/"+id+"/results?"+q, nil); r.status != 400 {
			t.Errorf("%s: %d", q, r.status)
		}
	}
	if r := c.do("POST", "jobs/query", map[string]any{"operation": "query", "query": "SELECT FROM"}); r.status != 400 {
		t.Errorf("bad query: %d", r.status)
	}
	if r := c.do("GET", "jobs/ingest/"+id, nil); r.status != 404 {
		t.Errorf("a query job read as an ingest job: %d", r.status)
	}
}

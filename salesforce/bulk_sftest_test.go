package salesforce_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

var fastPoll = salesforce.PollPolicy{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond}

func newFakeClient(t *testing.T) (*sftest.Server, *salesforce.Client) {
	t.Helper()
	org, err := sftest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(org.Close)
	c, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return org, c
}

// ingest runs one whole ingest job and returns its info.
func ingest(t *testing.T, c *salesforce.Client, req salesforce.IngestJobRequest, data string) (*salesforce.JobInfo, error) {
	t.Helper()
	ctx := context.Background()
	job, err := c.CreateIngestJob(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UploadJobData(ctx, job.ID, strings.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CloseIngestJob(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	return c.WaitIngestJob(ctx, job.ID, fastPoll)
}

// results reads one result set as rows keyed by column.
func results(t *testing.T, c *salesforce.Client, jobID string, kind salesforce.ResultKind) []map[string]string {
	t.Helper()
	rc, err := c.IngestResults(context.Background(), jobID, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	return readCSV(t, rc)
}

func readCSV(t *testing.T, r io.Reader) []map[string]string {
	t.Helper()
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, h := range head {
			row[h] = rec[i]
		}
		out = append(out, row)
	}
}

// Accounts, then Contacts linked to them through the external-ID
// relationship column: rows that Salesforce refuses come back in the failed
// results with their reason, the rest are written once, and a second run of
// the same rows updates instead of creating.
func TestBulkUpsertAgainstTheFake(t *testing.T) {
	t.Parallel()
	org, c := newFakeClient(t)
	org.SetBulkPolls(2)
	accounts := salesforce.IngestJobRequest{Object: "Account", Operation: salesforce.BulkUpsert, ExternalIDField: "BigCommerce_Customer_Key__c"}
	var b strings.Builder
	b.WriteString("BigCommerce_Customer_Key__c,Name,Description\n")
	for i := range 50 {
		name := fmt.Sprintf("\"Buyer, %d\"", i)
		if i == 7 {
			name = "" // Name is required: this row fails
		}
		fmt.Fprintf(&b, "buyer%d@example.com,%s,line one\n", i, name)
	}
	info, err := ingest(t, c, accounts, b.String())
	if err != nil || info.NumberRecordsProcessed != 50 || info.NumberRecordsFailed != 1 {
		t.Fatalf("accounts: %+v, %v", info, err)
	}
	failed := results(t, c, info.ID, salesforce.FailedResults)
	if len(failed) != 1 || failed[0]["BigCommerce_Customer_Key__c"] != "buyer7@example.com" ||
		!strings.HasPrefix(failed[0]["sf__Error"], "REQUIRED_FIELD_MISSING:") {
		t.Errorf("failed rows %v", failed)
	}
	ok := results(t, c, info.ID, salesforce.SuccessfulResults)
	if len(ok) != 49 || ok[0]["sf__Created"] != "true" || len(ok[0]["sf__Id"]) != 18 || ok[0]["Name"] != "Buyer, 0" {
		t.Errorf("%d successful rows, first %v", len(ok), ok[0])
	}
	if got := len(org.Records("Account")); got != 49 {
		t.Errorf("%d accounts", got)
	}

	contacts := "BigCommerce_Customer_Key__c,LastName,Account.BigCommerce_Customer_Key__c\n" +
		"buyer1@example.com,One,buyer1@example.com\n" +
		"buyer7@example.com,Seven,buyer7@example.com\n"
	info, err = ingest(t, c, salesforce.IngestJobRequest{Object: "Contact", Operation: salesforce.BulkUpsert, ExternalIDField: "BigCommerce_Customer_Key__c"}, contacts)
	if err != nil || info.NumberRecordsFailed != 1 {
		t.Fatalf("contacts: %+v, %v", info, err)
	}
	failed = results(t, c, info.ID, salesforce.FailedResults)
	if len(failed) != 1 || !strings.Contains(failed[0]["sf__Error"], "Foreign key external ID: buyer7@example.com not found") {
		t.Errorf("contact failures %v", failed)
	}
	acct, _ := org.RecordByExternalID("Account", "BigCommerce_Customer_Key__c", "buyer1@example.com")
	contact, _ := org.RecordByExternalID("Contact", "BigCommerce_Customer_Key__c", "buyer1@example.com")
	if contact["AccountId"] != acct["Id"] {
		t.Errorf("contact links to %v, want %v", contact["AccountId"], acct["Id"])
	}

	info, err = ingest(t, c, accounts, b.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range results(t, c, info.ID, salesforce.SuccessfulResults) {
		if row["sf__Created"] != "false" {
			t.Fatalf("second run created %v", row)
		}
	}
	if got := len(org.Records("Account")); got != 49 {
		t.Errorf("%d accounts after the second run", got)
	}
}

// A job Salesforce gives up on ends Failed with its message; the rows it did
// not reach are in the unprocessed records.
func TestBulkJobThatFails(t *testing.T) {
	t.Parallel()
	org, c := newFakeClient(t)
	org.FailNextBulkJob(2, "InvalidBatch : Failed to process query: lock retries exceeded")
	data := "BigCommerce_Customer_Key__c,Name\na,A\nb,B\nc,C\nd,D\n"
	info, err := ingest(t, c, salesforce.IngestJobRequest{Object: "Account", Operation: salesforce.BulkUpsert, ExternalIDField: "BigCommerce_Customer_Key__c"}, data)
	if !errors.Is(err, salesforce.ErrJobFailed) || info.State != salesforce.JobFailed || !strings.Contains(err.Error(), "lock retries exceeded") {
		t.Fatalf("wait: %+v, %v", info, err)
	}
	rest := results(t, c, info.ID, salesforce.UnprocessedRecords)
	if len(rest) != 2 || rest[0]["BigCommerce_Customer_Key__c"] != "c" || rest[1]["Name"] != "D" {
		t.Errorf("unprocessed %v", rest)
	}
	if got := len(org.Records("Account")); got != 2 {
		t.Errorf("%d accounts written before the failure, want 2", got)
	}
}

// A query job's result comes in pages of maxRecords, each a CSV with its
// header, linked by Sforce-Locator.
func TestQueryJobPages(t *testing.T) {
	t.Parallel()
	org, c := newFakeClient(t)
	org.SetBulkPolls(1)
	ctx := context.Background()
	for i := range 5 {
		if _, err := org.Seed("Account", sftest.Record{"Name": fmt.Sprintf("A%d", i), "BigCommerce_Customer_Key__c": fmt.Sprintf("k%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	job, err := c.CreateQueryJob(ctx, "SELECT Id, Name, BigCommerce_Customer_Key__c FROM Account", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitQueryJob(ctx, job.ID, fastPoll); err != nil {
		t.Fatal(err)
	}
	org.ResetCalls()
	var names []string
	pages := 0
	for page, err := range c.QueryJobResults(ctx, job.ID, salesforce.QueryResultsOptions{MaxRecords: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		rows := readCSV(t, page.CSV)
		if page.Records != len(rows) {
			t.Errorf("page says %d records, has %d", page.Records, len(rows))
		}
		for _, r := range rows {
			names = append(names, r["Name"])
		}
	}
	if strings.Join(names, ",") != "A0,A1,A2,A3,A4" || pages != 3 || org.TotalCalls() != 3 {
		t.Errorf("names %v in %d pages, %d calls", names, pages, org.TotalCalls())
	}
	// Resuming from a locator reads only the rest.
	var first *salesforce.ResultPage
	for page, err := range c.QueryJobResults(ctx, job.ID, salesforce.QueryResultsOptions{MaxRecords: 4}) {
		if err != nil {
			t.Fatal(err)
		}
		first = page
		break
	}
	n := 0
	for page, err := range c.QueryJobResults(ctx, job.ID, salesforce.QueryResultsOptions{Locator: first.Locator}) {
		if err != nil {
			t.Fatal(err)
		}
		n += len(readCSV(t, page.CSV))
	}
	if n != 1 {
		t.Errorf("resumed read %d rows, want 1", n)
	}
	if _, err := c.CreateQueryJob(ctx, "SELECT Id FROM Nope", false); err == nil {
		t.Error("a query on an unknown object was accepted")
	}
}

// 5,000 rows in one job cost four API calls: create, upload, close and one
// read of the state.
func TestOneJobOfFiveThousandRowsIsFourCalls(t *testing.T) {
	t.Parallel()
	org, c := newFakeClient(t)
	var buf bytes.Buffer
	buf.WriteString("BigCommerce_Customer_Key__c,Name\n")
	for i := range 5000 {
		fmt.Fprintf(&buf, "k%d,N%d\n", i, i)
	}
	info, err := ingest(t, c, salesforce.IngestJobRequest{Object: "Account", Operation: salesforce.BulkUpsert, ExternalIDField: "BigCommerce_Customer_Key__c"}, buf.String())
	if err != nil || info.NumberRecordsProcessed != 5000 {
		t.Fatalf("%+v, %v", info, err)
	}
	if got := len(org.Records("Account")); got != 5000 {
		t.Errorf("%d accounts", got)
	}
	// create, upload, close, one read of the state
	if calls := org.TotalCalls(); calls != 4 {
		t.Errorf("%d API calls for one job, want 4", calls)
	}
}

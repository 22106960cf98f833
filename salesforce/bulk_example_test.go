package salesforce_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"log"
	"strings"

	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/bc2sf/bc2sf/salesforce/sftest"
)

// An ingest job upserts Accounts by external ID from CSV: create, upload,
// close, wait, then read the rows Salesforce refused, each with its reason.
func ExampleClient_CreateIngestJob() {
	org, _ := sftest.NewServer()
	defer org.Close()
	c, err := salesforce.NewClient(
		salesforce.WithClientCredentials(sftest.DefaultClientID, sftest.DefaultClientSecret),
		salesforce.WithInstanceURL(org.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	job, err := c.CreateIngestJob(ctx, salesforce.IngestJobRequest{
		Object: "Account", Operation: salesforce.BulkUpsert, ExternalIDField: "BigCommerce_Customer_Key__c",
	})
	if err != nil {
		log.Fatal(err)
	}
	rows := "BigCommerce_Customer_Key__c,Name\nada@example.com,Ada Lovelace\nbob@example.com,\n"
	if err := c.UploadJobData(ctx, job.ID, strings.NewReader(rows)); err != nil {
		log.Fatal(err)
	}
	if _, err := c.CloseIngestJob(ctx, job.ID); err != nil {
		log.Fatal(err)
	}
	info, err := c.WaitIngestJob(ctx, job.ID, salesforce.DefaultPollPolicy())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d rows, %d failed\n", info.State, info.NumberRecordsProcessed, info.NumberRecordsFailed)
	failed, err := c.IngestResults(ctx, job.ID, salesforce.FailedResults)
	if err != nil {
		log.Fatal(err)
	}
	defer failed.Close()
	recs, err := csv.NewReader(failed).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range recs[1:] { // sf__Id, sf__Error, then the input columns
		fmt.Printf("%s: %s\n", r[2], r[1])
	}
	// Output:
	// JobComplete: 2 rows, 1 failed
	// bob@example.com: REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --
}

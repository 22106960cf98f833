package salesforce

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var fastPoll = PollPolicy{InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond}

// The wire shapes of an ingest job: the create body, the CSV upload with
// its content type, the close, and a retried upload that re-sends the whole
// CSV.
func TestIngestJobRequests(t *testing.T) {
	t.Parallel()
	const jobID = "7508d0000000001AAA"
	const data = "BigCommerce_Customer_Key__c,Name\nk1,Acme\n"
	var uploads atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc(route("POST", "/jobs/ingest"), func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		want := `{"object":"Account","operation":"upsert","externalIdFieldName":"BigCommerce_Customer_Key__c","contentType":"CSV","lineEnding":"LF","columnDelimiter":"COMMA"}`
		if string(b) != want {
			t.Errorf("create body %s\nwant %s", b, want)
		}
		writeJSON(w, 200, `{"id":"`+jobID+`","state":"Open","object":"Account","operation":"upsert"}`)
	})
	mux.HandleFunc(route("PUT", "/jobs/ingest/"+jobID+"/batches"), func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "text/csv" || string(b) != data {
			t.Errorf("upload %q with %q", b, r.Header.Get("Content-Type"))
		}
		if uploads.Add(1) == 1 {
			writeJSON(w, 503, `[{"errorCode":"SERVER_UNAVAILABLE","message":"busy"}]`)
			return
		}
		w.WriteHeader(201)
	})
	mux.HandleFunc(route("PATCH", "/jobs/ingest/"+jobID), func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"state":"UploadComplete"}` {
			t.Errorf("close body %s", b)
		}
		writeJSON(w, 200, `{"id":"`+jobID+`","state":"UploadComplete"}`)
	})
	var reads atomic.Int32
	mux.HandleFunc(route("GET", "/jobs/ingest/"+jobID), func(w http.ResponseWriter, r *http.Request) {
		state := "InProgress"
		if reads.Add(1) == 3 {
			state = "JobComplete"
		}
		writeJSON(w, 200, `{"id":"`+jobID+`","state":"`+state+`","numberRecordsProcessed":1,"numberRecordsFailed":0}`)
	})
	mux.HandleFunc(route("GET", "/jobs/ingest/"+jobID+"/failedResults/"), func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "text/csv" {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		w.Header().Set("Content-Type", "text/csv")
		_, _ = io.WriteString(w, "\"sf__Id\",\"sf__Error\",BigCommerce_Customer_Key__c,Name\n")
	})
	c := newTestClient(t, mux)
	ctx := context.Background()
	job, err := c.CreateIngestJob(ctx, IngestJobRequest{Object: "Account", Operation: BulkUpsert, ExternalIDField: "BigCommerce_Customer_Key__c"})
	if err != nil || job.ID != jobID || job.State != JobOpen {
		t.Fatalf("create: %+v, %v", job, err)
	}
	if err := c.UploadJobData(ctx, jobID, strings.NewReader(data)); err != nil || uploads.Load() != 2 {
		t.Fatalf("upload: %v after %d attempts", err, uploads.Load())
	}
	if _, err := c.CloseIngestJob(ctx, jobID); err != nil {
		t.Fatal(err)
	}
	info, err := c.WaitIngestJob(ctx, jobID, fastPoll)
	if err != nil || info.State != JobComplete || reads.Load() != 3 {
		t.Fatalf("wait: %+v, %v after %d reads", info, err, reads.Load())
	}
	rc, err := c.IngestResults(ctx, jobID, FailedResults)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.HasPrefix(string(b), `"sf__Id","sf__Error"`) {
		t.Errorf("failed results %q", b)
	}
}

func TestBulkRefusesBadArguments(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, http.NewServeMux())
	ctx := context.Background()
	for name, req := range map[string]IngestJobRequest{
		"no object":       {Operation: BulkInsert},
		"bad object":      {Object: "Account/x", Operation: BulkInsert},
		"no operation":    {Object: "Account"},
		"upsert, no ext":  {Object: "Account", Operation: BulkUpsert},
		"insert with ext": {Object: "Account", Operation: BulkInsert, ExternalIDField: "K__c"},
	} {
		if _, err := c.CreateIngestJob(ctx, req); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, id := range []string{"", "750", "../../../sobjects/A", "7508d0000000001AA/"} {
		if err := c.UploadJobData(ctx, id, strings.NewReader("a\n1\n")); err == nil {
			t.Errorf("job id %q accepted", id)
		}
		if _, err := c.IngestResults(ctx, id, SuccessfulResults); err == nil {
			t.Errorf("job id %q accepted for results", id)
		}
	}
	if _, err := c.IngestResults(ctx, "7508d0000000001AAA", "everything"); err == nil {
		t.Error("unknown result kind accepted")
	}
	if err := c.UploadJobData(ctx, "7508d0000000001AAA", nil); err == nil {
		t.Error("nil CSV accepted")
	}
	if _, err := c.CreateQueryJob(ctx, " ", false); err == nil {
		t.Error("empty query accepted")
	}
	for range c.QueryJobResults(ctx, "7508d0000000001AAA", QueryResultsOptions{MaxRecords: -1}) {
	}
}

// WaitIngestJob ends with the context, and reports a failed job as a
// *JobError carrying Salesforce's message.
func TestWaitIngestJob(t *testing.T) {
	t.Parallel()
	const jobID = "7508d0000000001AAA"
	var state atomic.Value
	state.Store("InProgress")
	mux := http.NewServeMux()
	mux.HandleFunc(route("GET", "/jobs/ingest/"+jobID), func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":"`+jobID+`","state":"`+state.Load().(string)+`","errorMessage":"InvalidBatch : Field name not found : Nope__c"}`)
	})
	c := newTestClient(t, mux)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.WaitIngestJob(ctx, jobID, fastPoll); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait past the deadline: %v", err)
	}
	state.Store("Failed")
	info, err := c.WaitIngestJob(context.Background(), jobID, fastPoll)
	var jobErr *JobError
	if !errors.Is(err, ErrJobFailed) || !errors.As(err, &jobErr) || info.State != JobFailed ||
		!strings.Contains(err.Error(), "Field name not found") {
		t.Errorf("failed job: %+v, %v", info, err)
	}
}

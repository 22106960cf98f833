package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// BulkOperation is what an ingest job does with its rows.
type BulkOperation string

// The ingest operations.
const (
	// BulkInsert creates a record per row.
	BulkInsert BulkOperation = "insert"
	// BulkUpdate updates the record named by each row's Id column.
	BulkUpdate BulkOperation = "update"
	// BulkUpsert creates or updates the record whose external ID field
	// (IngestJobRequest.ExternalIDField) holds each row's value.
	BulkUpsert BulkOperation = "upsert"
	// BulkDelete deletes the record named by each row's Id column.
	BulkDelete BulkOperation = "delete"
)

// JobState is the state of a Bulk API 2.0 job.
type JobState string

// The job states. A job ends in JobComplete, JobFailed or JobAborted.
const (
	// JobOpen: an ingest job waits for its data.
	JobOpen JobState = "Open"
	// JobUploadComplete: the data is in, and the job is queued.
	JobUploadComplete JobState = "UploadComplete"
	// JobInProgress: Salesforce is processing the job.
	JobInProgress JobState = "InProgress"
	// JobComplete: every row was processed (some may have failed).
	JobComplete JobState = "JobComplete"
	// JobFailed: the job stopped; JobInfo.ErrorMessage says why, and the
	// rows not processed are in the unprocessed records.
	JobFailed JobState = "Failed"
	// JobAborted: the job was aborted.
	JobAborted JobState = "Aborted"
)

// Done reports whether the job has reached a final state.
func (s JobState) Done() bool { return s == JobComplete || s == JobFailed || s == JobAborted }

// MaxUploadBytes is the most CSV one ingest job should carry: 100 MB.
// Salesforce takes up to 150 MB per job once encoded in base64, which adds
// about half; it advises uploads of at most 100 MB.
const MaxUploadBytes = 100_000_000

// IngestJobRequest creates an ingest job: one object, one operation, CSV
// rows separated by LF and columns by commas (the defaults).
type IngestJobRequest struct {
	// Object is the sObject of every row, e.g. "Account".
	Object string `json:"object"`
	// Operation is BulkInsert, BulkUpdate, BulkUpsert or BulkDelete.
	Operation BulkOperation `json:"operation"`
	// ExternalIDField names the field an upsert matches on; required for
	// BulkUpsert, empty otherwise. The CSV must have a column of that name.
	ExternalIDField string `json:"externalIdFieldName,omitempty"`
}

// JobInfo describes a Bulk API 2.0 ingest or query job, as Salesforce
// reports it.
type JobInfo struct {
	// ID is the job id (prefix 750).
	ID string `json:"id"`
	// Object and Operation are those of the request; Operation is "query"
	// or "queryAll" for a query job.
	Object    string `json:"object"`
	Operation string `json:"operation"`
	// State is the job's state.
	State JobState `json:"state"`
	// ExternalIDField is the upsert's external ID field.
	ExternalIDField string `json:"externalIdFieldName"`
	// ErrorMessage says why a job failed; empty otherwise.
	ErrorMessage string `json:"errorMessage"`
	// NumberRecordsProcessed counts the rows processed so far, failed ones
	// included; NumberRecordsFailed the failed ones. For a query job,
	// NumberRecordsProcessed counts the rows of the result.
	NumberRecordsProcessed int64 `json:"numberRecordsProcessed"`
	NumberRecordsFailed    int64 `json:"numberRecordsFailed"`
	// Retries counts Salesforce's own retries of the job's batches.
	Retries int64 `json:"retries"`
	// APIVersion is the version the job was created with, e.g. 64.
	APIVersion float64 `json:"apiVersion"`
	// CreatedDate and SystemModstamp are Salesforce's timestamps, as sent
	// (e.g. "2026-01-02T15:04:05.000+0000").
	CreatedDate    string `json:"createdDate"`
	SystemModstamp string `json:"systemModstamp"`
	// TotalProcessingTime is the processing time in milliseconds.
	TotalProcessingTime int64 `json:"totalProcessingTime"`
}

// JobError is returned by WaitIngestJob and WaitQueryJob for a job that
// ended Failed or Aborted.
type JobError struct {
	// Info is the job's last state.
	Info JobInfo
}

// Error names the job, its state and Salesforce's reason.
func (e *JobError) Error() string {
	msg := fmt.Sprintf("salesforce: bulk job %s %s", e.Info.ID, e.Info.State)
	if e.Info.ErrorMessage != "" {
		msg += ": " + e.Info.ErrorMessage
	}
	return msg
}

// ErrJobFailed is matched by a *JobError with errors.Is.
var ErrJobFailed = errors.New("salesforce: bulk job failed")

// Is reports ErrJobFailed.
func (e *JobError) Is(target error) bool { return target == ErrJobFailed }

// CreateIngestJob creates an ingest job (POST /jobs/ingest) and returns it,
// Open. Then upload its CSV once with UploadJobData and close it with
// CloseIngestJob; Salesforce starts processing only then.
func (c *Client) CreateIngestJob(ctx context.Context, req IngestJobRequest) (*JobInfo, error) {
	if err := checkName("sObject", req.Object); err != nil {
		return nil, err
	}
	switch req.Operation {
	case BulkInsert, BulkUpdate, BulkDelete:
		if req.ExternalIDField != "" {
			return nil, fmt.Errorf("salesforce: ingest job: an external ID field goes only with %s", BulkUpsert)
		}
	case BulkUpsert:
		if err := checkName("external ID field", req.ExternalIDField); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("salesforce: ingest job: unknown operation %q", req.Operation)
	}
	body := struct {
		IngestJobRequest
		ContentType     string `json:"contentType"`
		LineEnding      string `json:"lineEnding"`
		ColumnDelimiter string `json:"columnDelimiter"`
	}{req, "CSV", "LF", "COMMA"}
	return c.jobInfo(ctx, call{method: http.MethodPost, path: c.dataPath("jobs", "ingest"), body: body}, "create ingest job")
}

// UploadJobData uploads the CSV rows of an Open ingest job
// (PUT /jobs/ingest/{id}/batches, text/csv), streaming them from csv: the
// first row names the columns (field API names, relationship columns such
// as Account.BigCommerce_Customer_Key__c, "#N/A" to set a field to null),
// rows end in LF. A job takes one upload of at most MaxUploadBytes. csv is
// read from its start, and again for a retry; it is not closed.
func (c *Client) UploadJobData(ctx context.Context, jobID string, csv io.ReadSeeker) error {
	if err := checkJobID(jobID); err != nil {
		return err
	}
	if csv == nil {
		return errors.New("salesforce: upload job data: nil CSV")
	}
	resp, err := c.stream(ctx, streamCall{
		method: http.MethodPut, path: c.dataPath("jobs", "ingest", jobID, "batches"),
		body: csv, contentType: "text/csv", accept: "application/json",
	})
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	return resp.Body.Close()
}

// CloseIngestJob marks the upload complete (PATCH /jobs/ingest/{id} with
// state UploadComplete), which queues the job for processing.
func (c *Client) CloseIngestJob(ctx context.Context, jobID string) (*JobInfo, error) {
	return c.setJobState(ctx, "ingest", jobID, JobUploadComplete)
}

// AbortIngestJob aborts an ingest job (state Aborted); rows already
// processed stay processed.
func (c *Client) AbortIngestJob(ctx context.Context, jobID string) (*JobInfo, error) {
	return c.setJobState(ctx, "ingest", jobID, JobAborted)
}

// IngestJob reads an ingest job's state and counts (GET /jobs/ingest/{id}).
func (c *Client) IngestJob(ctx context.Context, jobID string) (*JobInfo, error) {
	if err := checkJobID(jobID); err != nil {
		return nil, err
	}
	return c.jobInfo(ctx, call{method: http.MethodGet, path: c.dataPath("jobs", "ingest", jobID), idempotent: true}, "ingest job")
}

// WaitIngestJob reads the job's state, waiting between reads as poll says,
// until it is JobComplete, Failed or Aborted, or ctx ends. It returns the
// final JobInfo; for Failed or Aborted also a *JobError (ErrJobFailed).
// Every read is one API call.
func (c *Client) WaitIngestJob(ctx context.Context, jobID string, poll PollPolicy) (*JobInfo, error) {
	return c.wait(ctx, poll, func() (*JobInfo, error) { return c.IngestJob(ctx, jobID) })
}

// ResultKind selects one of an ingest job's result sets.
type ResultKind string

// The result sets of an ingest job. Rows come in no particular order; each
// repeats the columns of its input row.
const (
	// SuccessfulResults: the rows written, with sf__Id and sf__Created
	// ("true" or "false") first.
	SuccessfulResults ResultKind = "successfulResults"
	// FailedResults: the rows refused, with sf__Id (usually empty) and
	// sf__Error ("CODE:message:fields --") first.
	FailedResults ResultKind = "failedResults"
	// UnprocessedRecords: the rows a failed or aborted job never reached,
	// with the input columns only.
	UnprocessedRecords ResultKind = "unprocessedrecords"
)

// IngestResults streams one result set of a finished ingest job as CSV
// (GET /jobs/ingest/{id}/{kind}/). The caller reads it, for example with
// encoding/csv, and closes it; it is never held in memory whole.
func (c *Client) IngestResults(ctx context.Context, jobID string, kind ResultKind) (io.ReadCloser, error) {
	if err := checkJobID(jobID); err != nil {
		return nil, err
	}
	switch kind {
	case SuccessfulResults, FailedResults, UnprocessedRecords:
	default:
		return nil, fmt.Errorf("salesforce: unknown result kind %q", kind)
	}
	resp, err := c.stream(ctx, streamCall{
		method: http.MethodGet, path: c.dataPath("jobs", "ingest", jobID, string(kind)) + "/",
		accept: "text/csv", idempotent: true,
	})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// setJobState PATCHes a job's state.
func (c *Client) setJobState(ctx context.Context, kind, jobID string, state JobState) (*JobInfo, error) {
	if err := checkJobID(jobID); err != nil {
		return nil, err
	}
	return c.jobInfo(ctx, call{method: http.MethodPatch, path: c.dataPath("jobs", kind, jobID),
		body: map[string]JobState{"state": state}, idempotent: true}, "set job state "+string(state))
}

// jobInfo runs a call that answers with a JobInfo.
func (c *Client) jobInfo(ctx context.Context, cl call, what string) (*JobInfo, error) {
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	var info JobInfo
	if err := decodeJSON(resp, what, &info); err != nil {
		return nil, err
	}
	if info.ID == "" {
		return nil, fmt.Errorf("salesforce: %s: response has no job id", what)
	}
	return &info, nil
}

// checkJobID accepts 15- or 18-character alphanumeric ids, so an id can
// never change the request path.
func checkJobID(id string) error {
	if (len(id) != 15 && len(id) != 18) || !alnum(id) {
		return fmt.Errorf("salesforce: job id %q must be 15 or 18 letters and digits", id)
	}
	return nil
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// PollPolicy spaces the state reads of WaitIngestJob and WaitQueryJob: the
// first wait is InitialInterval, each next one Multiplier times longer, up
// to MaxInterval. Every read is an API call, so the waits grow: a job of a
// million rows takes minutes.
type PollPolicy struct {
	// InitialInterval is the first wait. Default 1s.
	InitialInterval time.Duration
	// MaxInterval caps one wait. Default 30s.
	MaxInterval time.Duration
	// Multiplier grows the wait; values below 1 count as 1. Default 2.
	Multiplier float64
}

// DefaultPollPolicy returns waits of 1s, 2s, 4s ... up to 30s.
func DefaultPollPolicy() PollPolicy {
	return PollPolicy{InitialInterval: time.Second, MaxInterval: 30 * time.Second, Multiplier: 2}
}

// wait reads the job until it is done, sleeping between reads.
func (c *Client) wait(ctx context.Context, poll PollPolicy, read func() (*JobInfo, error)) (*JobInfo, error) {
	d := DefaultPollPolicy()
	if poll.InitialInterval <= 0 {
		poll.InitialInterval = d.InitialInterval
	}
	if poll.MaxInterval < poll.InitialInterval {
		poll.MaxInterval = max(d.MaxInterval, poll.InitialInterval)
	}
	if poll.Multiplier == 0 {
		poll.Multiplier = d.Multiplier
	}
	next := poll.InitialInterval
	for {
		info, err := read()
		if err != nil {
			return nil, err
		}
		if info.State.Done() {
			if info.State != JobComplete {
				return info, &JobError{Info: *info}
			}
			return info, nil
		}
		if err := sleep(ctx, next); err != nil {
			return info, fmt.Errorf("salesforce: waiting for bulk job %s (%s): %w", info.ID, info.State, err)
		}
		next = min(time.Duration(float64(next)*max(poll.Multiplier, 1)), poll.MaxInterval)
	}
}

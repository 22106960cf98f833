package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxQueryJobRecords is the largest maxRecords QueryJobResults sends:
// Salesforce pages a query job's result by size otherwise, and a very large
// page risks a timeout.
const MaxQueryJobRecords = 1_000_000

// CreateQueryJob starts a Bulk API 2.0 query job (POST /jobs/query) for
// soql, answered in CSV; with all set it is a queryAll, which also returns
// deleted and archived records. Wait for it with WaitQueryJob, then read
// the result with QueryJobResults. Build literals with QuoteString.
func (c *Client) CreateQueryJob(ctx context.Context, soql string, all bool) (*JobInfo, error) {
	if strings.TrimSpace(soql) == "" {
		return nil, errors.New("salesforce: empty SOQL query")
	}
	op := "query"
	if all {
		op = "queryAll"
	}
	body := map[string]string{"operation": op, "query": soql, "contentType": "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF"}
	return c.jobInfo(ctx, call{method: http.MethodPost, path: c.dataPath("jobs", "query"), body: body}, "create query job")
}

// QueryJob reads a query job's state (GET /jobs/query/{id}).
func (c *Client) QueryJob(ctx context.Context, jobID string) (*JobInfo, error) {
	if err := checkJobID(jobID); err != nil {
		return nil, err
	}
	return c.jobInfo(ctx, call{method: http.MethodGet, path: c.dataPath("jobs", "query", jobID), idempotent: true}, "query job")
}

// WaitQueryJob is WaitIngestJob for a query job.
func (c *Client) WaitQueryJob(ctx context.Context, jobID string, poll PollPolicy) (*JobInfo, error) {
	return c.wait(ctx, poll, func() (*JobInfo, error) { return c.QueryJob(ctx, jobID) })
}

// ResultPage is one page of a query job's result.
type ResultPage struct {
	// CSV is the page: a header row naming the selected fields (a
	// relationship field as Parent.Field), then one row per record. It is
	// valid only inside the loop body that received it.
	CSV io.Reader
	// Records is the number of records on the page (Sforce-NumberOfRecords),
	// or -1 when Salesforce did not say.
	Records int
	// Locator names the next page, for resuming with
	// QueryResultsOptions.Locator; empty on the last page.
	Locator string
}

// QueryResultsOptions tunes QueryJobResults.
type QueryResultsOptions struct {
	// MaxRecords caps the records per page (1 to MaxQueryJobRecords);
	// 0 lets Salesforce choose.
	MaxRecords int
	// Locator starts at the page a previous ResultPage.Locator named;
	// empty starts at the first.
	Locator string
}

// QueryJobResults pages through a completed query job's result
// (GET /jobs/query/{id}/results?locator=&maxRecords=), following the
// Sforce-Locator header until Salesforce answers "null". Each page is
// streamed, never held in memory whole, and is one API call; breaking out
// of the loop stops the paging. An error is yielded once, as the last
// element.
func (c *Client) QueryJobResults(ctx context.Context, jobID string, opts QueryResultsOptions) iter.Seq2[*ResultPage, error] {
	return func(yield func(*ResultPage, error) bool) {
		if err := checkJobID(jobID); err != nil {
			yield(nil, err)
			return
		}
		if opts.MaxRecords < 0 || opts.MaxRecords > MaxQueryJobRecords {
			yield(nil, fmt.Errorf("salesforce: maxRecords %d outside 0-%d", opts.MaxRecords, MaxQueryJobRecords))
			return
		}
		locator := opts.Locator
		seen := map[string]bool{}
		for {
			q := url.Values{}
			if locator != "" {
				q.Set("locator", locator)
			}
			if opts.MaxRecords > 0 {
				q.Set("maxRecords", strconv.Itoa(opts.MaxRecords))
			}
			resp, err := c.stream(ctx, streamCall{
				method: http.MethodGet, path: c.dataPath("jobs", "query", jobID, "results"), query: q,
				accept: "text/csv", idempotent: true,
			})
			if err != nil {
				yield(nil, err)
				return
			}
			page := &ResultPage{CSV: resp.Body, Records: -1, Locator: resp.Header.Get("Sforce-Locator")}
			if page.Locator == "null" {
				page.Locator = ""
			}
			if n, err := strconv.Atoi(resp.Header.Get("Sforce-NumberOfRecords")); err == nil {
				page.Records = n
			}
			more := yield(page, nil)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
			resp.Body.Close()
			if !more || page.Locator == "" {
				return
			}
			if seen[page.Locator] || !alnumLocator(page.Locator) {
				yield(nil, fmt.Errorf("salesforce: query job %s: unexpected locator %q", jobID, page.Locator))
				return
			}
			seen[page.Locator] = true
			locator = page.Locator
		}
	}
}

// alnumLocator accepts the locators Salesforce sends: short runs of letters
// and digits (base64-like), nothing that could change the request.
func alnumLocator(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_' || c == '=' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

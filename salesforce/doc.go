// Package salesforce is a typed client for the Salesforce REST API:
// sObjects, upsert by external ID, SOQL queries with paging, sObject
// Collections, Composite and Composite Graph, Bulk API 2.0 ingest and query
// jobs, the Tooling API, and org limits. It is built on go-resty/resty, golang.org/x/oauth2,
// cenkalti/backoff and golang.org/x/time/rate.
//
// # Authentication
//
// NewClient takes exactly one credential option and makes no network call:
//
//   - WithClientCredentials: the OAuth 2.0 client credentials flow against
//     the org's My Domain token endpoint (<instance>/services/oauth2/token by
//     default, WithTokenURL to change it). Salesforce refuses this grant on
//     login.salesforce.com and test.salesforce.com.
//   - WithJWT: the JWT bearer flow, an RS256 assertion signed with the
//     standard library (crypto/rsa), for apps that use a certificate.
//   - WithTokenSource: any oauth2.TokenSource, for the caller's own flows.
//
// Salesforce token responses carry no expires_in and no refresh token; a
// session simply stops working when the org's session timeout passes. So the
// client keeps its token until Salesforce rejects it: on a 401
// (INVALID_SESSION_ID) it drops the token, fetches a new one and repeats the
// call once. However many goroutines see the 401 at the same moment, exactly
// one token request is made (the fetch is keyed on the token that failed). A
// second 401 in a row is returned as an *APIError matching
// ErrSessionExpired: re-fetching again would not help (a revoked app, a
// missing API permission, an IP restriction). The token response's
// instance_url is the API base unless WithInstanceURL is given. Token
// endpoint failures are *AuthError values carrying the OAuth error code and
// description, never the secret.
//
// # Errors
//
// A non-2xx answer is an *APIError with the HTTP status, every
// {errorCode, message, fields} entry, the request id and, for 300, the
// matched record URLs. HTML or plain-text bodies (a CDN 503) are kept as a
// short snippet. Sentinels work with errors.Is: ErrNotFound (404),
// ErrMultipleMatches (300), ErrSessionExpired, ErrRequestLimitExceeded,
// ErrDuplicateValue, ErrDuplicatesDetected (an org's duplicate rule refused
// the save: a data error; WithDuplicateRuleAllowSave passes rules whose
// action is Alert) and ErrUsageCeiling:
//
//	res, err := c.Upsert(ctx, "Account", "BigCommerce_Customer_Key__c", key, fields)
//	var apiErr *salesforce.APIError
//	switch {
//	case errors.Is(err, salesforce.ErrMultipleMatches) && errors.As(err, &apiErr):
//		log.Printf("key %s matches %d accounts", key, len(apiErr.MatchedURLs))
//	case salesforce.Retryable(err):
//		delay, _ := salesforce.RetryAfter(err) // 0 when the error names none
//		queue.Retry(delay)
//	case err != nil:
//		queue.DeadLetter(err)
//	}
//
// Collection, Composite and Composite Graph calls answer 200 even when
// records fail: each SaveResult, SubResult and GraphResult has an Err method.
//
// No credential reaches an error or a log line, even when Salesforce, or a
// proxy in front of it, answers with a body that echoes the request: every
// form of the access token, the client secret and the JWT assertion (raw,
// percent- or form-encoded, JSON-escaped, base64 in either alphabet, or
// inside an HTTP Basic header) is replaced by "[redacted]" before anything
// of the body is kept or cut short.
//
// # Retries and throttling
//
// Retryable(err) says whether repeating a call may help: 503 and
// SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW, network errors, 429 with
// Retry-After, 500/502/504 for idempotent calls only, and
// REQUEST_LIMIT_EXCEEDED for the concurrent-request limit. The daily limit
// ("TotalRequests Limit exceeded") is not retryable; RetryAfter reports 1
// hour for it, as the rolling 24-hour window has to move first. Data errors
// (400-class), 300 and 404 are never retried.
//
// The client retries retryable errors itself (RetryPolicy, WithRetry): at
// most 4 attempts by default, waiting 500 ms, then doubling with ±50% jitter
// up to 10 s, or the server's Retry-After when longer, within 1 minute per
// call; a wait that would end past that budget or past the context's
// deadline is not started, and the error is returned with its RetryAfter. A
// POST (create, or a composite call containing one) is not repeated after a
// network error, since it may have been applied; use upsert by external ID
// for writes that must be safe to repeat. RetryPolicy.CheckRetry replaces
// that decision. The policy has the same fields, with the same meaning, as
// bigcommerce.RetryPolicy.
//
// Every response's Sforce-Limit-Info header is parsed (Client.Usage). Once
// the org's daily usage reaches the ceiling (90% by default,
// WithUsageCeiling), calls fail fast with ErrUsageCeiling without reaching
// Salesforce, so this integration never starves the rest of the org; every
// 5 minutes (WithUsageRecheck) one call goes through to read the usage
// again. WithRateLimit adds a client-side request rate.
//
// # Composite Graph
//
// A Graph is a set of subrequests applied atomically; one call carries up to
// 75 graphs and 500 nodes, and counts as one API request. Writing one order
// as one graph of upserts (Account, Contact, Opportunity by external ID)
// lets 75 orders share a call while a bad order fails alone.
// NewUpsertGraph builds such a graph from UpsertRecords: one PATCH node per
// record, the one graphId rule (at most MaxGraphIDLen, 39, characters), the
// node limit, and the record's CreateOnly fields left out when the record
// already exists. Its node URLs are relative to the API version and
// CompositeGraph completes them with the client's, so the version is set
// once, on the client. SplitGraphs packs any number of graphs into calls
// within the limits.
//
// # Bulk API 2.0
//
// For large volumes, ingest jobs load CSV rows asynchronously: a job costs
// a handful of API calls however many rows it carries (up to
// MaxUploadBytes of CSV). CreateIngestJob opens a job for one object and
// operation (BulkUpsert on an external ID field, BulkInsert, BulkUpdate,
// BulkDelete); UploadJobData streams the CSV from an io.ReadSeeker, never
// holding it in memory; CloseIngestJob starts the processing;
// WaitIngestJob polls with growing waits (PollPolicy) until the job is
// JobComplete, or Failed or Aborted (a *JobError, ErrJobFailed); and
// IngestResults streams the SuccessfulResults, FailedResults (each row with
// its sf__Error reason) and UnprocessedRecords as CSV. Relationship columns
// such as Account.BigCommerce_Customer_Key__c link a row to its parent by
// external ID. Query jobs (CreateQueryJob, WaitQueryJob) answer in CSV
// pages that QueryJobResults streams, following the Sforce-Locator header.
// Two details come from public examples rather than a live org: that a job
// takes a single upload (this client uploads once per job), and the
// "CODE:message:fields --" form of sf__Error.
//
// # Tooling API
//
// ToolingQuery pages through a SOQL query on the Tooling API's metadata
// objects (FieldDefinition, CustomField, ...) and ToolingCreate creates one
// record there, such as a CustomField; the salesforce/orgsetup package
// creates bc2sf's fields with them.
//
// # SOQL
//
// Query follows nextRecordsUrl transparently and yields records one by one.
// Put user data into a query only through QuoteString (or QuoteLike,
// LikePrefix), which writes the escape sequences SOQL defines.
package salesforce

package sftest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// csvBody is a response body sent as text/csv, as Bulk API results are.
type csvBody []byte

// bulkJob is one Bulk API 2.0 job of the fake org.
type bulkJob struct {
	id, kind   string // kind: "ingest" or "query"
	object     string
	operation  string
	extField   string
	state      string
	errMessage string
	created    time.Time
	data       []byte // the uploaded CSV, until the job runs
	uploaded   bool
	processed  int
	failed     int
	// polls is how many more state reads answer InProgress.
	polls int
	// results of an ingest job: the header and rows of each set.
	success, failure, unprocessed [][]string
	header                        []string
	// rows of a query job's result, header first.
	rows [][]string
}

// bulkState is the fake's Bulk API state: jobs and the faults to inject.
type bulkState struct {
	jobs  map[string]*bulkJob
	n     uint64
	polls int
	// failNext makes the next ingest job that runs fail after failAfter
	// rows with failMessage.
	failNext    bool
	failAfter   int
	failMessage string
}

// SetBulkPolls makes every Bulk API job answer InProgress to its first n
// state reads after it has started (UploadComplete for an ingest job), so
// that a client's polling is exercised; the default 0 answers its final
// state at once. The job's rows are applied when it starts either way.
func (s *Server) SetBulkPolls(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bulk.polls = max(n, 0)
}

// FailNextBulkJob makes the next ingest job that starts stop after
// processing its first afterRows rows (0: none), in state Failed with
// message as its errorMessage; the other rows are its unprocessed records.
// It models a job Salesforce gives up on, e.g. after too many lock retries.
func (s *Server) FailNextBulkJob(afterRows int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bulk.failNext, s.bulk.failAfter, s.bulk.failMessage = true, max(afterRows, 0), message
}

// BulkJobs returns how many Bulk API jobs were created, ingest and query.
func (s *Server) BulkJobs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bulk.jobs)
}

// handleJobs serves /jobs/ingest and /jobs/query.
func (s *Server) handleJobs(t *tx, c call) response {
	segs := c.segs
	if len(segs) < 2 || (segs[1] != "ingest" && segs[1] != "query") {
		return notFound()
	}
	kind := segs[1]
	if len(segs) == 2 {
		if c.method != http.MethodPost {
			return methodNotAllowed(c.method, "POST")
		}
		if kind == "ingest" {
			return s.createIngestJob(t, c)
		}
		return s.createQueryJob(t, c)
	}
	j := s.bulk.jobs[segs[2]]
	if j == nil || j.kind != kind {
		return errorResponse(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	switch {
	case len(segs) == 3 && c.method == http.MethodGet:
		return response{status: http.StatusOK, body: s.readJob(j, c.version, "")}
	case len(segs) == 3 && c.method == http.MethodPatch:
		return s.patchJob(t, j, c)
	case len(segs) == 3 && c.method == http.MethodDelete:
		if !done(j.state) {
			return bulkError(http.StatusBadRequest, "INVALIDJOBSTATE", "Only jobs in a final state can be deleted")
		}
		delete(s.bulk.jobs, j.id)
		return response{status: http.StatusNoContent}
	case len(segs) == 4 && kind == "ingest" && segs[3] == "batches":
		if c.method != http.MethodPut {
			return methodNotAllowed(c.method, "PUT")
		}
		return uploadJob(j, c)
	case len(segs) == 4 && kind == "ingest" && c.method == http.MethodGet:
		return ingestResults(j, segs[3])
	case len(segs) == 4 && kind == "query" && segs[3] == "results" && c.method == http.MethodGet:
		return queryResults(j, c)
	}
	return notFound()
}

// bulkError is the error shape of the Bulk API: the REST array.
func bulkError(status int, code, msg string) response {
	return errorResponse(status, code, msg)
}

func done(state string) bool {
	return state == "JobComplete" || state == "Failed" || state == "Aborted"
}

func (s *Server) newJob(kind string, now time.Time) *bulkJob {
	s.bulk.n++
	j := &bulkJob{id: makeID("750", s.bulk.n), kind: kind, created: now}
	if s.bulk.jobs == nil {
		s.bulk.jobs = map[string]*bulkJob{}
	}
	s.bulk.jobs[j.id] = j
	return j
}

func (s *Server) createIngestJob(t *tx, c call) response {
	var req struct {
		Object          string `json:"object"`
		Operation       string `json:"operation"`
		ExternalIDField string `json:"externalIdFieldName"`
		ContentType     string `json:"contentType"`
		LineEnding      string `json:"lineEnding"`
		ColumnDelimiter string `json:"columnDelimiter"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return jsonParseError("Unexpected character in the request body: expected a job object")
	}
	obj := t.st.object(req.Object)
	switch {
	case obj == nil:
		return bulkError(http.StatusBadRequest, "INVALIDENTITY", "Entity '"+req.Object+"' is not supported by the Bulk API.")
	case req.ContentType != "" && req.ContentType != "CSV",
		req.LineEnding != "" && req.LineEnding != "LF",
		req.ColumnDelimiter != "" && req.ColumnDelimiter != "COMMA":
		return bulkError(http.StatusBadRequest, "INVALIDJOB", "the fake org takes CSV with LF line endings and comma delimiters only")
	}
	switch req.Operation {
	case "insert", "update", "delete":
		if req.ExternalIDField != "" {
			return bulkError(http.StatusBadRequest, "INVALIDJOB", "externalIdFieldName is only for upsert")
		}
	case "upsert":
		f, ok := obj.isExternalID(req.ExternalIDField)
		if !ok {
			return bulkError(http.StatusBadRequest, "INVALIDJOB", "External ID field '"+req.ExternalIDField+"' not found on "+obj.name)
		}
		req.ExternalIDField = f
	default:
		return bulkError(http.StatusBadRequest, "INVALIDJOB", "Invalid operation: "+req.Operation)
	}
	j := s.newJob("ingest", t.now)
	j.object, j.operation, j.extField, j.state = obj.name, req.Operation, req.ExternalIDField, "Open"
	return response{status: http.StatusOK, body: s.readJob(j, c.version, "")}
}

func uploadJob(j *bulkJob, c call) response {
	switch {
	case j.state != "Open":
		return bulkError(http.StatusConflict, "INVALIDJOBSTATE", "Job "+j.id+" is not Open: "+j.state)
	case j.uploaded:
		// The fake takes one upload per job, as the Bulk API 2.0 guide
		// describes jobs; see the package documentation.
		return bulkError(http.StatusConflict, "INVALIDJOBSTATE", "Job "+j.id+" already has its data")
	case len(bytes.TrimSpace(c.body)) == 0:
		return bulkError(http.StatusBadRequest, "INVALIDREQUEST", "The request body is empty")
	}
	j.data, j.uploaded = c.body, true
	return response{status: http.StatusCreated}
}

func (s *Server) patchJob(t *tx, j *bulkJob, c call) response {
	var req struct {
		State string `json:"state"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return jsonParseError("Unexpected character in the request body: expected {\"state\": ...}")
	}
	switch {
	case req.State == "Aborted" && !done(j.state):
		j.state, j.data, j.polls = "Aborted", nil, 0
		return response{status: http.StatusOK, body: s.readJob(j, c.version, "")}
	case req.State == "UploadComplete" && j.kind == "ingest" && j.state == "Open":
		if !j.uploaded {
			return bulkError(http.StatusBadRequest, "INVALIDJOBSTATE", "Job "+j.id+" has no data to process")
		}
		s.runIngest(t, j)
		j.polls = s.bulk.polls
		return response{status: http.StatusOK, body: s.readJob(j, c.version, "UploadComplete")}
	}
	return bulkError(http.StatusBadRequest, "INVALIDJOBSTATE", "Cannot move job "+j.id+" from "+j.state+" to "+req.State)
}

// readJob renders j as JobInfo, in state shown when that is set (the
// answer to a state change). Otherwise, while j.polls is above 0, a started
// job reads InProgress and uses up one poll.
func (s *Server) readJob(j *bulkJob, version, shown string) map[string]any {
	state := j.state
	switch {
	case shown != "":
		state = shown
	case j.polls > 0 && done(state):
		j.polls--
		state = "InProgress"
	}
	out := map[string]any{
		"id": j.id, "operation": j.operation, "object": j.object, "state": state,
		"createdById": s.userID, "createdDate": j.created.UTC().Format(sfTimeLayout),
		"systemModstamp": j.created.UTC().Format(sfTimeLayout), "concurrencyMode": "Parallel",
		"contentType": "CSV", "apiVersion": json.Number(strings.TrimPrefix(version, "v")),
		"lineEnding": "LF", "columnDelimiter": "COMMA", "jobType": "V2Ingest",
		"numberRecordsProcessed": j.processed, "retries": 0, "totalProcessingTime": 0,
	}
	if j.kind == "ingest" {
		out["numberRecordsFailed"] = j.failed
		if j.extField != "" {
			out["externalIdFieldName"] = j.extField
		}
		if state == "Open" {
			out["contentUrl"] = "services/data/" + version + "/jobs/ingest/" + j.id + "/batches"
		}
	} else {
		out["jobType"] = "V2Query"
	}
	if j.errMessage != "" && done(state) {
		out["errorMessage"] = j.errMessage
	}
	return out
}

// runIngest applies an ingest job's rows, each on its own, and records the
// three result sets. A row that fails leaves nothing behind.
func (s *Server) runIngest(t *tx, j *bulkJob) {
	defer func() { j.data = nil }()
	r := csv.NewReader(bytes.NewReader(j.data))
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil || len(header) == 0 {
		j.state, j.errMessage = "Failed", "InvalidBatch : the CSV has no header row"
		return
	}
	j.header = header
	obj := t.st.object(j.object)
	failAt := -1
	if s.bulk.failNext {
		failAt, s.bulk.failNext = s.bulk.failAfter, false
	}
	for row := 0; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			j.state, j.errMessage = "Failed", "InvalidBatch : "+err.Error()
			return
		}
		if row == failAt {
			j.unprocessed = append(j.unprocessed, rec)
			for {
				rest, err := r.Read()
				if err != nil {
					break
				}
				j.unprocessed = append(j.unprocessed, rest)
			}
			j.state, j.errMessage = "Failed", s.bulk.failMessage
			return
		}
		rt := &tx{st: t.st, now: t.now} // one row, one transaction
		id, created, derr := s.ingestRow(rt, obj, j, header, rec)
		j.processed++
		if derr != nil {
			j.failed++
			j.failure = append(j.failure, append([]string{"", derr.code + ":" + derr.msg + ":" + strings.Join(derr.fields, ",") + " --"}, rec...))
			continue
		}
		j.success = append(j.success, append([]string{id, strconv.FormatBool(created)}, rec...))
	}
	j.state = "JobComplete"
}

// ingestRow applies one CSV row.
func (s *Server) ingestRow(t *tx, obj *objectDef, j *bulkJob, header, rec []string) (string, bool, *dmlError) {
	if len(rec) != len(header) {
		return "", false, newDMLError("INVALID_FIELD", "the row has "+strconv.Itoa(len(rec))+" columns, the header "+strconv.Itoa(len(header)))
	}
	body := map[string]any{}
	id := ""
	for i, col := range header {
		v := rec[i]
		if v == "" {
			continue // an empty value leaves the field as it is
		}
		var val any = v
		if v == "#N/A" {
			val = nil
		}
		if strings.EqualFold(col, "Id") {
			id = v
			continue
		}
		if rel, field, ok := strings.Cut(col, "."); ok {
			body[rel] = map[string]any{field: v}
			continue
		}
		body[col] = val
	}
	switch j.operation {
	case "insert":
		fields, err := t.write(obj, body, nil)
		if err != nil {
			return "", false, err
		}
		return t.insert(obj, fields).id, true, nil
	case "upsert":
		_, v, _ := lookupField(body, j.extField)
		value, _ := valueText(v)
		if value == "" {
			return "", false, newDMLError("MISSING_ARGUMENT", j.extField+" not specified", j.extField)
		}
		res := s.upsert(t, obj, j.extField, value, body, false)
		switch {
		case res.err != nil:
			return "", false, res.err
		case res.multi != nil:
			return "", false, newDMLError("DUPLICATE_EXTERNAL_ID", j.extField+": more than one record found for external id field: "+strings.Join(ids(res.multi), ", "), j.extField)
		}
		return res.rec.id, res.created, nil
	case "update", "delete":
		rec := t.st.get(id)
		if rec == nil || rec.object != obj {
			return "", false, newDMLError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "Id")
		}
		if j.operation == "delete" {
			t.remove(rec)
			return rec.id, false, nil
		}
		fields, err := t.write(obj, body, rec)
		if err != nil {
			return "", false, err
		}
		t.replace(rec, fields)
		return rec.id, false, nil
	}
	return "", false, newDMLError("INVALID_OPERATION", "unknown operation "+j.operation)
}

// ingestResults serves one result set of a finished ingest job as CSV.
func ingestResults(j *bulkJob, set string) response {
	if !done(j.state) {
		return bulkError(http.StatusBadRequest, "INVALIDJOBSTATE", "Job "+j.id+" is not finished")
	}
	var head []string
	var rows [][]string
	switch set {
	case "successfulResults":
		head, rows = append([]string{"sf__Id", "sf__Created"}, j.header...), j.success
	case "failedResults":
		head, rows = append([]string{"sf__Id", "sf__Error"}, j.header...), j.failure
	case "unprocessedrecords":
		head, rows = j.header, j.unprocessed
	default:
		return notFound()
	}
	return response{status: http.StatusOK, body: writeCSV(head, rows)}
}

func writeCSV(head []string, rows [][]string) csvBody {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if len(head) > 0 {
		_ = w.Write(head)
	}
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail; WriteAll flushes
	return csvBody(b.Bytes())
}

func (s *Server) createQueryJob(t *tx, c call) response {
	var req struct {
		Operation string `json:"operation"`
		Query     string `json:"query"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil {
		return jsonParseError("Unexpected character in the request body: expected a job object")
	}
	if req.Operation != "query" && req.Operation != "queryAll" {
		return bulkError(http.StatusBadRequest, "INVALIDJOB", "Invalid operation: "+req.Operation)
	}
	rows, q, bad := t.selectRows(c.version, req.Query)
	if bad != nil {
		return *bad
	}
	j := s.newJob("query", t.now)
	j.object, j.operation, j.state = q.Object, req.Operation, "JobComplete"
	j.rows = [][]string{q.Fields}
	for _, row := range rows {
		out := make([]string, len(q.Fields))
		for i, f := range q.Fields {
			out[i] = flatValue(row, f)
		}
		j.rows = append(j.rows, out)
	}
	j.processed = len(rows)
	j.polls = s.bulk.polls
	return response{status: http.StatusOK, body: s.readJob(j, c.version, "UploadComplete")}
}

// flatValue reads a selected field, Parent.Field included, from a projected
// row, as Bulk API CSV writes it ("" for null).
func flatValue(row map[string]any, path string) string {
	var v any = row
	for part := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		_, v, _ = lookupField(m, part)
	}
	text, _ := valueText(v)
	return text
}

// queryResults serves one page of a query job's result: maxRecords rows
// from the locator on, with the next locator in Sforce-Locator ("null" on
// the last page).
func queryResults(j *bulkJob, c call) response {
	if j.state != "JobComplete" || j.polls > 0 {
		return bulkError(http.StatusBadRequest, "INVALIDJOBSTATE", "Job "+j.id+" is not complete")
	}
	data := j.rows[1:]
	offset := 0
	if loc := c.query.Get("locator"); loc != "" {
		n, err := strconv.Atoi(loc)
		if err != nil || n < 0 || n > len(data) {
			return bulkError(http.StatusBadRequest, "INVALIDLOCATOR", "invalid locator "+loc)
		}
		offset = n
	}
	size := len(data) - offset
	if m := c.query.Get("maxRecords"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 {
			return bulkError(http.StatusBadRequest, "INVALIDREQUEST", "invalid maxRecords "+m)
		}
		size = min(size, n)
	}
	end := offset + size
	next := "null"
	if end < len(data) {
		next = strconv.Itoa(end)
	}
	return response{status: http.StatusOK, header: map[string]string{
		"Sforce-Locator": next, "Sforce-NumberOfRecords": strconv.Itoa(size),
	}, body: writeCSV(j.rows[0], data[offset:end])}
}

package pipeline

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// chunkFailures are what a chunk's jobs refused: customers (by key) whose
// Account or Contact failed, and orders (by id) whose own records failed.
// Only failures are kept, so they stay small.
type chunkFailures struct {
	account  map[string]string // customer key -> reason; children not sent
	customer map[string]string // customer key -> reason (Account or Contact)
	order    map[int64]string  // order id -> reason
}

// writeChunk runs the chunk's jobs, dead-letters what they refused, and
// moves the checkpoint.
func (b *bulkRun) writeChunk(ctx context.Context, c *chunk) error {
	mc := &b.mc
	fail := chunkFailures{account: map[string]string{}, customer: map[string]string{}, order: map[int64]string{}}
	for _, f := range c.mapFailed {
		fail.order[f.id] = f.reason
	}
	b.log.Info("bulk backfill: writing chunk", "orders", c.listed, "skipped", c.skipped, "last_created", c.last)
	customerFailed := func(reason string, m ...map[string]string) func(r csvRow) {
		return func(r csvRow) {
			key := r.get(mc.Fields.CustomerKey)
			for _, mm := range m {
				if _, ok := mm[key]; !ok {
					mm[key] = reason
				}
			}
		}
	}

	if s := c.spools[mc.Objects.Account]; s != nil {
		err := b.ingest(ctx, c, s, salesforce.BulkUpsert, s.header(false), func(*spoolLine) bool { return true },
			func(r csvRow, reason string) { customerFailed(reason, fail.account, fail.customer)(r) })
		if err != nil {
			return err
		}
	}
	linked := func(line *spoolLine) bool {
		_, bad := fail.account[customerOf(&line.Rec, mc)]
		return !bad
	}
	if s := c.spools[mc.Objects.Contact]; s != nil {
		err := b.ingest(ctx, c, s, salesforce.BulkUpsert, s.header(false), linked,
			func(r csvRow, reason string) { customerFailed(reason, fail.customer)(r) })
		if err != nil {
			return err
		}
	}
	orderFailed := func(col string) func(r csvRow, reason string) {
		return func(r csvRow, reason string) {
			if id, err := strconv.ParseInt(r.get(col), 10, 64); err == nil {
				if _, ok := fail.order[id]; !ok {
					fail.order[id] = reason
				}
			}
		}
	}
	var err error
	if mc.Target == mapper.TargetOpportunity {
		if s := c.spools[mc.Objects.Opportunity]; s != nil {
			err = b.ingest(ctx, c, s, salesforce.BulkUpsert, s.header(false), linked, orderFailed(mc.Fields.OrderID))
		}
	} else {
		err = b.writeOrders(ctx, c, &fail, linked, orderFailed)
	}
	if err != nil {
		return err
	}
	return b.settleChunk(ctx, c, &fail)
}

// writeOrders runs the Order target's jobs: the price book query, the
// Orders and their OrderItems, each as an insert and, for the rows whose
// record exists, an upsert without the create-only fields.
func (b *bulkRun) writeOrders(ctx context.Context, c *chunk, fail *chunkFailures, linked func(*spoolLine) bool,
	orderFailed func(col string) func(csvRow, string)) error {
	mc := &b.mc
	items := c.spools[mc.Objects.OrderItem]
	entries, err := b.pricebook(ctx, c)
	if err != nil {
		return err
	}
	if items != nil {
		// An order with a line that has no entry is not written at all, as
		// the Worker dead-letters it whole.
		err := items.each(func(_ uint32, line *spoolLine) error {
			if line.Rec.ProductKey == "" {
				return nil
			}
			k := priceKey{product: line.Rec.ProductKey, currency: line.Currency}
			if _, ok := entries[k]; !ok {
				if _, dup := fail.order[line.Order]; !dup {
					fail.order[line.Order] = (&missingEntryError{productKey: k.product, lineItemID: line.Rec.ExternalID,
						multiCurrency: b.multiCurrency, currency: k.currency}).Error()
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	orderOK := func(line *spoolLine) bool {
		_, bad := fail.order[line.Order]
		return !bad && linked(line)
	}
	if s := c.spools[mc.Objects.Order]; s != nil {
		if err := b.insertThenUpdate(ctx, c, s, orderOK, orderFailed(mc.Fields.OrderID)); err != nil {
			return err
		}
	}
	if items == nil {
		return nil
	}
	withEntry := func(line *spoolLine) bool {
		if !orderOK(line) {
			return false
		}
		if line.Rec.ProductKey != "" {
			line.Rec.Fields[line.Rec.PricebookEntryField] = entries[priceKey{product: line.Rec.ProductKey, currency: line.Currency}]
		}
		return true
	}
	itemOrder := mc.Fields.OrderRelationship + "." + mc.Fields.OrderID
	return b.insertThenUpdate(ctx, c, items, withEntry, orderFailed(itemOrder))
}

// insertThenUpdate inserts the spool's rows, then upserts, without their
// create-only fields, the rows refused because their record exists
// (DUPLICATE_VALUE on the external ID): the records of a chunk that an
// interrupted run wrote in part. A record the insert creates gets its
// create-only fields, one that exists keeps them, as with the Worker.
func (b *bulkRun) insertThenUpdate(ctx context.Context, c *chunk, s *spool, keep func(*spoolLine) bool, failed func(csvRow, string)) error {
	update, err := os.CreateTemp(c.dir, "update-*.csv")
	if err != nil {
		return fmt.Errorf("pipeline: bulk CSV: %w", err)
	}
	defer update.Close()
	head := s.header(true)
	w := csv.NewWriter(update)
	rows := 0
	// The order id of an update row whose order column is create-only (an
	// OrderItem's Order) is kept here, to name its order if it fails.
	orderOf := map[string]string{}
	err = b.ingest(ctx, c, s, salesforce.BulkInsert, s.header(false), keep, func(r csvRow, reason string) {
		if !isDuplicate(r.get("sf__Error"), s.extField) {
			failed(r, reason)
			return
		}
		if rows == 0 {
			_ = w.Write(head)
		}
		rec := make([]string, len(head))
		for i, col := range head {
			rec[i] = r.get(col)
		}
		if err := w.Write(rec); err == nil {
			rows++
			orderOf[r.get(s.extField)] = r.get(b.mc.Fields.OrderRelationship + "." + b.mc.Fields.OrderID)
		}
	})
	if err != nil || rows == 0 {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("pipeline: bulk CSV %s: %w", s.object, err)
	}
	if _, err := update.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("pipeline: bulk CSV %s: %w", s.object, err)
	}
	b.log.Info("bulk backfill: records exist, updating them without their create-only fields", "object", s.object, "rows", rows)
	return b.runJob(ctx, s.object, salesforce.BulkUpsert, s.extField, update, rows, func(r csvRow, reason string) {
		if r.has(b.mc.Fields.OrderRelationship + "." + b.mc.Fields.OrderID) {
			failed(r, reason)
			return
		}
		r.set(b.mc.Fields.OrderRelationship+"."+b.mc.Fields.OrderID, orderOf[r.get(s.extField)])
		failed(r, reason)
	})
}

// isDuplicate reports whether a row was refused because its external ID
// exists: its sf__Error is DUPLICATE_VALUE naming that field.
func isDuplicate(sfError, extField string) bool {
	return strings.HasPrefix(sfError, salesforce.CodeDuplicateValue+":") && strings.Contains(sfError, extField)
}

// ingest writes the spool's rows that keep accepts as a CSV file and runs
// one job on it; failed receives each refused row with its reason.
func (b *bulkRun) ingest(ctx context.Context, c *chunk, s *spool, op salesforce.BulkOperation, head []string,
	keep func(*spoolLine) bool, failed func(csvRow, string)) error {
	f, rows, err := s.csvFile(c.dir, head, keep)
	if err != nil {
		return err
	}
	defer f.Close()
	ext := ""
	if op == salesforce.BulkUpsert {
		ext = s.extField
	}
	return b.runJob(ctx, s.object, op, ext, f, rows, failed)
}

// runJob runs one ingest job: create, upload, close, wait, and the failed
// rows when there are any. A job that ends Failed or Aborted stops the run
// with an error naming Salesforce's reason and the rows it left
// unprocessed: such a failure is the org's or the data's as a whole (a
// missing field, a limit), not one order's, so its orders are not
// dead-lettered; the next run writes the chunk again.
func (b *bulkRun) runJob(ctx context.Context, object string, op salesforce.BulkOperation, ext string, csvFile io.ReadSeeker,
	rows int, failed func(csvRow, string)) error {
	if rows == 0 {
		return nil
	}
	b.phase(object)
	sf := b.cfg.Salesforce
	job, err := sf.CreateIngestJob(ctx, salesforce.IngestJobRequest{Object: object, Operation: op, ExternalIDField: ext})
	if err != nil {
		return fmt.Errorf("%s %s job: %w", op, object, err)
	}
	b.p.Jobs++
	if err := sf.UploadJobData(ctx, job.ID, csvFile); err != nil {
		b.abort(job.ID)
		return fmt.Errorf("%s %s job %s: upload: %w", op, object, job.ID, err)
	}
	if _, err := sf.CloseIngestJob(ctx, job.ID); err != nil {
		b.abort(job.ID)
		return fmt.Errorf("%s %s job %s: close: %w", op, object, job.ID, err)
	}
	info, err := sf.WaitIngestJob(ctx, job.ID, b.cfg.Poll)
	if errors.Is(err, salesforce.ErrJobFailed) {
		left, cerr := b.countRows(ctx, job.ID, salesforce.UnprocessedRecords)
		if cerr != nil {
			return fmt.Errorf("%s %s: %w (and reading its unprocessed rows: %v)", op, object, err, cerr)
		}
		return fmt.Errorf("%s %s: %w; %d of %d rows unprocessed", op, object, err, left, rows)
	}
	if err != nil {
		return fmt.Errorf("%s %s job %s: %w", op, object, job.ID, err)
	}
	b.log.Info("bulk backfill: job done", "object", object, "operation", op, "job", job.ID,
		"rows", rows, "processed", info.NumberRecordsProcessed, "failed", info.NumberRecordsFailed)
	if info.NumberRecordsFailed == 0 {
		return nil
	}
	return b.readRows(ctx, job.ID, salesforce.FailedResults, func(r csvRow) {
		failed(r, fmt.Sprintf("bulk %s %s: %s", op, object, r.get("sf__Error")))
	})
}

// abortTimeout bounds the abort of a job left open by a failed upload or
// close, which runs even when the run's context has ended.
const abortTimeout = 10 * time.Second

// abort aborts a job that will not be closed, so that it does not linger
// Open in the org; a failure is only logged.
func (b *bulkRun) abort(jobID string) {
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	if _, err := b.cfg.Salesforce.AbortIngestJob(ctx, jobID); err != nil {
		b.log.Warn("bulk backfill: could not abort a job left open", "job", jobID, "err", err)
	}
}

// countRows counts the rows of a result set.
func (b *bulkRun) countRows(ctx context.Context, jobID string, kind salesforce.ResultKind) (int, error) {
	n := 0
	err := b.readRows(ctx, jobID, kind, func(csvRow) { n++ })
	return n, err
}

// readRows streams a result set, row by row.
func (b *bulkRun) readRows(ctx context.Context, jobID string, kind salesforce.ResultKind, each func(csvRow)) error {
	rc, err := b.cfg.Salesforce.IngestResults(ctx, jobID, kind)
	if err != nil {
		return fmt.Errorf("job %s %s: %w", jobID, kind, err)
	}
	defer rc.Close()
	return eachCSVRow(rc, each)
}

// maxResultField bounds one field of a result row: Salesforce caps a field
// at 131,072 characters; a longer one is not from Salesforce.
const maxResultField = 1 << 20

// csvRow is one row of a CSV with a header.
type csvRow struct {
	head map[string]int
	rec  []string
}

func (r csvRow) get(col string) string {
	if i, ok := r.head[col]; ok && i < len(r.rec) {
		return r.rec[i]
	}
	return ""
}

func (r csvRow) has(col string) bool {
	_, ok := r.head[col]
	return ok
}

func (r *csvRow) set(col, v string) {
	if i, ok := r.head[col]; ok && i < len(r.rec) {
		r.rec[i] = v
		return
	}
	head := make(map[string]int, len(r.head)+1)
	for k, i := range r.head {
		head[k] = i
	}
	head[col] = len(r.rec)
	r.head, r.rec = head, append(r.rec, v)
}

// eachCSVRow reads a CSV with a header row from r, which may be anything a
// server sent: a row of another width, a field past maxResultField or
// malformed quoting is an error, never a panic.
func eachCSVRow(r io.Reader, each func(csvRow)) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("result CSV header: %w", err)
	}
	idx := make(map[string]int, len(head))
	for i, h := range head {
		idx[h] = i
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("result CSV: %w", err)
		}
		for _, v := range rec {
			if len(v) > maxResultField {
				return fmt.Errorf("result CSV: a field of %d bytes", len(v))
			}
		}
		each(csvRow{head: idx, rec: rec})
	}
}

// pricebook reads the price book's active entries with one query job and
// returns the ids of those the chunk's OrderItems need.
func (b *bulkRun) pricebook(ctx context.Context, c *chunk) (map[priceKey]string, error) {
	found := map[priceKey]string{}
	if len(c.keys) == 0 {
		return found, nil
	}
	field := b.cfg.PricebookKeyField
	selectList := "Id, " + field
	if b.multiCurrency {
		selectList += ", " + fieldCurrency
	}
	soql := fmt.Sprintf("SELECT %s FROM PricebookEntry WHERE Pricebook2Id = %s AND IsActive = true",
		selectList, salesforce.QuoteString(b.mc.Pricebook2ID))
	b.phase("PricebookEntry")
	sf := b.cfg.Salesforce
	job, err := sf.CreateQueryJob(ctx, soql, false)
	if err != nil {
		return nil, fmt.Errorf("price book query job: %w", err)
	}
	b.p.Jobs++
	if _, err := sf.WaitQueryJob(ctx, job.ID, b.cfg.Poll); err != nil {
		return nil, fmt.Errorf("price book query job %s: %w", job.ID, err)
	}
	for page, err := range sf.QueryJobResults(ctx, job.ID, salesforce.QueryResultsOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("price book query job %s: %w", job.ID, err)
		}
		err := eachCSVRow(page.CSV, func(r csvRow) {
			k := priceKey{product: r.get(field)}
			if b.multiCurrency {
				k.currency = r.get(fieldCurrency)
			}
			if id := r.get("Id"); id != "" && c.keys[k] {
				if _, dup := found[k]; !dup {
					found[k] = id
				}
			}
		})
		if err != nil {
			return nil, fmt.Errorf("price book query job %s: %w", job.ID, err)
		}
	}
	return found, nil
}

// settleChunk dead-letters the chunk's failed orders, counts, and moves the
// checkpoint.
func (b *bulkRun) settleChunk(ctx context.Context, c *chunk, fail *chunkFailures) error {
	mc := &b.mc
	dead := 0
	for _, f := range c.mapFailed {
		if err := b.deadLetter(ctx, f); err != nil {
			return err
		}
		dead++
	}
	sales := c.spools[mc.Objects.Opportunity]
	if mc.Target == mapper.TargetOrder {
		sales = c.spools[mc.Objects.Order]
	}
	if sales != nil && (len(fail.order) > 0 || len(fail.customer) > 0) {
		err := sales.each(func(_ uint32, line *spoolLine) error {
			reason, bad := fail.customer[customerOf(&line.Rec, mc)]
			if r, ok := fail.order[line.Order]; ok {
				reason, bad = r, true
			}
			if !bad {
				return nil
			}
			dead++
			return b.deadLetter(ctx, failedOrder{id: line.Order, modified: time.Unix(line.Modified, 0), reason: reason})
		})
		if err != nil {
			return err
		}
	}
	b.p.Failed += dead
	b.p.Skipped += c.skipped
	b.p.Written += c.listed - c.skipped - dead
	b.p.Done += c.listed
	b.log.Info("bulk backfill: chunk done", "orders", c.listed, "written", c.listed-c.skipped-dead,
		"skipped", c.skipped, "dead_lettered", dead, "last_created", c.last)
	return b.saveCheckpoint(ctx, c.last)
}

// customerOf returns the customer key a record names: its own external ID
// for an Account or Contact, its Account relationship's otherwise.
func customerOf(rec *mapper.Record, mc *mapper.Config) string {
	if rec.ExternalIDField == mc.Fields.CustomerKey {
		return rec.ExternalID
	}
	switch rel := rec.Fields[mc.Fields.AccountRelationship].(type) {
	case map[string]any:
		s, _ := rel[mc.Fields.CustomerKey].(string)
		return s
	case map[string]string:
		return rel[mc.Fields.CustomerKey]
	}
	return ""
}

// deadLetter puts an order Salesforce refused on the queue's dead letters
// as a Task the Worker syncs when an operator replays it, or, on a queue
// that cannot take dead letters directly, as a Task to retry at once.
func (b *bulkRun) deadLetter(ctx context.Context, f failedOrder) error {
	body, err := EncodeTask(Task{OrderID: f.id, Source: SourceBackfill, ReceivedAt: b.cfg.Now().UTC()})
	if err != nil {
		return err
	}
	msg := idempotency.Message{
		Key:  orderKey(&bigcommerce.Order{ID: f.id, DateModified: f.modified}),
		Body: body, Priority: idempotency.PriorityLow,
	}
	reason := cut(f.reason, maxReasonBytes)
	if w, ok := b.cfg.DeadLetters.(idempotency.DeadLetterWriter); ok {
		_, err = w.EnqueueDead(ctx, msg, reason)
	} else {
		_, err = b.cfg.DeadLetters.Enqueue(ctx, msg)
	}
	if err != nil {
		return fmt.Errorf("pipeline: dead-letter order %d: %w", f.id, err)
	}
	b.log.Warn("bulk backfill: order not written", "order_id", f.id, "reason", reason)
	return nil
}

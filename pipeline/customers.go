package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/salesforce"
)

// SkipNotFound is the Result.SkipCode of a customer or product task whose
// customer or product no longer exists in BigCommerce: Salesforce is left as
// it is (bc2sf deletes nothing).
const SkipNotFound = "not_found"

// maxIDsPerRead is the most ids one BigCommerce list request carries.
const maxIDsPerRead = 250

// syncCustomers syncs a batch of customer jobs: one BigCommerce read of all
// their customers (with addresses), then one Composite Graph call writing
// each customer's Account and Contact as a graph of its own.
func (w *Worker) syncCustomers(ctx context.Context, jobs []*job) {
	ids, byID := groupJobs(jobs)
	found := make(map[int64]*bigcommerce.Customer, len(ids))
	w.stats.bigcommerceCalls.Add(int64((len(ids) + maxIDsPerRead - 1) / maxIDsPerRead))
	cctx, end := w.callHook(ctx, StageFetch, jobs)
	var readErr error
	for c, err := range w.cfg.Customers.List(cctx, bigcommerce.ListCustomersOptions{IDs: ids, IncludeAddresses: true}) {
		if err != nil {
			readErr = err
			break
		}
		if _, asked := byID[c.ID]; asked {
			found[c.ID] = &c
		}
	}
	end(readErr)
	if readErr != nil {
		w.failJobs(ctx, jobs, Result{}, fmt.Errorf("read customers: %w", readErr))
		return
	}
	var items []*entityItem
	for _, id := range ids {
		js := byID[id]
		c, ok := found[id]
		if !ok {
			w.completeJobs(js, Result{Outcome: OutcomeSkipped, SkipCode: SkipNotFound,
				Reason: fmt.Sprintf("%s: customer %d does not exist in BigCommerce (deleted?); Salesforce is left as it is", SkipNotFound, id)})
			continue
		}
		res, err := w.cfg.Mapper.MapCustomer(c)
		if err != nil {
			w.failJobs(ctx, js, Result{}, fmt.Errorf("map customer %d: %w", id, err))
			continue
		}
		r := Result{Warnings: res.Warnings}
		version := recordsVersion(c.DateModified, res.Records)
		vkey := entityVersionKey(KindCustomer, id, c.DateModified)
		if w.skipFresh(js, version, vkey, r) {
			continue
		}
		g, err := salesforce.NewUpsertGraph(entityGraphID(KindCustomer, id, 0), upsertRecords(res.Records), nil)
		if err != nil {
			w.failJobs(ctx, js, r, fmt.Errorf("build graph: %w", err))
			continue
		}
		items = append(items, &entityItem{id: id, jobs: js, graphs: []salesforce.Graph{g}, res: r, versionKey: vkey})
	}
	if len(items) > 0 {
		w.writeEntities(ctx, items)
	}
}

// skipFresh compares the version a job is about to write with the one the
// Store records as written for its entity, as the order guard does: an
// older state (SkipStale) or the very records already written
// (SkipUnchanged) are skipped and the jobs completed, and skipFresh reports
// true. Otherwise it sets each job's version and reports false.
func (w *Worker) skipFresh(jobs []*job, version orderVersion, versionKey string, r Result) bool {
	for _, j := range jobs {
		code := freshness(j.written, version, j.task.Force)
		if code == "" {
			continue
		}
		w.markDone(versionKey, jobs)
		r.Outcome, r.SkipCode = OutcomeSkipped, code
		r.Reason = fmt.Sprintf("%s: %s modified at %s; Salesforce holds the version %s",
			code, j.task.subject(), version.modified.UTC().Format(time.RFC3339), j.written)
		w.completeJobs(jobs, r)
		return true
	}
	for _, j := range jobs {
		j.version = version
	}
	return false
}

// recordsVersion is the version of an entity's records as of modified: the
// same form as an order's, so the Store and the guard treat both alike.
func recordsVersion(modified time.Time, recs any) orderVersion {
	b, err := json.Marshal(recs)
	if err != nil {
		return orderVersion{modified: modified}
	}
	sum := sha256.Sum256(b)
	return orderVersion{modified: modified, digest: hex.EncodeToString(sum[:16])}
}

// upsertRecords turns mapper records into the graph builder's.
func upsertRecords(recs []mapper.Record) []salesforce.UpsertRecord {
	out := make([]salesforce.UpsertRecord, len(recs))
	for i, r := range recs {
		out[i] = salesforce.UpsertRecord{Ref: r.Ref, SObject: r.SObject, ExternalIDField: r.ExternalIDField,
			ExternalID: r.ExternalID, Fields: r.Fields, CreateOnly: r.CreateOnly}
	}
	return out
}

// entityGraphID names the graph of a customer or product: "customer_7",
// "product_174", and "product_174_2" for the further graphs of a product
// with more nodes than one graph takes.
func entityGraphID(kind Kind, id int64, part int) string {
	g := string(kind) + "_" + strconv.FormatInt(id, 10)
	if part > 0 {
		g += "_" + strconv.Itoa(part+1)
	}
	return g
}

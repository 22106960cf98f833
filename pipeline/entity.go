package pipeline

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/salesforce"
)

// CustomerSource lists customers, many ids in one request:
// *bigcommerce.CustomersService (a client's Customers) implements it. The
// Worker lists the customers of a batch by id with their addresses; the
// Reconciler lists those modified since its checkpoint, sorted by
// date_modified.
type CustomerSource interface {
	List(ctx context.Context, opts bigcommerce.ListCustomersOptions) iter.Seq2[bigcommerce.Customer, error]
}

// ProductSource lists catalog products with their variants, many ids in one
// request: *bigcommerce.ProductsService (a client's Products) implements it.
type ProductSource interface {
	List(ctx context.Context, opts bigcommerce.ListProductsOptions) iter.Seq2[bigcommerce.Product, error]
}

// entityPending bounds the jobs of one kind that wait for a call, in
// batches: past it the fetching goroutines wait, which holds back
// dequeuing.
const entityPending = 2

// entities runs one batching loop per kind of entity task (customers,
// products) for a Run of the Worker.
type entities struct {
	loops map[Kind]*entityLoop
}

// entityLoop collects the jobs of one kind and syncs them in batches: when
// no call of its kind is in flight, whatever waits goes at once (a quiet
// store pays one BigCommerce read and one Salesforce write per customer);
// while a call is in flight, jobs wait, and when it returns, everything that
// waits goes in one call of up to BatchSize entities (a burst pays one read
// and one write per BatchSize).
type entityLoop struct {
	kind  Kind
	in    chan *job
	done  chan struct{}
	flush func(ctx context.Context, jobs []*job)
	size  int
}

// startEntities starts the loops of a Run on the work context.
func (w *Worker) startEntities(ctx context.Context) *entities {
	e := &entities{loops: map[Kind]*entityLoop{}}
	for kind, flush := range map[Kind]func(context.Context, []*job){
		KindCustomer: w.syncCustomers,
		KindProduct:  w.syncProductJobs,
	} {
		l := &entityLoop{kind: kind, in: make(chan *job), done: make(chan struct{}), flush: flush, size: w.cfg.BatchSize}
		e.loops[kind] = l
		go l.run(ctx)
	}
	return e
}

// stop closes the loops' inputs and waits until they sent what waited.
func (e *entities) stop() {
	for _, l := range e.loops {
		close(l.in)
	}
	for _, l := range e.loops {
		<-l.done
	}
}

func (l *entityLoop) run(ctx context.Context) {
	defer close(l.done)
	var pending []*job
	returned := make(chan struct{})
	inFlight, closed := false, false
	for {
		if !inFlight && len(pending) > 0 {
			n := min(len(pending), l.size)
			call := append([]*job(nil), pending[:n]...)
			pending = append(pending[:0], pending[n:]...)
			inFlight = true
			go func() {
				l.flush(ctx, call)
				returned <- struct{}{}
			}()
		}
		if closed && !inFlight && len(pending) == 0 {
			return
		}
		in := l.in
		if closed || len(pending) >= entityPending*l.size {
			in = nil
		}
		select {
		case j, ok := <-in:
			if !ok {
				closed = true
				continue
			}
			pending = append(pending, j)
		case <-returned:
			inFlight = false
		}
	}
}

// routeEntity takes a customer's or product's delivery, whose key the job
// has claimed, on to its kind's loop: it claims the entity's sync record
// (startSync), so that syncs of one entity run one at a time, and hands the
// job over. A kind the Worker is not configured for is dead-lettered.
func (w *Worker) routeEntity(ctx context.Context, j *job) {
	kind := j.task.EntityKind()
	switch {
	case kind == KindCustomer && isNil(w.cfg.Customers):
		w.dead(j, Result{Cause: CauseNotConfigured}, j.task.subject()+": customer sync is not configured (WorkerConfig.Customers is nil)")
		return
	case kind == KindProduct && isNil(w.cfg.Products):
		w.dead(j, Result{Cause: CauseNotConfigured}, j.task.subject()+": product sync is not configured (WorkerConfig.Products is nil)")
		return
	}
	if !w.startSync(ctx, j) {
		return
	}
	select {
	case w.entities.loops[kind].in <- j:
	case <-ctx.Done():
		w.giveBack(j)
	}
}

// entityItem is one customer or product of a call: its graphs, and what
// settles its jobs.
type entityItem struct {
	id     int64
	jobs   []*job
	graphs []salesforce.Graph
	res    Result // warnings and, once written, records
	// versionKey is the reconcile key of this version ("customer:7:<unix>"),
	// marked done once written; empty when none.
	versionKey string
}

// groupJobs groups jobs by entity id, in arrival order.
func groupJobs(jobs []*job) (ids []int64, byID map[int64][]*job) {
	byID = map[int64][]*job{}
	for _, j := range jobs {
		id := j.task.ID()
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], j)
	}
	return ids, byID
}

// completeJobs completes jobs with one result.
func (w *Worker) completeJobs(jobs []*job, r Result) {
	for _, j := range jobs {
		w.complete(j, r)
	}
}

// failJobs settles jobs after a failure.
func (w *Worker) failJobs(ctx context.Context, jobs []*job, r Result, err error) {
	for _, j := range jobs {
		w.fail(ctx, j, r, err)
	}
}

// writeEntities sends the graphs of items in as few Composite Graph calls as
// the limits allow and settles each item: written when all its graphs
// succeeded, failed with the first failure otherwise.
func (w *Worker) writeEntities(ctx context.Context, items []*entityItem) {
	results, errs := w.sendItems(ctx, items)
	w.settleItems(ctx, items, results, errs)
}

// sendItems sends the graphs of items in as few Composite Graph calls as
// the limits allow, as sendGraphs does.
func (w *Worker) sendItems(ctx context.Context, items []*entityItem) (map[string]salesforce.GraphResult, map[string]error) {
	var graphs []salesforce.Graph
	var jobs []*job
	for _, it := range items {
		graphs = append(graphs, it.graphs...)
		jobs = append(jobs, it.jobs...)
	}
	cctx, end := w.callHook(ctx, StageWrite, jobs)
	results, errs := w.sendGraphs(cctx, graphs)
	end(nil)
	return results, errs
}

// itemErr returns the first failure among the item's graphs, or nil.
func itemErr(it *entityItem, errs map[string]error) error {
	for _, g := range it.graphs {
		if err := errs[g.GraphID]; err != nil {
			return err
		}
	}
	return nil
}

// settleItems settles each item after its graphs were sent: written when
// all its graphs succeeded, failed with the first failure otherwise.
func (w *Worker) settleItems(ctx context.Context, items []*entityItem, results map[string]salesforce.GraphResult, errs map[string]error) {
	for _, it := range items {
		if err := itemErr(it, errs); err != nil {
			w.failJobs(ctx, it.jobs, it.res, err)
			continue
		}
		r := it.res
		r.Outcome = OutcomeSynced
		for _, g := range it.graphs {
			r.Records = append(r.Records, nodeIDs(g, results[g.GraphID])...)
		}
		if it.versionKey != "" {
			w.markDone(it.versionKey, it.jobs)
		}
		w.completeJobs(it.jobs, r)
	}
}

// sendGraphs sends graphs in as few Composite Graph calls as the limits
// allow (one for up to 75 graphs and 500 nodes) and returns, by graphId,
// the result of each graph that was applied and the error of each that was
// not. Graphs that Salesforce halted without blame (more than 14 other
// graphs of their call failed) are sent again at once, up to maxHalts times.
func (w *Worker) sendGraphs(ctx context.Context, graphs []salesforce.Graph) (map[string]salesforce.GraphResult, map[string]error) {
	results := map[string]salesforce.GraphResult{}
	errs := map[string]error{}
	failAll := func(gs []salesforce.Graph, err error) {
		for _, g := range gs {
			errs[g.GraphID] = err
		}
	}
	for round := 0; len(graphs) > 0; round++ {
		graphs = w.sendGraphsOnce(ctx, graphs, results, errs, failAll)
		if round == maxHalts {
			break
		}
	}
	return results, errs
}

// sendGraphsOnce sends graphs in as few calls as the limits allow, records
// each graph's result or error, and returns the graphs Salesforce halted
// without blaming any of their nodes (after too many other graphs of a call
// failed), to be sent again.
func (w *Worker) sendGraphsOnce(ctx context.Context, graphs []salesforce.Graph,
	results map[string]salesforce.GraphResult, errs map[string]error, failAll func([]salesforce.Graph, error)) (halted []salesforce.Graph) {
	reqs, err := salesforce.SplitGraphs(graphs)
	if err != nil {
		failAll(graphs, fmt.Errorf("split graphs: %w", err))
		return nil
	}
	for _, req := range reqs {
		if ctx.Err() != nil {
			failAll(req.Graphs, ctx.Err())
			continue
		}
		w.stats.graphCalls.Add(1)
		w.stats.graphEntities.Add(int64(len(req.Graphs)))
		start := time.Now()
		resp, err := w.cfg.Graphs.CompositeGraph(ctx, req)
		w.log.Debug("composite graph call", "graphs", len(req.Graphs), "nodes", req.Nodes(),
			"duration", time.Since(start), "err", err)
		if err != nil {
			failAll(req.Graphs, fmt.Errorf("composite graph: %w", err))
			continue
		}
		for _, g := range req.Graphs {
			gr, ok := graphResult(resp, g.GraphID)
			switch {
			case !ok:
				errs[g.GraphID] = fmt.Errorf("composite graph: no result for graph %s", g.GraphID)
			case gr.Err() != nil:
				errs[g.GraphID] = gr.Err()
				if haltedGraph(gr.Err()) {
					halted = append(halted, g)
				}
			default:
				delete(errs, g.GraphID)
				results[g.GraphID] = gr
			}
		}
	}
	return halted
}

// nodeIDs lists the records a graph upserted by external ID, with the ids
// Salesforce returned.
func nodeIDs(g salesforce.Graph, gr salesforce.GraphResult) []RecordID {
	var ids []RecordID
	for _, s := range g.CompositeRequest {
		rec, ok := upsertTarget(s.URL)
		if !ok {
			continue
		}
		if sub, ok := gr.Result(s.ReferenceID); ok {
			rec.ID = sub.ID()
		}
		ids = append(ids, rec)
	}
	return ids
}

// upsertTarget reads the object, field and value of an upsert node's URL
// ("sobjects/Account/Key__c/ada%40x"); ok is false for any other node.
func upsertTarget(path string) (RecordID, bool) {
	parts := strings.Split(path, "/")
	if len(parts) != 4 || parts[0] != "sobjects" {
		return RecordID{}, false
	}
	value, err := url.PathUnescape(parts[3])
	if err != nil {
		return RecordID{}, false
	}
	return RecordID{SObject: parts[1], ExternalIDField: parts[2], ExternalID: value}, true
}

// entityVersionKey is the reconcile key of an entity's version: the kind,
// the id and its date_modified in Unix seconds.
func entityVersionKey(kind Kind, id int64, modified time.Time) string {
	return string(kind) + ":" + strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(modified.Unix(), 10)
}

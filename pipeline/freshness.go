package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/mapper"
)

// The skip codes of the order guard, beside SkipAlreadyDone and the
// mapper's.
const (
	// SkipCoalesced: a sync of the order that was claimed after this task's
	// event was received has finished, so it read the event's change; the
	// task is acknowledged without reading the order.
	SkipCoalesced = "coalesced"
	// SkipStale: BigCommerce returned the order with a date_modified older
	// than the version already written to Salesforce; nothing is written.
	SkipStale = "stale"
	// SkipUnchanged: the order maps to exactly the records already written
	// for its date_modified; nothing is written.
	SkipUnchanged = "unchanged"
)

// syncKey is the queue key of a webhook event about order id that was
// received at sync generation gen: every event of one generation is one
// message, which a queued sync absorbs.
func syncKey(id int64, gen string) string {
	return "sync:" + strconv.FormatInt(id, 10) + ":" + gen
}

// syncKeyPrefix is the key of t's webhook message up to its generation:
// "sync:<order id>:" for an order (syncKey), "sync:<kind>:<id>:" for a
// customer or a product.
func syncKeyPrefix(t Task) string {
	if t.EntityKind() == KindOrder {
		return syncKey(t.OrderID, "")
	}
	return "sync:" + t.resource() + ":"
}

// SyncGeneration returns the sync generation t was tagged with when it was
// delivered under the message key key: t.Generation when the body holds
// it, else, for a task with GenerationInKey, the generation that ends key
// ("sync:<order id>:<generation>", "sync:<kind>:<id>:<generation>"), and
// "" (untagged: no finished sync covers it) for a key of any other shape.
// The Worker passes it to idempotency.Store.StartSync; a consumer of its
// own does the same.
func (t Task) SyncGeneration(key string) string {
	if t.Generation != "" || !t.GenerationInKey {
		return t.Generation
	}
	gen, ok := strings.CutPrefix(key, syncKeyPrefix(t))
	if !ok || len(gen) > maxTextBytes {
		return ""
	}
	return gen
}

// orderVersion is what the Worker records in the Store once it wrote an
// order: its date_modified and a digest of the records written. A version
// without a digest ("v1:<nanos>:") means the records may not all have been
// written (an activated Order's items were left out), so no later sync
// counts as unchanged against it.
type orderVersion struct {
	modified time.Time
	digest   string
	// entries, for a product, are the PricebookEntry ids its sync wrote
	// (see encodeEntries), so that the next sync needs no query to find
	// them; "" for orders and customers, and when not known.
	entries string
}

// entriesSep starts a version's entries.
const entriesSep = "|"

const versionPrefix = "v1:"

// versionOf returns the version of a mapped order.
func versionOf(o *bigcommerce.Order, res *mapper.Result) orderVersion {
	b, err := json.Marshal(res.Records)
	if err != nil {
		// Records hold strings, json.Number and string maps only.
		return orderVersion{modified: o.DateModified}
	}
	sum := sha256.Sum256(b)
	return orderVersion{modified: o.DateModified, digest: hex.EncodeToString(sum[:16])}
}

func (v orderVersion) String() string {
	s := versionPrefix + strconv.FormatInt(v.modified.UnixNano(), 10) + ":" + v.digest
	if v.entries != "" {
		s += entriesSep + v.entries
	}
	return s
}

// parseVersion reads a recorded version; ok is false for "" or anything
// this Worker did not write.
func parseVersion(s string) (v orderVersion, ok bool) {
	rest, found := strings.CutPrefix(s, versionPrefix)
	if !found {
		return orderVersion{}, false
	}
	nanos, digest, found := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !found || err != nil {
		return orderVersion{}, false
	}
	digest, entries, _ := strings.Cut(digest, entriesSep)
	return orderVersion{modified: time.Unix(0, n), digest: digest, entries: entries}, true
}

// freshness compares a fetched order with the version recorded as written:
// "" to write it, or SkipStale or SkipUnchanged.
func freshness(recorded string, fetched orderVersion, force bool) string {
	w, ok := parseVersion(recorded)
	switch {
	case !ok:
		return ""
	case fetched.modified.Before(w.modified):
		return SkipStale
	case !force && fetched.modified.Equal(w.modified) && w.digest != "" && fetched.digest == w.digest:
		return SkipUnchanged
	}
	return ""
}

// startSync claims the job's order in the Store before it is read. It
// returns true when the job holds the claim; otherwise it has settled the
// job: acknowledged (a finished sync covers it), retried (another sync
// holds the order) or failed (the Store failed).
func (w *Worker) startSync(ctx context.Context, j *job) bool {
	c, err := w.cfg.Store.StartSync(ctx, j.task.resource(), j.task.Generation, w.cfg.Lease)
	if err != nil {
		w.fail(ctx, j, Result{}, fmt.Errorf("claim %s: %w", j.task.syncKind(), err))
		return false
	}
	switch c.Status {
	case idempotency.Claimed:
		j.syncToken, j.written = c.Token, c.Version
		return true
	case idempotency.Done:
		w.complete(j, Result{Outcome: OutcomeSkipped, SkipCode: SkipCoalesced,
			Reason: SkipCoalesced + ": a sync that started after this event has finished"})
	default:
		w.retryHeld(j, j.task.syncKind()+" is being synced by another task")
	}
	return false
}

// retryHeld retries a job whose key or order another task holds, after
// InFlightDelay, and notes the attempt as spent waiting.
func (w *Worker) retryHeld(j *job, reason string) {
	w.waits.add(j.d.ID)
	w.retry(j, Result{Cause: CauseClaimed}, w.cfg.InFlightDelay, reason)
}

// waitLog counts, per message ID, the retries a Worker made because the
// message's key or order was held: those attempts were no failure. It
// forgets a message once it is settled for good, and everything when it
// grows past maxWaitLog entries (messages another process settled).
type waitLog struct {
	mu sync.Mutex
	n  map[string]int
}

const maxWaitLog = 10000

func (l *waitLog) add(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == nil || len(l.n) >= maxWaitLog {
		l.n = map[string]int{}
	}
	l.n[id]++
}

func (l *waitLog) count(id string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[id]
}

func (l *waitLog) forget(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.n, id)
}

// finishSync ends the job's claim on its order: the version written (or,
// for a skip, none) is recorded and the events received before the claim
// count as synced. When the claim was lost meanwhile and the job wrote the
// order, another worker may have written a newer state that this write then
// overwrote, so one more sync is enqueued, forced to write.
func (w *Worker) finishSync(ctx context.Context, j *job, r Result) {
	if j.syncToken == "" {
		return
	}
	version := ""
	if r.Outcome == OutcomeSynced {
		version = j.version.String()
		if hasWarning(r.Warnings, WarnItemsLocked) {
			version = orderVersion{modified: j.version.modified}.String()
		}
	}
	err := w.cfg.Store.FinishSync(ctx, j.task.resource(), j.syncToken, version)
	token := j.syncToken
	j.syncToken = ""
	switch {
	case err == nil:
	case errors.Is(err, idempotency.ErrLeaseLost) && r.Outcome == OutcomeSynced:
		j.log.Warn("lost the claim on the order while writing it; syncing it once more", "err", err)
		w.enqueueRepair(ctx, j, token)
	default:
		j.log.Warn("store: could not finish the order's sync; a later event syncs it again", "err", err)
	}
}

// abortSync frees the job's order after a failure, covering nothing.
func (w *Worker) abortSync(ctx context.Context, j *job) {
	if j.syncToken == "" {
		return
	}
	err := w.cfg.Store.AbortSync(ctx, j.task.resource(), j.syncToken)
	if err != nil && !errors.Is(err, idempotency.ErrLeaseLost) {
		j.log.Warn("store: could not free the order; the claim ends with its lease", "err", err)
	}
	j.syncToken = ""
}

// enqueueRepair puts a forced, untagged sync of the job's order on the
// queue, keyed by the lost claim so that it is enqueued once.
func (w *Worker) enqueueRepair(ctx context.Context, j *job, lostToken string) {
	body, err := EncodeTask(Task{Kind: j.task.Kind, OrderID: j.task.OrderID, CustomerID: j.task.CustomerID,
		ProductID: j.task.ProductID, Source: j.task.Source, Force: true, ReceivedAt: time.Now().UTC()})
	if err == nil {
		_, err = w.cfg.Queue.Enqueue(ctx, idempotency.Message{Key: repairKey(j.task, lostToken), Body: body})
	}
	if err != nil {
		j.log.Error("could not enqueue the repairing sync; the next event or reconcile syncs the order", "err", err)
	}
}

func hasWarning(ws []mapper.Warning, code mapper.WarningCode) bool {
	for _, w := range ws {
		if w.Code == code {
			return true
		}
	}
	return false
}

package e2e

import (
	"slices"
	"sync"
	"time"

	"github.com/bc2sf/bc2sf/pipeline"
)

// recorder collects what the workers report through OnResult, and when each
// order's first webhook was sent, to measure webhook-to-record latency.
type recorder struct {
	mu      sync.Mutex
	sentAt  map[int64]time.Time
	final   map[int64]pipeline.Result // last final outcome per order
	counts  map[pipeline.Outcome]int
	latency []time.Duration // first sync of each order, from its first webhook
	synced  map[int64]bool
}

func newRecorder() *recorder {
	return &recorder{
		sentAt: map[int64]time.Time{},
		final:  map[int64]pipeline.Result{},
		counts: map[pipeline.Outcome]int{},
		synced: map[int64]bool{},
	}
}

// delivered notes that the first webhook of order id is about to be sent.
func (r *recorder) delivered(id int64) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.sentAt[id]; !ok {
		r.sentAt[id] = now
	}
}

// record is the workers' OnResult hook.
func (r *recorder) record(res pipeline.Result) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[res.Outcome]++
	if res.Outcome == pipeline.OutcomeRetried {
		return
	}
	// A skip of a task already done must not hide the sync before it.
	if prev, ok := r.final[res.OrderID]; !ok || res.Outcome != pipeline.OutcomeSkipped || prev.Outcome == pipeline.OutcomeSkipped {
		r.final[res.OrderID] = res
	}
	if res.Outcome == pipeline.OutcomeSynced && !r.synced[res.OrderID] {
		r.synced[res.OrderID] = true
		if at, ok := r.sentAt[res.OrderID]; ok {
			r.latency = append(r.latency, now.Sub(at))
		}
	}
}

// unsettled returns the ids without a final outcome (synced, skipped or
// dead).
func (r *recorder) unsettled(ids []int64) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	for _, id := range ids {
		if _, ok := r.final[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// result returns the final outcome of order id.
func (r *recorder) result(id int64) (pipeline.Result, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res, ok := r.final[id]
	return res, ok
}

// count returns how many results had outcome o.
func (r *recorder) count(o pipeline.Outcome) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[o]
}

// percentiles returns the p50 and p99 of the recorded latencies, and how
// many there are.
func (r *recorder) percentiles() (p50, p99 time.Duration, n int) {
	r.mu.Lock()
	l := slices.Clone(r.latency)
	r.mu.Unlock()
	if len(l) == 0 {
		return 0, 0, 0
	}
	slices.Sort(l)
	at := func(p float64) time.Duration { return l[min(len(l)-1, int(p*float64(len(l))))] }
	return at(0.50), at(0.99), len(l)
}

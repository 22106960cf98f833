package pipeline

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

func TestPlanRuns(t *testing.T) {
	seq := func(from, n int64) []int64 {
		var out []int64
		for i := range n {
			out = append(out, from+i)
		}
		return out
	}
	tests := []struct {
		name string
		ids  []int64
		want [][]int64 // first and last id of each run
	}{
		{"one", []int64{7}, [][]int64{{7, 7}}},
		{"dense", seq(100, 10), [][]int64{{100, 109}}},
		{"a page at most", seq(1, 600), [][]int64{{1, 250}, {251, 500}, {501, 600}}},
		{"one id in 16 is enough", []int64{1, 17, 33, 48}, [][]int64{{1, 48}}},
		{"sparser ids go alone", []int64{1, 100, 300}, [][]int64{{1, 1}, {100, 100}, {300, 300}}},
		{"scattered ids go alone", []int64{5, 900, 40000}, [][]int64{{5, 5}, {900, 900}, {40000, 40000}}},
		{"a straggler joins the run above it", append([]int64{1}, seq(40, 30)...), [][]int64{{1, 69}}},
		{"a lone id before a run", append([]int64{1}, seq(300, 10)...), [][]int64{{1, 1}, {300, 309}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]int64
			for _, r := range planRuns(tt.ids, 250) {
				got = append(got, []int64{r.ids[0], r.ids[len(r.ids)-1]})
				if r.page() != (len(r.ids) > 1) {
					t.Errorf("run %v: page() = %v", r.ids, r.page())
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("runs %v, want %v", got, tt.want)
			}
		})
	}
}

func testJob(id int64) *job { return &job{task: Task{OrderID: id, Source: SourceWebhook}} }

func addJobs(f *fetcher, at time.Time, ids ...int64) {
	for _, id := range ids {
		f.add(testJob(id), at)
	}
}

func TestFetcherReadsAQuietOrderAlone(t *testing.T) {
	f := newFetcher(250, 4, time.Second)
	addJobs(f, batchT0, 42)
	plan, jobs, _, ok := f.next(batchT0, false)
	if !ok || !slices.Equal(plan.ids, []int64{42}) || plan.page() || len(jobs[42]) != 1 {
		t.Fatalf("next = %v, %v, %v; want order 42 read alone", plan.ids, jobs, ok)
	}
}

func TestFetcherReadsPendingOrdersInOnePage(t *testing.T) {
	f := newFetcher(250, 4, time.Second)
	addJobs(f, batchT0, 10, 11, 12, 14, 11) // two deliveries of order 11
	plan, jobs, _, ok := f.next(batchT0, false)
	if !ok || !plan.page() || !slices.Equal(plan.ids, []int64{10, 11, 12, 14}) || len(jobs[11]) != 2 {
		t.Fatalf("next = %v (%d jobs of 11), %v; want one page of 10-14 serving both deliveries of 11", plan.ids, len(jobs[11]), ok)
	}
	if len(f.pending) != 0 || f.inFlight != 1 {
		t.Errorf("pending %d, in flight %d; want 0 and 1", len(f.pending), f.inFlight)
	}
}

func TestFetcherLetsTheNewestRunGrowWhileAFetchIsInFlight(t *testing.T) {
	f := newFetcher(250, 4, time.Second)
	addJobs(f, batchT0, 1)
	if _, _, _, ok := f.next(batchT0, false); !ok {
		t.Fatal("the first order was not fetched at once")
	}
	addJobs(f, batchT0, 2, 3)
	if plan, _, wake, ok := f.next(batchT0, false); ok || !wake.Equal(batchT0.Add(time.Second)) {
		t.Fatalf("fetched %v (wake %v) while a fetch is in flight; want 2-3 to wait for more", plan.ids, wake)
	}
	// An old order far below is not in the newest run: it goes at once.
	addJobs(f, batchT0, 500, 501, 502)
	addJobs(f, batchT0, 900)
	plan, _, _, ok := f.next(batchT0, false)
	if !ok || !slices.Equal(plan.ids, []int64{2, 3}) {
		t.Fatalf("next = %v, %v; want the closed run 2-3", plan.ids, ok)
	}
	plan, _, _, ok = f.next(batchT0, false)
	if !ok || !slices.Equal(plan.ids, []int64{500, 501, 502}) {
		t.Fatalf("next = %v, %v; want the closed run 500-502", plan.ids, ok)
	}
	if plan, _, _, ok := f.next(batchT0, false); ok {
		t.Fatalf("next = %v; want the newest run (900) to wait", plan.ids)
	}
	// It waits at most maxWait, or until no fetch is in flight.
	if plan, _, _, ok := f.next(batchT0.Add(time.Second), false); !ok || !slices.Equal(plan.ids, []int64{900}) {
		t.Fatalf("after maxWait next = %v, %v; want 900", plan.ids, ok)
	}
}

func TestFetcherSendsAFullPageAtOnce(t *testing.T) {
	f := newFetcher(250, 4, time.Second)
	addJobs(f, batchT0, 1)
	f.next(batchT0, false)
	for id := int64(1000); id < 1250; id++ {
		addJobs(f, batchT0, id)
	}
	plan, _, _, ok := f.next(batchT0, false)
	if !ok || len(plan.ids) != 250 {
		t.Fatalf("next = %d ids, %v; want the full page of 250 at once", len(plan.ids), ok)
	}
}

func TestFetcherRespectsItsCallsInFlight(t *testing.T) {
	f := newFetcher(250, 2, time.Second)
	addJobs(f, batchT0, 1, 100, 200, 300)
	n := 0
	for {
		if _, _, _, ok := f.next(batchT0, true); !ok {
			break
		}
		n++
	}
	if n != 2 || len(f.pending) != 2 {
		t.Fatalf("%d fetches started, %d orders pending; want 2 and 2", n, len(f.pending))
	}
}

func TestFetcherPutsBackAFetchThatDidNotHappen(t *testing.T) {
	f := newFetcher(250, 4, time.Second)
	addJobs(f, batchT0, 5, 6)
	_, jobs, _, _ := f.next(batchT0, false)
	f.inFlight--
	f.putBack(jobs, batchT0)
	plan, _, _, ok := f.next(batchT0, false)
	if !ok || !slices.Equal(plan.ids, []int64{5, 6}) {
		t.Fatalf("after put back next = %v, %v; want 5-6 again", plan.ids, ok)
	}
}

func TestFetcherWithoutPagesReadsOneByOne(t *testing.T) {
	f := newFetcher(1, 4, time.Second)
	addJobs(f, batchT0, 1, 2, 3)
	var got [][]int64
	for {
		plan, _, _, ok := f.next(batchT0, true)
		if !ok {
			break
		}
		got = append(got, plan.ids)
	}
	if fmt.Sprint(got) != "[[1] [2] [3]]" {
		t.Fatalf("fetches %v, want each order alone", got)
	}
}

func TestFetcherWaitsForTheDeliveriesBehindABacklog(t *testing.T) {
	f := newFetcher(250, 4, time.Second)
	old := testJob(1)
	old.d = &idempotency.Delivery{EnqueuedAt: batchT0.Add(-time.Minute)}
	f.add(old, batchT0)
	// The delivery waited a minute in the queue: the next are likely right
	// behind it.
	if plan, _, wake, ok := f.next(batchT0, false); ok || !wake.Equal(batchT0.Add(backlogGrace)) {
		t.Fatalf("next = %v (wake %v); want to wait %v for the backlog", plan.ids, wake, backlogGrace)
	}
	addJobs(f, batchT0.Add(time.Millisecond), 2, 3)
	if _, _, _, ok := f.next(batchT0.Add(time.Millisecond), false); ok {
		t.Fatal("fetched while deliveries were still arriving behind the backlog's")
	}
	plan, _, _, ok := f.next(batchT0.Add(backlogGrace), false)
	if !ok || !slices.Equal(plan.ids, []int64{1, 2, 3}) {
		t.Fatalf("after the grace next = %v, %v; want one page of 1-3", plan.ids, ok)
	}
	// A fresh delivery is read at once.
	fresh := testJob(9)
	fresh.d = &idempotency.Delivery{EnqueuedAt: batchT0.Add(time.Second - time.Millisecond)}
	f.inFlight = 0
	f.add(fresh, batchT0.Add(time.Second))
	if plan, _, _, ok := f.next(batchT0.Add(time.Second), false); !ok || !slices.Equal(plan.ids, []int64{9}) {
		t.Fatalf("next = %v, %v; want the fresh order at once", plan.ids, ok)
	}
}

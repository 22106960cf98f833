package pipeline

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/mapper"
)

var batchT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testItem is a mapped order with records nodes records; its first record
// is the Account of customer, the others its own.
func testItem(id int64, customer string, nodes int) *item {
	recs := []mapper.Record{{Ref: "account", SObject: "Account", ExternalID: customer}}
	for i := 1; i < nodes; i++ {
		recs = append(recs, mapper.Record{Ref: fmt.Sprintf("r%d", i), SObject: "Opportunity", ExternalID: fmt.Sprintf("%d-%d", id, i)})
	}
	return &item{
		order:  &bigcommerce.Order{ID: id, DateModified: batchT0},
		result: mapper.Result{OrderID: id, Records: recs},
		jobs:   []*job{{}},
	}
}

func ids(b *batch) []int64 {
	if b == nil {
		return nil
	}
	return b.order
}

func addN(b *batcher, from, n int64, nodes int, at time.Time) {
	for id := from; id < from+n; id++ {
		b.add(testItem(id, fmt.Sprintf("c%d", id), nodes), at)
	}
}

func TestBatcherSendsAnOrderAtOnceWhenIdle(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	if out, wake := b.next(batchT0, 0, false); out != nil || !wake.IsZero() {
		t.Fatalf("empty batcher sent %v (wake %v)", ids(out), wake)
	}
	addN(b, 1, 1, 3, batchT0)
	out, _ := b.next(batchT0, 0, false)
	if !slices.Equal(ids(out), []int64{1}) {
		t.Fatalf("idle batcher with one order sent %v, want [1] at once", ids(out))
	}
	if b.inFlight != 1 || len(b.waiting) != 0 {
		t.Errorf("in flight %d, waiting %d; want 1 and 0", b.inFlight, len(b.waiting))
	}
}

func TestBatcherWaitsForOrdersBeingFetched(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	addN(b, 1, 2, 3, batchT0)
	// Two more deliveries are being fetched: they could join this call.
	out, wake := b.next(batchT0, 2, false)
	if out != nil || !wake.Equal(batchT0.Add(time.Second)) {
		t.Fatalf("sent %v (wake %v); want to wait for the fetches, at most until %v", ids(out), wake, batchT0.Add(time.Second))
	}
	addN(b, 3, 2, 3, batchT0.Add(time.Millisecond))
	out, _ = b.next(batchT0.Add(time.Millisecond), 0, false)
	if !slices.Equal(ids(out), []int64{1, 2, 3, 4}) {
		t.Fatalf("after the fetches sent %v, want [1 2 3 4]", ids(out))
	}
}

func TestBatcherBoundsTheWaitForFetches(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	addN(b, 1, 1, 3, batchT0)
	if out, _ := b.next(batchT0.Add(999*time.Millisecond), 5, false); out != nil {
		t.Fatalf("sent %v before MaxBatchWait", ids(out))
	}
	if out, _ := b.next(batchT0.Add(time.Second), 5, false); !slices.Equal(ids(out), []int64{1}) {
		t.Fatalf("after MaxBatchWait sent %v, want [1]", ids(out))
	}
}

func TestBatcherAccumulatesWhileACallIsInFlight(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	addN(b, 1, 1, 3, batchT0)
	first, _ := b.next(batchT0, 0, false)
	if first == nil {
		t.Fatal("the first order was not sent")
	}
	addN(b, 2, 10, 3, batchT0)
	if out, wake := b.next(batchT0, 0, false); out != nil || !wake.Equal(batchT0.Add(time.Second)) {
		t.Fatalf("sent %v (wake %v) while a call is in flight; want the orders to wait", ids(out), wake)
	}
	b.done(callDone{b: first}, batchT0)
	out, _ := b.next(batchT0, 0, false)
	if want := []int64{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}; !slices.Equal(ids(out), want) {
		t.Fatalf("when the call returned sent %v, want %v", ids(out), want)
	}
	// The return was spent on that call: the next order waits again.
	addN(b, 12, 1, 3, batchT0)
	if out, _ := b.next(batchT0, 0, false); out != nil {
		t.Fatalf("sent %v with a call in flight and no return since", ids(out))
	}
}

func TestBatcherSendsFullCallsWhileOthersAreInFlight(t *testing.T) {
	b := newBatcher(75, 3, time.Second)
	addN(b, 1, 1, 3, batchT0)
	b.next(batchT0, 0, false)
	addN(b, 2, 160, 3, batchT0)
	var sizes []int
	for {
		out, _ := b.next(batchT0, 0, false)
		if out == nil {
			break
		}
		sizes = append(sizes, out.len())
	}
	// Two full calls join the first; the 10 left wait for a return, and
	// then MaxInFlight (3) is reached anyway.
	if !slices.Equal(sizes, []int{75, 75}) || b.inFlight != 3 || len(b.waiting) != 10 {
		t.Fatalf("sent calls of %v, %d in flight, %d waiting; want [75 75], 3 and 10", sizes, b.inFlight, len(b.waiting))
	}
}

func TestBatcherRespectsMaxInFlight(t *testing.T) {
	b := newBatcher(75, 2, time.Second)
	addN(b, 1, 300, 3, batchT0)
	n := 0
	for {
		out, _ := b.next(batchT0, 0, false)
		if out == nil {
			break
		}
		n++
	}
	if n != 2 || b.inFlight != 2 {
		t.Fatalf("%d calls sent, %d in flight; want 2 and 2", n, b.inFlight)
	}
}

func TestBatcherKeepsCallsUnder500Nodes(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	addN(b, 1, 60, 10, batchT0)
	out, _ := b.next(batchT0, 5, false)
	if out == nil || out.len() != 50 || out.nodes != 500 {
		t.Fatalf("sent %d orders and %d nodes; want a full call of 50 orders and 500 nodes", out.len(), out.nodes)
	}
}

func TestBatcherHoldsOrdersWhoseRecordsAreInFlight(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	b.add(testItem(1, "ada", 3), batchT0)
	first, _ := b.next(batchT0, 0, false)
	if !slices.Equal(ids(first), []int64{1}) {
		t.Fatalf("sent %v, want [1]", ids(first))
	}
	b.returned = true                     // as if another call had returned: partial calls may go
	b.add(testItem(1, "ada", 3), batchT0) // the same order again
	b.add(testItem(2, "ada", 3), batchT0) // the same customer
	b.add(testItem(3, "bob", 3), batchT0)
	out, _ := b.next(batchT0, 0, false)
	if !slices.Equal(ids(out), []int64{3}) {
		t.Fatalf("sent %v while order 1 (customer ada) is in flight, want only [3]", ids(out))
	}
	b.done(callDone{b: first}, batchT0)
	out, _ = b.next(batchT0, 0, false)
	if !slices.Equal(ids(out), []int64{1, 2}) {
		t.Fatalf("after the call of ada returned sent %v, want [1 2]", ids(out))
	}
}

func TestBatcherWritesTwoTasksOfAnOrderOnce(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	old := testItem(7, "ada", 3)
	newer := testItem(7, "ada", 4)
	newer.order.DateModified = batchT0.Add(time.Minute)
	b.add(old, batchT0)
	b.add(newer, batchT0.Add(time.Second))
	out, _ := b.next(batchT0.Add(time.Second), 0, false)
	if out.len() != 1 {
		t.Fatalf("sent %v, want order 7 once", ids(out))
	}
	it := out.items[7]
	if len(it.jobs) != 2 || len(it.result.Records) != 4 || !it.since.Equal(batchT0) {
		t.Errorf("item has %d jobs, %d records, since %v; want 2 jobs, the newer copy's 4 records, the first arrival",
			len(it.jobs), len(it.result.Records), it.since)
	}
}

func TestBatcherDrainSendsWithoutWaiting(t *testing.T) {
	b := newBatcher(75, 4, time.Second)
	addN(b, 1, 1, 3, batchT0)
	b.next(batchT0, 0, false)
	addN(b, 2, 3, 3, batchT0)
	if out, _ := b.next(batchT0, 9, true); !slices.Equal(ids(out), []int64{2, 3, 4}) {
		t.Fatalf("draining sent %v, want [2 3 4]", ids(out))
	}
}

// TestBatcherBurstFillsEveryCall replays a burst as the Worker sees it:
// orders arrive while others are still being fetched, and calls return in
// between. Every call but the last is full.
func TestBatcherBurstFillsEveryCall(t *testing.T) {
	const total = 2000
	b := newBatcher(75, 4, time.Second)
	var inFlight []*batch
	var sizes []int
	now := batchT0
	arrived := int64(0)
	for arrived < total || len(b.waiting) > 0 || len(inFlight) > 0 {
		// Four orders arrive, then the oldest call returns.
		for range 4 {
			if arrived < total {
				arrived++
				b.add(testItem(arrived, fmt.Sprintf("c%d", arrived), 3), now)
			}
		}
		for {
			out, _ := b.next(now, int(total-arrived), false)
			if out == nil {
				break
			}
			sizes = append(sizes, out.len())
			inFlight = append(inFlight, out)
		}
		if len(inFlight) > 0 && arrived%20 == 0 || arrived == total {
			if len(inFlight) > 0 {
				b.done(callDone{b: inFlight[0]}, now)
				inFlight = inFlight[1:]
			}
		}
		now = now.Add(time.Millisecond)
	}
	want := (total + 74) / 75
	if len(sizes) != want {
		t.Fatalf("%d calls (%v), want %d", len(sizes), sizes, want)
	}
	for i, n := range sizes[:len(sizes)-1] {
		if n != 75 {
			t.Fatalf("call %d carried %d orders, want 75 (sizes %v)", i, n, sizes)
		}
	}
}

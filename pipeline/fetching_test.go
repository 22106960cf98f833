package pipeline_test

import (
	"context"
	"iter"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bc2sf/bc2sf/bigcommerce"
	"github.com/bc2sf/bc2sf/pipeline"
)

// slowOrders is memOrders whose calls take a millisecond of the bubble's
// clock, so that the Worker's other goroutines run while one is made. It
// records the ids read alone, hides some orders from its pages (as
// BigCommerce hides Incomplete ones), and can fail its first pages.
type slowOrders struct {
	*memOrders
	hidden    map[int64]bool
	failPages int   // pages to answer with pageErr first
	pageErr   error // default a 429 asking for 2 s

	mu   sync.Mutex
	gets []int64
}

func (s *slowOrders) Get(ctx context.Context, id int64) (*bigcommerce.Order, error) {
	time.Sleep(time.Millisecond)
	s.mu.Lock()
	s.gets = append(s.gets, id)
	s.mu.Unlock()
	return s.memOrders.Get(ctx, id)
}

func (s *slowOrders) List(ctx context.Context, opts bigcommerce.ListOrdersOptions) iter.Seq2[bigcommerce.Order, error] {
	return func(yield func(bigcommerce.Order, error) bool) {
		time.Sleep(time.Millisecond)
		s.mu.Lock()
		fail := s.failPages > 0
		s.failPages--
		s.mu.Unlock()
		if fail {
			s.lists.Add(1)
			err := s.pageErr
			if err == nil {
				err = &bigcommerce.APIError{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second}
			}
			yield(bigcommerce.Order{}, err)
			return
		}
		for o, err := range s.memOrders.List(ctx, opts) {
			if err == nil && s.hidden[o.ID] {
				continue
			}
			if !yield(o, err) {
				return
			}
		}
	}
}

func (s *slowOrders) readAlone() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.gets)
}

// runAll queues tasks of orders 1 to n, runs the Worker on src until every
// task is settled, and returns the results.
func runAll(t *testing.T, src *slowOrders, n int) (*pipeline.Worker, []pipeline.Result) {
	t.Helper()
	var got results
	r := newBatchRig(t, func(c *pipeline.WorkerConfig) { c.Orders, c.OnResult = src, got.add })
	close(r.graphs.release) // calls return at once
	r.enqueue(t, n)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.w.Run(ctx) }()
	for len(got.list()) < n {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	r.q.Close()
	return r.w, got.list()
}

func TestWorkerReadsABurstInPages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &slowOrders{memOrders: &memOrders{orders: distinctBuyers(benchOrders(600))}}
		w, res := runAll(t, src, 600)
		st := w.Stats()
		if st.Synced != 600 || st.OrdersRead != 600 {
			t.Fatalf("stats %+v, want 600 synced and read", st)
		}
		// The first order is read alone; the rest, queued behind it, in
		// pages of up to 250. An order dequeued after its neighbours'
		// page left is read alone too.
		if alone := src.readAlone(); len(alone) < 1 || len(alone) > 3 {
			t.Errorf("orders read alone: %v, want the first and at most two stragglers", alone)
		}
		if st.OrderPages < 3 || st.OrderPages > 5 || st.BigCommerceCalls > 7 {
			t.Errorf("%d pages, %d BigCommerce calls; want 3 to 5 pages, at most 7 calls for 600 orders", st.OrderPages, st.BigCommerceCalls)
		}
		for _, r := range res {
			if r.Outcome != pipeline.OutcomeSynced || r.Attempt != 1 {
				t.Fatalf("result %+v, want synced at the first attempt", r)
			}
		}
	})
}

func TestWorkerReadsAloneWhatAPageDidNotReturn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &slowOrders{memOrders: &memOrders{orders: distinctBuyers(benchOrders(20))}, hidden: map[int64]bool{15: true}}
		w, _ := runAll(t, src, 20)
		if st := w.Stats(); st.Synced != 20 || st.OrderPages == 0 {
			t.Fatalf("stats %+v, want 20 synced, some of them read in pages", st)
		}
		if alone := src.readAlone(); !slices.Contains(alone, 15) || len(alone) > 2 {
			t.Errorf("orders read alone %v; want the first one and 15, which the page hid", alone)
		}
	})
}

func TestWorkerWaitsOutARateLimitedPage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &slowOrders{memOrders: &memOrders{orders: distinctBuyers(benchOrders(20))}, failPages: 1}
		start := time.Now()
		w, res := runAll(t, src, 20)
		st := w.Stats()
		if st.Synced != 20 || st.Retried != 0 || st.DeadLettered != 0 {
			t.Fatalf("stats %+v; want 20 synced with no retry through the queue", st)
		}
		for _, r := range res {
			if r.Attempt != 1 {
				t.Errorf("order %d synced at attempt %d: a rate limit on a page is not the order's failure", r.OrderID, r.Attempt)
			}
		}
		if d := time.Since(start); d < 2*time.Second {
			t.Errorf("synced after %v, before the 2 s the rate limit asked for", d)
		}
		// The page that failed is read again, not each of its orders alone.
		if alone := src.readAlone(); len(alone) != 1 {
			t.Errorf("orders read alone %v, want only the first", alone)
		}
	})
}

// TestWorkerReadsAFailingPageAgainThenOrderByOrder: a page that fails with
// a 503 is read again after a short wait, without counting an attempt; one
// that keeps failing has its orders read one by one, so that a failure one
// of them causes is blamed on it alone.
func TestWorkerReadsAFailingPageAgainThenOrderByOrder(t *testing.T) {
	for _, tt := range []struct {
		name      string
		failPages int
		wantAlone bool
	}{
		{"once", 1, false},
		{"always", 1 << 20, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := &slowOrders{memOrders: &memOrders{orders: distinctBuyers(benchOrders(20))}, failPages: tt.failPages,
					pageErr: &bigcommerce.APIError{Status: http.StatusServiceUnavailable}}
				w, res := runAll(t, src, 20)
				if st := w.Stats(); st.Synced != 20 || st.Retried != 0 || st.DeadLettered != 0 {
					t.Fatalf("stats %+v; want 20 synced with no retry through the queue", st)
				}
				for _, r := range res {
					if r.Attempt != 1 {
						t.Errorf("order %d synced at attempt %d, want 1", r.OrderID, r.Attempt)
					}
				}
				alone := src.readAlone()
				if got := len(alone) > 2; got != tt.wantAlone {
					t.Errorf("orders read alone %v; want them read one by one: %v", alone, tt.wantAlone)
				}
			})
		})
	}
}

package idemredis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
)

// fakeRun records the batches a batcher sends and holds each until the test
// releases it, so that the test decides what is in flight.
type fakeRun struct {
	mu      sync.Mutex
	batches [][]int
	release chan error // one per batch: nil answers it, an error fails it
}

func newFakeRun() *fakeRun { return &fakeRun{release: make(chan error)} }

func (f *fakeRun) run(ctx context.Context, reqs []int) ([]string, error) {
	f.mu.Lock()
	f.batches = append(f.batches, slices.Clone(reqs))
	f.mu.Unlock()
	select {
	case err := <-f.release:
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = fmt.Sprint("reply to ", r)
	}
	return out, nil
}

func (f *fakeRun) sent() [][]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches)
}

type outcome struct {
	req int
	res string
	err error
}

// start calls b.do(req) in a goroutine and returns where its outcome arrives.
func start(ctx context.Context, b *batcher[int, string], req int) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		res, err := b.do(ctx, req)
		ch <- outcome{req, res, err}
	}()
	return ch
}

// TestBatcherGroupsWhileInFlight checks the group commit: a lone call goes at
// once, calls made while it is in flight wait and go together when it
// returns, at most max per round trip, each caller getting its own reply.
func TestBatcherGroupsWhileInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakeRun()
		b := newBatcher(3, f.run)
		first := start(t.Context(), b, 0)
		synctest.Wait()
		if got := f.sent(); !slices.EqualFunc(got, [][]int{{0}}, slices.Equal) {
			t.Fatalf("batches %v, want [[0]]: a lone call is sent at once", got)
		}
		var rest []<-chan outcome
		for i := 1; i <= 7; i++ {
			rest = append(rest, start(t.Context(), b, i))
			synctest.Wait() // in arrival order
		}
		if got := f.sent(); len(got) != 1 {
			t.Fatalf("batches %v while the first is in flight, want the first only", got)
		}
		for range 4 { // the lone one, then 3, 3 and 1
			f.release <- nil
			synctest.Wait()
		}
		want := [][]int{{0}, {1, 2, 3}, {4, 5, 6}, {7}}
		if got := f.sent(); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("batches %v, want %v", got, want)
		}
		for _, ch := range append([]<-chan outcome{first}, rest...) {
			o := <-ch
			if o.err != nil || o.res != fmt.Sprint("reply to ", o.req) {
				t.Errorf("call %d got %q, %v; want its own reply", o.req, o.res, o.err)
			}
		}
		if err := b.drain(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestBatcherErrorsFanOut fails one round trip: every caller in it gets the
// error, and no caller of another round trip does.
func TestBatcherErrorsFanOut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakeRun()
		b := newBatcher(2, f.run)
		calls := []<-chan outcome{start(t.Context(), b, 0)}
		synctest.Wait()
		for i := 1; i <= 3; i++ {
			calls = append(calls, start(t.Context(), b, i))
			synctest.Wait()
		}
		down := errors.New("connection refused")
		f.release <- nil // [0]
		synctest.Wait()
		f.release <- down // [1 2]
		synctest.Wait()
		f.release <- nil // [3]
		for _, ch := range calls {
			o := <-ch
			failed := o.req == 1 || o.req == 2
			if failed != errors.Is(o.err, down) || (!failed && o.res != fmt.Sprint("reply to ", o.req)) {
				t.Errorf("call %d got %q, %v; want the error only for calls 1 and 2", o.req, o.res, o.err)
			}
		}
	})
}

// TestBatcherCancelWaiting cancels a call that waits for the round trip in
// flight: it returns the context's error and is never sent, and the calls
// around it are sent once each with their own replies.
func TestBatcherCancelWaiting(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakeRun()
		b := newBatcher(10, f.run)
		first := start(t.Context(), b, 0)
		synctest.Wait()
		before := start(t.Context(), b, 1)
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		quitter := start(ctx, b, 2)
		synctest.Wait()
		after := start(t.Context(), b, 3)
		synctest.Wait()
		cancel()
		if o := <-quitter; !errors.Is(o.err, context.Canceled) {
			t.Fatalf("canceled call got %q, %v; want context.Canceled", o.res, o.err)
		}
		f.release <- nil
		synctest.Wait()
		f.release <- nil
		for _, ch := range []<-chan outcome{first, before, after} {
			if o := <-ch; o.err != nil || o.res != fmt.Sprint("reply to ", o.req) {
				t.Errorf("call %d got %q, %v; want its own reply", o.req, o.res, o.err)
			}
		}
		want := [][]int{{0}, {1, 3}}
		if got := f.sent(); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("batches %v, want %v: the canceled call sent, or another lost or sent twice", got, want)
		}
	})
}

// TestBatcherCancelInFlight cancels a call whose batch is in flight: it
// returns at once, and the batch still answers the others.
func TestBatcherCancelInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakeRun()
		b := newBatcher(10, f.run)
		first := start(t.Context(), b, 0)
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		quitter := start(ctx, b, 1)
		synctest.Wait()
		other := start(t.Context(), b, 2)
		synctest.Wait()
		f.release <- nil // [0]; [1 2] goes out
		synctest.Wait()
		cancel()
		if o := <-quitter; !errors.Is(o.err, context.Canceled) {
			t.Fatalf("canceled call got %q, %v; want context.Canceled", o.res, o.err)
		}
		f.release <- nil // [1 2]
		for _, ch := range []<-chan outcome{first, other} {
			if o := <-ch; o.err != nil || o.res != fmt.Sprint("reply to ", o.req) {
				t.Errorf("call %d got %q, %v; want its own reply", o.req, o.res, o.err)
			}
		}
		if got := f.sent(); len(got) != 2 || !slices.Equal(got[1], []int{1, 2}) {
			t.Fatalf("batches %v, want [[0] [1 2]]", got)
		}
	})
}

// TestBatcherDrain checks that drain returns only once every waiting call
// was sent and answered.
func TestBatcherDrain(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakeRun()
		b := newBatcher(10, f.run)
		if err := b.drain(t.Context()); err != nil {
			t.Fatalf("drain of an idle batcher: %v", err)
		}
		calls := []<-chan outcome{start(t.Context(), b, 0)}
		synctest.Wait()
		calls = append(calls, start(t.Context(), b, 1), start(t.Context(), b, 2))
		synctest.Wait()
		drained := make(chan error, 1)
		go func() { drained <- b.drain(context.Background()) }()
		for range 2 {
			synctest.Wait()
			select {
			case err := <-drained:
				t.Fatalf("drain returned %v with calls still to answer", err)
			default:
			}
			f.release <- nil
		}
		if err := <-drained; err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // let the callers' goroutines pass their outcomes on
		for _, ch := range calls {
			select {
			case o := <-ch:
				if o.err != nil {
					t.Errorf("call %d: %v", o.req, o.err)
				}
			default:
				t.Errorf("drain returned before a call was answered")
			}
		}
	})
}

// TestBatcherOff checks that max 1 sends every call on its own, at once,
// however many are in flight.
func TestBatcherOff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakeRun()
		b := newBatcher(1, f.run)
		var calls []<-chan outcome
		for i := range 3 {
			calls = append(calls, start(t.Context(), b, i))
		}
		synctest.Wait()
		if got := f.sent(); len(got) != 3 {
			t.Fatalf("batches %v, want 3 of one, all in flight", got)
		}
		for range 3 {
			f.release <- nil
		}
		for _, ch := range calls {
			if o := <-ch; o.err != nil {
				t.Errorf("call %d: %v", o.req, o.err)
			}
		}
	})
}

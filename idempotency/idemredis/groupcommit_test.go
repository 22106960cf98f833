package idemredis

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// holdHook can hold the next script call (EVALSHA) the client sends until
// the test releases it, so that the test knows a round trip is in flight,
// and can fail the script call after that.
type holdHook struct {
	mu      sync.Mutex
	hold    chan struct{} // closed by release; nil: hold nothing
	held    chan struct{} // closed once a call is held
	fail    error         // returned by the next script call after the held one
	scripts atomic.Int64
}

// holdNext makes the next script call wait until release is called, and
// returns once it waits.
func (h *holdHook) holdNext(t *testing.T, send func()) (release func()) {
	t.Helper()
	h.mu.Lock()
	h.hold, h.held = make(chan struct{}), make(chan struct{})
	hold, held := h.hold, h.held
	h.mu.Unlock()
	send()
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("no script call was sent")
	}
	return func() { close(hold) }
}

func (h *holdHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *holdHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (h *holdHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() != "evalsha" {
			return next(ctx, cmd)
		}
		h.scripts.Add(1)
		h.mu.Lock()
		hold, held, fail := h.hold, h.held, h.fail
		switch {
		case hold != nil:
			h.hold, h.held = nil, nil
		case fail != nil:
			h.fail = nil
		}
		h.mu.Unlock()
		switch {
		case hold != nil:
			close(held)
			<-hold
		case fail != nil:
			cmd.SetErr(fail)
			return fail
		}
		return next(ctx, cmd)
	}
}

// groupQueue returns a Queue on a private server whose client has a
// holdHook, and the hook.
func groupQueue(t *testing.T, opts ...Option) (*Queue, *holdHook) {
	t.Helper()
	q, h, _ := groupQueueOn(t, redistest.Start(t), opts...)
	return q, h
}

// groupQueueOn is groupQueue on srv; it also returns a client of srv
// without the hook, for looking at the keys.
func groupQueueOn(t *testing.T, srv *redistest.Server, opts ...Option) (*Queue, *holdHook, *redis.Client) {
	t.Helper()
	plain := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = plain.Close() })
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = client.Close() })
	q, err := NewQueue(client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Close() })
	h := &holdHook{}
	client.AddHook(h)
	return q, h, plain
}

// waitPending waits until n calls wait in b for the round trip in flight.
func waitPending[Req, Res any](t *testing.T, b *batcher[Req, Res], n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		b.mu.Lock()
		got := len(b.pending)
		b.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls waiting, want %d", got, n)
		}
	}
}

type enqueueOutcome struct {
	res idempotency.EnqueueResult
	err error
}

// enqueueAsync starts an Enqueue of key and returns where its outcome
// arrives.
func enqueueAsync(q *Queue, key string) <-chan enqueueOutcome {
	return enqueueMsgAsync(q, idempotency.Message{Key: key, Body: []byte(key)})
}

// enqueueMsgAsync starts an Enqueue of msg and returns where its outcome
// arrives.
func enqueueMsgAsync(q *Queue, msg idempotency.Message) <-chan enqueueOutcome {
	ch := make(chan enqueueOutcome, 1)
	go func() {
		r, err := q.Enqueue(context.Background(), msg)
		ch <- enqueueOutcome{r, err}
	}()
	return ch
}

// TestEnqueueGroupOutcomes sends six Enqueues in one script run, behind a
// first one held in flight, and checks that each caller gets the outcome of
// its own message: new, a duplicate of the one in flight, a duplicate of an
// earlier one of the same batch, and full.
func TestEnqueueGroupOutcomes(t *testing.T) {
	t.Parallel()
	q, h := groupQueue(t, WithPrefix("g"), WithOptions(idempotency.WithCapacity(4)))
	var first <-chan enqueueOutcome
	release := h.holdNext(t, func() { first = enqueueAsync(q, "a") })
	keys := []string{"b", "a", "c", "b", "d", "e"}
	var rest []<-chan enqueueOutcome
	for i, k := range keys {
		rest = append(rest, enqueueAsync(q, k))
		waitPending(t, q.enqueues, i+1)
	}
	release()
	a := <-first
	if a.err != nil || a.res.Duplicate {
		t.Fatalf("first Enqueue = %+v, %v", a.res, a.err)
	}
	got := make([]enqueueOutcome, len(rest))
	for i, ch := range rest {
		got[i] = <-ch
	}
	if n := h.scripts.Load(); n != 2 {
		t.Errorf("%d script runs, want 2: the first call, then the six together", n)
	}
	b := got[0]
	switch {
	case b.err != nil || b.res.Duplicate:
		t.Errorf("b = %+v, %v; want queued", b.res, b.err)
	case got[1].err != nil || !got[1].res.Duplicate || got[1].res.ID != a.res.ID:
		t.Errorf("second a = %+v, %v; want a duplicate of %s", got[1].res, got[1].err, a.res.ID)
	case got[2].err != nil || got[2].res.Duplicate:
		t.Errorf("c = %+v, %v; want queued", got[2].res, got[2].err)
	case got[3].err != nil || !got[3].res.Duplicate || got[3].res.ID != b.res.ID:
		t.Errorf("second b = %+v, %v; want a duplicate of %s", got[3].res, got[3].err, b.res.ID)
	case got[4].err != nil || got[4].res.Duplicate:
		t.Errorf("d = %+v, %v; want queued", got[4].res, got[4].err)
	case !errors.Is(got[5].err, idempotency.ErrQueueFull):
		t.Errorf("e = %+v, %v; want ErrQueueFull (a, b, c and d fill the capacity of 4)", got[5].res, got[5].err)
	}
	seen := map[string]bool{a.res.ID: true}
	for _, o := range []enqueueOutcome{b, got[2], got[4]} {
		if seen[o.res.ID] {
			t.Errorf("ID %s given to two messages", o.res.ID)
		}
		seen[o.res.ID] = true
	}
	for _, want := range []string{"a", "b", "c", "d"} {
		d, err := q.Dequeue(context.Background(), time.Minute)
		if err != nil || d.Key != want || string(d.Body) != want {
			t.Fatalf("Dequeue = %+v, %v; want %s, queued once", d, err, want)
		}
	}
}

// TestEnqueueGroupError fails the script run of a group: its callers get
// the error, the call before it and the one after it do not.
func TestEnqueueGroupError(t *testing.T) {
	t.Parallel()
	down := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset")}
	q, h := groupQueue(t, WithPrefix("g"))
	var first <-chan enqueueOutcome
	release := h.holdNext(t, func() { first = enqueueAsync(q, "first") })
	h.mu.Lock()
	h.fail = down
	h.mu.Unlock()
	var group []<-chan enqueueOutcome
	for i := range 3 {
		group = append(group, enqueueAsync(q, "group-"+strconv.Itoa(i)))
		waitPending(t, q.enqueues, i+1)
	}
	release()
	if o := <-first; o.err != nil {
		t.Fatalf("first: %v", o.err)
	}
	for i, ch := range group {
		if o := <-ch; !errors.Is(o.err, down) {
			t.Errorf("group call %d = %+v, %v; want the connection error", i, o.res, o.err)
		}
	}
	if o := <-enqueueAsync(q, "after"); o.err != nil || o.res.Duplicate {
		t.Fatalf("Enqueue after the failed group = %+v, %v", o.res, o.err)
	}
	st, err := q.Stats(context.Background())
	if err != nil || st.Ready != 2 {
		t.Fatalf("Stats = %+v, %v; want first and after, nothing of the failed group", st, err)
	}
}

// TestDequeueAndAckGroups has three Dequeues share one script run behind a
// held one: each gets a different message, in priority order by arrival.
// Then three Acks share one, one of them for a delivery already settled:
// only its caller gets ErrLeaseLost.
func TestDequeueAndAckGroups(t *testing.T) {
	t.Parallel()
	q, h := groupQueue(t, WithPrefix("g"))
	ctx := context.Background()
	for _, m := range []idempotency.Message{
		{Key: "h1"}, {Key: "l1", Priority: idempotency.PriorityLow}, {Key: "h2"}, {Key: "l2", Priority: idempotency.PriorityLow},
	} {
		if _, err := q.enqueueBatch(ctx, []enqueueReq{{msg: m}}); err != nil {
			t.Fatal(err)
		}
	}
	scripts := h.scripts.Load()
	type delivered struct {
		d   *idempotency.Delivery
		err error
	}
	dequeue := func() <-chan delivered {
		ch := make(chan delivered, 1)
		go func() {
			d, err := q.Dequeue(ctx, time.Minute)
			ch <- delivered{d, err}
		}()
		return ch
	}
	var first <-chan delivered
	release := h.holdNext(t, func() { first = dequeue() })
	var rest []<-chan delivered
	for i := range 3 {
		rest = append(rest, dequeue())
		waitPending(t, q.dequeues, i+1)
	}
	release()
	var ds []*idempotency.Delivery
	for i, ch := range append([]<-chan delivered{first}, rest...) {
		r := <-ch
		if want := []string{"h1", "h2", "l1", "l2"}[i]; r.err != nil || r.d.Key != want {
			t.Fatalf("Dequeue %d = %+v, %v; want %s", i, r.d, r.err, want)
		}
		ds = append(ds, r.d)
	}
	if n := h.scripts.Load() - scripts; n != 2 {
		t.Errorf("%d dequeue script runs, want 2", n)
	}

	if err := q.Ack(ctx, ds[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	release = h.holdNext(t, func() { wg.Go(func() { errs[0] = q.Ack(ctx, ds[1]) }) })
	wg.Go(func() { errs[1] = q.Ack(ctx, ds[0]) }) // settled already
	waitPending(t, q.acks, 1)
	wg.Go(func() { errs[2] = q.Ack(ctx, ds[2]) })
	waitPending(t, q.acks, 2)
	release()
	wg.Wait()
	if errs[0] != nil || !errors.Is(errs[1], idempotency.ErrLeaseLost) || errs[2] != nil {
		t.Fatalf("Acks = %v; want nil, ErrLeaseLost, nil", errs)
	}
	if st, err := q.Stats(ctx); err != nil || st.InFlight != 1 || st.Depth() != 1 {
		t.Fatalf("Stats = %+v, %v; want only l2 left, in flight", st, err)
	}
}

// TestCloseDrainsGroups closes the queue while a round trip is in flight
// and two Enqueues wait for it: Close returns only once they have their
// answers, which are real outcomes, not ErrClosed.
func TestCloseDrainsGroups(t *testing.T) {
	t.Parallel()
	q, h := groupQueue(t, WithPrefix("g"))
	var first <-chan enqueueOutcome
	release := h.holdNext(t, func() { first = enqueueAsync(q, "first") })
	waiting := []<-chan enqueueOutcome{enqueueAsync(q, "w1")}
	waitPending(t, q.enqueues, 1)
	waiting = append(waiting, enqueueAsync(q, "w2"))
	waitPending(t, q.enqueues, 2)
	closed := make(chan struct{})
	go func() {
		_ = q.Close()
		close(closed)
	}()
	for !q.closed.Load() {
		time.Sleep(time.Millisecond)
	}
	if _, err := q.Enqueue(context.Background(), idempotency.Message{Key: "late"}); !errors.Is(err, idempotency.ErrClosed) {
		t.Fatalf("Enqueue after Close = %v, want ErrClosed", err)
	}
	select {
	case <-closed:
		t.Fatal("Close returned while a round trip was held in flight")
	default:
	}
	release()
	<-closed
	for i, ch := range append([]<-chan enqueueOutcome{first}, waiting...) {
		select {
		case o := <-ch:
			if o.err != nil || o.res.ID == "" {
				t.Errorf("call %d = %+v, %v; want its message queued", i, o.res, o.err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("call %d unanswered 10 s after Close returned", i)
		}
	}
}

// TestEnqueueGroupCommittedBeforeAnyReturns is the promise behind a
// receiver's 200: when any Enqueue of a group returns, every message of the
// group is already written, and with appendfsync always on disk. The test
// kills Redis (SIGKILL) the moment the first caller of a group of eight
// returns, starts it again from its append-only file, and finds all eight.
func TestEnqueueGroupCommittedBeforeAnyReturns(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t, redistest.WithAppendOnly())
	q, h, plain := groupQueueOn(t, srv, WithPrefix("g"))
	var first <-chan enqueueOutcome
	release := h.holdNext(t, func() { first = enqueueAsync(q, "first") })
	const n = 8
	group := make([]<-chan enqueueOutcome, n)
	for i := range group {
		group[i] = enqueueAsync(q, "group-"+strconv.Itoa(i))
		waitPending(t, q.enqueues, i+1)
	}
	release()
	if o := <-first; o.err != nil {
		t.Fatalf("first: %v", o.err)
	}
	// Wait for whichever caller of the group returns first, and crash the
	// server before looking at the others.
	cases := make(chan enqueueOutcome, n)
	for _, ch := range group {
		go func() { cases <- <-ch }()
	}
	o := <-cases
	srv.Kill()
	if o.err != nil {
		t.Fatalf("first caller of the group to return: %v", o.err)
	}
	srv.Start()
	ctx := context.Background()
	entries, err := plain.XRange(ctx, q.keys.streams[0], "-", "+").Result()
	if err != nil {
		t.Fatalf("XRANGE after the restart: %v", err)
	}
	found := map[string]bool{}
	for _, e := range entries {
		k, _ := e.Values["k"].(string)
		found[k] = true
	}
	for i := range n {
		if k := "group-" + strconv.Itoa(i); !found[k] {
			t.Errorf("%s missing after the restart, although a caller of its group had returned", k)
		}
	}
	for i := 1; i < n; i++ {
		if o := <-cases; o.err != nil {
			t.Errorf("a caller of the group: %v", o.err)
		}
	}
	if n := h.scripts.Load(); n != 2 {
		t.Errorf("%d script runs, want 2: the first call, then the group", n)
	}
}

// TestEnqueueGroupPartialFailure puts a message that Redis refuses (its
// priority's stream name holds a string) in the middle of a group: only its
// caller gets an error, its neighbours are queued, and it leaves no dedup
// record, so the same key is queued once the stream is repaired.
func TestEnqueueGroupPartialFailure(t *testing.T) {
	t.Parallel()
	q, h, plain := groupQueueOn(t, redistest.Start(t), WithPrefix("g"))
	ctx := context.Background()
	if err := plain.Set(ctx, q.keys.streams[idempotency.PriorityLow], "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	var first <-chan enqueueOutcome
	release := h.holdNext(t, func() { first = enqueueAsync(q, "first") })
	msgs := []idempotency.Message{
		{Key: "a", Body: []byte("a")},
		{Key: "bad", Body: []byte("bad"), Priority: idempotency.PriorityLow},
		{Key: "c", Body: []byte("c")},
	}
	var group []<-chan enqueueOutcome
	for i, m := range msgs {
		group = append(group, enqueueMsgAsync(q, m))
		waitPending(t, q.enqueues, i+1)
	}
	release()
	if o := <-first; o.err != nil {
		t.Fatalf("first: %v", o.err)
	}
	got := make([]enqueueOutcome, len(group))
	for i, ch := range group {
		got[i] = <-ch
	}
	if n := h.scripts.Load(); n != 2 {
		t.Errorf("%d script runs, want 2: the first call, then the group", n)
	}
	if got[0].err != nil || got[2].err != nil {
		t.Fatalf("neighbours of the bad message: a = %v, c = %v; want both queued", got[0].err, got[2].err)
	}
	if err := got[1].err; err == nil || !strings.Contains(err.Error(), "WRONGTYPE") || errors.Is(err, idempotency.ErrQueueFull) {
		t.Fatalf("bad message = %+v, %v; want Redis's WRONGTYPE error", got[1].res, err)
	}
	if err := plain.Del(ctx, q.keys.streams[idempotency.PriorityLow]).Err(); err != nil {
		t.Fatal(err)
	}
	if o := <-enqueueMsgAsync(q, msgs[1]); o.err != nil || o.res.Duplicate {
		t.Fatalf("bad message again once repaired = %+v, %v; want queued, not a duplicate", o.res, o.err)
	}
	for _, want := range []string{"first", "a", "c", "bad"} {
		d, err := q.Dequeue(ctx, time.Minute)
		if err != nil || d.Key != want {
			t.Fatalf("Dequeue = %+v, %v; want %s", d, err, want)
		}
		if err := q.Ack(ctx, d); err != nil {
			t.Fatalf("Ack %s: %v", d.Key, err)
		}
	}
	if st, err := q.Stats(ctx); err != nil || st.Depth() != 0 {
		t.Fatalf("Stats = %+v, %v; want empty", st, err)
	}
}

// TestEnqueueGroupTagged runs tagged and untagged messages in one script:
// each tagged one is keyed by its own resource's generation, a second
// event of the same resource in the group is a duplicate of the first, and
// one whose sync record Redis cannot read (a string under its name) fails
// alone, leaving its neighbours queued.
func TestEnqueueGroupTagged(t *testing.T) {
	t.Parallel()
	q, _, plain := groupQueueOn(t, redistest.Start(t), WithPrefix("g"))
	ctx := context.Background()
	s, err := NewStore(plain, WithPrefix("g"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.StartSync(ctx, "order:3", "", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	gen3, _ := s.Generation(ctx, "order:3")
	if err := plain.Set(ctx, syncKey("g", "order:bad"), "not a hash", 0).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := q.enqueueBatch(ctx, []enqueueReq{
		{msg: idempotency.Message{Key: "sync:bad:"}, sync: syncKey("g", "order:bad")},
		{msg: idempotency.Message{Key: "plain"}},
		{msg: idempotency.Message{Key: "sync:2:", Body: []byte("two")}, sync: syncKey("g", "order:2")},
		{msg: idempotency.Message{Key: "sync:2:"}, sync: syncKey("g", "order:2")},
		{msg: idempotency.Message{Key: "sync:3:"}, sync: syncKey("g", "order:3")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := got[0].err; err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Fatalf("unreadable sync record: %+v, %v; want Redis's WRONGTYPE error", got[0].res, err)
	}
	for i, want := range []idempotency.EnqueueResult{
		1: {ID: got[1].res.ID},
		2: {ID: got[2].res.ID, Generation: "0"},
		3: {ID: got[2].res.ID, Duplicate: true, Generation: "0"},
		4: {ID: got[4].res.ID, Generation: gen3},
	} {
		if i == 0 {
			continue
		}
		if got[i].err != nil || got[i].res != want || want.ID == "" {
			t.Errorf("message %d: %+v, %v; want %+v", i, got[i].res, got[i].err, want)
		}
	}
	if gen3 == "0" || c.Status != idempotency.Claimed {
		t.Fatalf("order:3's generation %q after a claim (%v)", gen3, c.Status)
	}
	for _, want := range []string{"plain", "sync:2:0", "sync:3:" + gen3} {
		d, err := q.Dequeue(ctx, time.Minute)
		if err != nil || d.Key != want {
			t.Fatalf("Dequeue = %+v, %v; want %s", d, err, want)
		}
	}
}

package idemredis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/redis/go-redis/v9"
)

// Dequeue delivers the next ready message under lease (<= 0: the queue's
// default, 30 s unless set), high priority first, an expired lease before a
// fresh message of the same priority. It waits until a message is ready, ctx
// is done (it then returns ctx.Err() unwrapped) or the Queue is closed
// (idempotency.ErrClosed).
//
// While waiting it blocks on the server (XREAD BLOCK, at most the block
// timeout, 2 s by default, and never past the next retry or lease deadline),
// then looks again. Concurrent Dequeue calls look together, in one run of
// the dequeue script per round trip (see Enqueue for how calls are grouped),
// each getting a different message in the order a lone caller would. When
// Redis cannot be reached, Dequeue returns the wrapped error at once rather
// than retrying: the caller's loop decides how long to back off. A consumer
// group that Redis lost is created again.
func (q *Queue) Dequeue(ctx context.Context, lease time.Duration) (*idempotency.Delivery, error) {
	if lease <= 0 {
		lease = q.cfg.Lease
	}
	for {
		if err := q.closedErr("dequeue"); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, w, err := q.tryDequeue(ctx, lease)
		if err == nil && d != nil {
			return d, nil
		}
		if err == nil {
			err = q.wait(ctx, w)
		}
		if err != nil {
			if cerr := q.closedErr("dequeue"); cerr != nil {
				return nil, cerr
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("idemredis: dequeue: %w", err)
		}
	}
}

// waitFor is what an empty Dequeue waits for: a new entry after the streams'
// current tops, or the next retry or lease deadline.
type waitFor struct {
	tops  [2]string
	until time.Duration // < 0: no deadline pending
}

// dequeued is the outcome of one Dequeue of a batch: a delivery, or what to
// wait for.
type dequeued struct {
	d *idempotency.Delivery
	w waitFor
}

// tryDequeue looks for a message once, sharing the round trip with
// concurrent Dequeue calls (see Enqueue for how calls are grouped).
func (q *Queue) tryDequeue(ctx context.Context, lease time.Duration) (*idempotency.Delivery, waitFor, error) {
	r, err := q.dequeues.do(ctx, lease)
	return r.d, r.w, err
}

// dequeueBatch runs the dequeue script once, for one delivery per lease.
func (q *Queue) dequeueBatch(ctx context.Context, leases []time.Duration) ([]dequeued, error) {
	if !q.groupReady.Load() {
		if err := q.ensureGroup(ctx); err != nil {
			return nil, err
		}
	}
	keys := []string{q.keys.streams[0], q.keys.streams[1], q.keys.leases[0], q.keys.leases[1], q.keys.delayed, q.keys.requeued}
	args := make([]any, 2, 2+len(leases))
	args[0], args[1] = q.group, q.consumer
	for _, l := range leases {
		args = append(args, millis(l))
	}
	res, err := scriptDequeue.Run(ctx, q.client, keys, args...).Slice()
	if isNoGroup(err) {
		q.log.WarnContext(ctx, "idemredis: consumer group missing, creating it again", "group", q.group)
		if err := q.ensureGroup(ctx); err != nil {
			return nil, err
		}
		res, err = scriptDequeue.Run(ctx, q.client, keys, args...).Slice()
	}
	if err != nil {
		return nil, err
	}
	return parseDequeue(res, len(leases))
}

// parseDequeue reads scriptDequeue's reply for n leases: the deliveries
// first, then, for the rest, what to wait for.
func parseDequeue(res []any, n int) ([]dequeued, error) {
	if len(res) != 2 {
		return nil, errors.New("unexpected reply from dequeue script")
	}
	ds, ok1 := res[0].([]any)
	wv, ok2 := res[1].([]any)
	if !ok1 || !ok2 || len(ds) > n || (len(ds) < n && len(wv) != 4) {
		return nil, errors.New("unexpected reply from dequeue script")
	}
	out := make([]dequeued, n)
	for i, v := range ds {
		f, ok := v.([]any)
		if !ok {
			return nil, errors.New("unexpected delivery in dequeue reply")
		}
		d, err := parseDelivery(f)
		if err != nil {
			return nil, err
		}
		out[i].d = d
	}
	if len(ds) == n {
		return out, nil
	}
	w, err := parseWait(wv)
	if err != nil {
		return nil, err
	}
	for i := len(ds); i < n; i++ {
		out[i].w = w
	}
	return out, nil
}

// parseWait reads {topHigh, topLow, nextDeadlineMs or -1, nowMs}.
func parseWait(res []any) (waitFor, error) {
	var w waitFor
	var errs [4]error
	w.tops[0], errs[0] = asString(res[0])
	w.tops[1], errs[1] = asString(res[1])
	next, err2 := asInt(res[2])
	now, err3 := asInt(res[3])
	errs[2], errs[3] = err2, err3
	if err := errors.Join(errs[:]...); err != nil {
		return waitFor{}, err
	}
	w.until = -1
	if next >= 0 {
		w.until = time.Duration(max(next-now, 0)) * time.Millisecond
	}
	return w, nil
}

// parseDelivery reads {priority, entryID, fields, deliveryCount, leaseUntilMs}.
func parseDelivery(res []any) (*idempotency.Delivery, error) {
	if len(res) != 5 {
		return nil, errors.New("unexpected delivery in dequeue reply")
	}
	p, err1 := asInt(res[0])
	eid, err2 := asString(res[1])
	f, err3 := asFields(res[2])
	count, err4 := asInt(res[3])
	until, err5 := asInt(res[4])
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return nil, err
	}
	prio := idempotency.Priority(p)
	if !prio.Valid() {
		return nil, fmt.Errorf("unexpected priority %d in dequeue reply", p)
	}
	m, err := parseEntry(prio, eid, f)
	if err != nil {
		return nil, err
	}
	return &idempotency.Delivery{
		ID:             m.id,
		Key:            m.key,
		Body:           m.body,
		Priority:       prio,
		Attempt:        m.attempts + int(count),
		EnqueuedAt:     m.enqueued,
		LeaseExpiresAt: time.UnixMilli(until),
		Token:          token{prio: prio, entry: eid, count: count, until: until}.String(),
	}, nil
}

// entry is a stream entry's message: fields i (ID), k (key), b (body), a
// (earlier attempts) and t (enqueue time, ms). The first entry of a message
// has only k and b: its ID derives from the entry ID, its attempts are 0 and
// its enqueue time is the entry ID's millisecond part.
type entry struct {
	id       string
	key      string
	body     []byte
	attempts int
	enqueued time.Time
}

func parseEntry(p idempotency.Priority, eid string, f map[string]string) (entry, error) {
	e := entry{id: f["i"], key: f["k"], body: []byte(f["b"])}
	if e.id == "" {
		e.id = idPrefix[p] + eid
	}
	if a, ok := f["a"]; ok {
		n, err := asInt(a)
		if err != nil || n < 0 {
			return entry{}, fmt.Errorf("bad attempt count %q in entry %s", a, eid)
		}
		e.attempts = int(n)
	}
	enq, ok := f["t"]
	if !ok {
		enq, _, _ = strings.Cut(eid, "-")
	}
	t, err := asInt(enq)
	if err != nil {
		return entry{}, fmt.Errorf("bad enqueue time in entry %s", eid)
	}
	e.enqueued = time.UnixMilli(t)
	return e, nil
}

// wait blocks until a stream gets an entry after w.tops, w.until passes, the
// block timeout passes, ctx ends or the Queue closes. XREAD without a group
// only watches: it claims nothing, so a wait abandoned by ctx or Close loses
// no message; the next look is always the Dequeue script.
func (q *Queue) wait(ctx context.Context, w waitFor) error {
	block := q.block
	if w.until >= 0 {
		if w.until < time.Millisecond {
			return nil
		}
		block = min(block, w.until)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := q.client.XRead(rctx, &redis.XReadArgs{
			Streams: []string{q.keys.streams[0], q.keys.streams[1], w.tops[0], w.tops[1]},
			Count:   1,
			Block:   block,
		}).Err()
		if errors.Is(err, redis.Nil) {
			err = nil
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-q.done:
		return idempotency.ErrClosed
	}
}

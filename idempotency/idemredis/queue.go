package idemredis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/redis/go-redis/v9"
)

var (
	_ idempotency.Queue     = (*Queue)(nil)
	_ idempotency.Inspector = (*Queue)(nil)
)

// Queue is an idempotency.Queue and its idempotency.Inspector on Redis
// Streams with a consumer group. The key layout and the guarantees are
// described in the package documentation.
//
// A Queue is safe for concurrent use. Any number of Queues in any number of
// processes may share one prefix: they then share the messages, and each
// message goes to one of them at a time. Close does not close the client.
type Queue struct {
	client   redis.UniversalClient
	keys     queueKeys
	group    string
	consumer string
	block    time.Duration
	cfg      idempotency.Config
	log      *slog.Logger

	enqueues *batcher[enqueueReq, enqueued]
	dequeues *batcher[time.Duration, dequeued]
	acks     *batcher[token, bool]

	groupReady atomic.Bool
	closed     atomic.Bool
	done       chan struct{}
	closeOnce  sync.Once
}

// enqueueReq is one message of an Enqueue batch; sync names the sync record
// whose generation tags it (EnqueueTagged), or is empty.
type enqueueReq struct {
	msg  idempotency.Message
	sync string
}

// enqueued is the outcome of one message of an Enqueue batch.
type enqueued struct {
	res idempotency.EnqueueResult
	err error
}

// NewQueue returns a Queue that keeps its messages in client, which the
// caller owns and closes. It applies every Option of this package and, via
// WithOptions, the default lease (30 s), the dedup window (24 h; 0 turns it
// off), the capacity (10,000 messages, dead letters included) and the
// logger. It makes no network call: the consumer group is created on first
// use. A nil client or an invalid option returns an error wrapping
// idempotency.ErrInvalidArgument.
func NewQueue(client redis.UniversalClient, opts ...Option) (*Queue, error) {
	if client == nil {
		return nil, fmt.Errorf("idemredis: %w: nil client", idempotency.ErrInvalidArgument)
	}
	o, cfg, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	q := &Queue{
		client:   client,
		keys:     newQueueKeys(o.prefix),
		group:    o.group,
		consumer: o.consumer,
		block:    o.block,
		cfg:      cfg,
		log:      cfg.Logger,
		done:     make(chan struct{}),
	}
	q.setBatch(maxBatch)
	return q, nil
}

// setBatch makes the batchers send up to n calls per round trip; n <= 1
// sends every call on its own.
func (q *Queue) setBatch(n int) {
	q.enqueues = newBatcher(n, q.enqueueBatch)
	q.dequeues = newBatcher(n, q.dequeueBatch)
	q.acks = newBatcher(n, q.ackBatch)
}

// Consumer returns the name under which this Queue reads from the group.
func (q *Queue) Consumer() string { return q.consumer }

// Enqueue adds msg to the stream of its priority. The script that does it
// also checks the dedup window (SET PX on the key, holding the message ID)
// and the capacity. A duplicate inside the window returns the first
// message's ID with Duplicate set, even when the queue is full.
//
// Concurrent Enqueue calls share round trips (group commit): a call made
// while no Enqueue is in flight is sent at once; calls made while one is in
// flight are sent together, in one script run, as soon as it returns (up to
// 128 at a time). Each call still returns only once Redis has answered for
// its own message, so a receiver that answers 200 after Enqueue returned
// nil answers it for a message Redis holds: the script queues the whole
// group before Redis answers any of it. A message that Redis refuses (its
// priority's stream key holds another type, say) fails its own call with
// Redis's error and leaves the rest of its group queued. When Redis cannot
// be reached the error wraps go-redis's, and nothing was queued or
// recorded. When ctx
// ends before the message was sent, Enqueue returns ctx.Err() and sends
// nothing; when it ends while the message is in flight, Enqueue returns
// ctx.Err() and the message may have been queued (a redelivery of it is
// then a duplicate).
func (q *Queue) Enqueue(ctx context.Context, msg idempotency.Message) (idempotency.EnqueueResult, error) {
	return q.enqueue(ctx, "enqueue", enqueueReq{msg: msg})
}

// EnqueueTagged implements idempotency.TaggingQueue. When store is an
// idemredis Store on the same client as q, and that client is not a
// cluster (a *redis.Client, as redis.NewClient and redis.NewFailoverClient
// return), the generation is read inside the enqueue script: one round
// trip, shared with concurrent Enqueue and EnqueueTagged calls as Enqueue
// describes, and the generation read and the enqueue are one atomic step.
// Otherwise it is Store.Generation and then Enqueue
// (idempotency.EnqueueTaggedInTwoSteps): the sync record of a cluster
// sits in another slot than the queue's keys, which no script may span.
func (q *Queue) EnqueueTagged(ctx context.Context, store idempotency.Store, resource string, msg idempotency.Message) (idempotency.EnqueueResult, error) {
	s, ok := store.(*Store)
	if ok && s == nil {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue tagged: %w: nil store", idempotency.ErrInvalidArgument)
	}
	if !ok || s.client != q.client || !oneNode(q.client) {
		return idempotency.EnqueueTaggedInTwoSteps(ctx, q, store, resource, msg)
	}
	if resource == "" {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue tagged: %w: empty resource", idempotency.ErrInvalidArgument)
	}
	return q.enqueue(ctx, "enqueue tagged", enqueueReq{msg: msg, sync: syncKey(s.prefix, resource)})
}

// oneNode reports a client whose every key lives on one server, so that a
// script may name keys of any slot.
func oneNode(c redis.UniversalClient) bool {
	_, ok := c.(*redis.Client)
	return ok
}

func (q *Queue) enqueue(ctx context.Context, op string, req enqueueReq) (idempotency.EnqueueResult, error) {
	if q.closed.Load() {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: %s: %w", op, idempotency.ErrClosed)
	}
	if req.msg.Key == "" && req.sync == "" {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: %s: %w: empty key", op, idempotency.ErrInvalidArgument)
	}
	if !req.msg.Priority.Valid() {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: %s: %w: priority %v", op, idempotency.ErrInvalidArgument, req.msg.Priority)
	}
	r, err := q.enqueues.do(ctx, req)
	if err == nil {
		err = r.err
	}
	if err != nil {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: %s: %w", op, err)
	}
	return r.res, nil
}

// enqueueBatch runs the enqueue script once for reqs.
func (q *Queue) enqueueBatch(ctx context.Context, reqs []enqueueReq) ([]enqueued, error) {
	window := "0"
	if q.cfg.DedupWindow > 0 {
		window = millis(q.cfg.DedupWindow)
	}
	keys := make([]string, 4, 4+len(reqs))
	keys[0], keys[1], keys[2], keys[3] = q.keys.streams[0], q.keys.streams[1], q.keys.delayed, q.keys.dead
	args := make([]any, 3, 3+4*len(reqs))
	args[0], args[1], args[2] = window, q.cfg.Capacity, q.keys.dedup
	for _, r := range reqs {
		tagged := "0"
		if r.sync != "" {
			keys = append(keys, r.sync)
			tagged = "1"
		} else {
			keys = append(keys, q.keys.dedup+r.msg.Key)
		}
		args = append(args, int(r.msg.Priority), r.msg.Key, r.msg.Body, tagged)
	}
	res, err := scriptEnqueue.Run(ctx, q.client, keys, args...).Slice()
	if err != nil {
		return nil, err
	}
	return parseEnqueue(res, len(reqs))
}

// parseEnqueue reads the enqueue script's reply for n messages.
func parseEnqueue(res []any, n int) ([]enqueued, error) {
	if len(res) != 3*n {
		return nil, errors.New("unexpected reply from enqueue script")
	}
	out := make([]enqueued, n)
	for i := range out {
		status, err1 := asInt(res[3*i])
		id, err2 := asString(res[3*i+1])
		gen, err3 := asString(res[3*i+2])
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		switch status {
		case 0, 1:
			out[i].res = idempotency.EnqueueResult{ID: id, Duplicate: status == 1, Generation: gen}
		case 2:
			out[i].err = idempotency.ErrQueueFull
		case 3:
			out[i].err = enqueueError(id)
		default:
			return nil, fmt.Errorf("unexpected status %d in enqueue reply", status)
		}
	}
	return out, nil
}

// enqueueError is the error of one message whose XADD failed inside a
// group, as Redis worded it.
type enqueueError string

func (e enqueueError) Error() string { return string(e) }

// Close makes every later call return idempotency.ErrClosed and wakes
// blocked Dequeue calls with it. Calls already waiting to share a round
// trip are still sent, and Close returns once they have their answers (the
// client's timeouts bound the wait). Messages stay in Redis; deliveries in
// flight are redelivered when their leases end. Close is idempotent and
// returns nil.
func (q *Queue) Close() error {
	q.closeOnce.Do(func() {
		q.closed.Store(true)
		close(q.done)
	})
	ctx := context.Background()
	_ = q.enqueues.drain(ctx)
	_ = q.dequeues.drain(ctx)
	_ = q.acks.drain(ctx)
	return nil
}

// ensureGroup creates the consumer group on both streams (XGROUP CREATE
// MKSTREAM from ID 0, so messages enqueued before the group existed are
// delivered). BUSYGROUP means it exists already.
func (q *Queue) ensureGroup(ctx context.Context) error {
	for _, s := range q.keys.streams {
		err := q.client.XGroupCreateMkStream(ctx, s, q.group, "0").Err()
		switch {
		case err == nil:
			q.log.InfoContext(ctx, "idemredis: created consumer group", "stream", s, "group", q.group)
		case strings.HasPrefix(err.Error(), "BUSYGROUP"):
		default:
			return fmt.Errorf("create consumer group: %w", err)
		}
	}
	q.groupReady.Store(true)
	return nil
}

// isNoGroup reports a missing stream or group, as after a restart of Redis
// without persistence.
func isNoGroup(err error) bool {
	return err != nil && strings.Contains(err.Error(), "NOGROUP")
}

// closedErr returns idempotency.ErrClosed after Close, else nil.
func (q *Queue) closedErr(op string) error {
	if q.closed.Load() {
		return fmt.Errorf("idemredis: %s: %w", op, idempotency.ErrClosed)
	}
	return nil
}

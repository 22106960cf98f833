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

	groupReady atomic.Bool
	closed     atomic.Bool
	done       chan struct{}
	closeOnce  sync.Once
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
	return &Queue{
		client:   client,
		keys:     newQueueKeys(o.prefix),
		group:    o.group,
		consumer: o.consumer,
		block:    o.block,
		cfg:      cfg,
		log:      cfg.Logger,
		done:     make(chan struct{}),
	}, nil
}

// Consumer returns the name under which this Queue reads from the group.
func (q *Queue) Consumer() string { return q.consumer }

// Enqueue adds msg to the stream of its priority in one script that also
// checks the dedup window (SET PX on the key, holding the message ID) and
// the capacity. A duplicate inside the window returns the first message's ID
// with Duplicate set, even when the queue is full. When Redis cannot be
// reached the error wraps go-redis's, and nothing was queued or recorded.
func (q *Queue) Enqueue(ctx context.Context, msg idempotency.Message) (idempotency.EnqueueResult, error) {
	if q.closed.Load() {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue: %w", idempotency.ErrClosed)
	}
	if msg.Key == "" {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue: %w: empty key", idempotency.ErrInvalidArgument)
	}
	if !msg.Priority.Valid() {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue: %w: priority %v", idempotency.ErrInvalidArgument, msg.Priority)
	}
	window := "0"
	if q.cfg.DedupWindow > 0 {
		window = millis(q.cfg.DedupWindow)
	}
	p := msg.Priority
	keys := []string{q.keys.streams[p], q.keys.dedup + msg.Key,
		q.keys.streams[0], q.keys.streams[1], q.keys.delayed, q.keys.dead}
	res, err := scriptEnqueue.Run(ctx, q.client, keys,
		msg.Key, msg.Body, window, q.cfg.Capacity, idPrefix[p]).Slice()
	if err != nil {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue: %w", err)
	}
	return parseEnqueue(res)
}

func parseEnqueue(res []any) (idempotency.EnqueueResult, error) {
	if len(res) == 0 {
		return idempotency.EnqueueResult{}, errors.New("idemredis: enqueue: empty reply")
	}
	status, err := asInt(res[0])
	if err != nil {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue: %w", err)
	}
	if status == 2 {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue: %w", idempotency.ErrQueueFull)
	}
	if len(res) != 2 || (status != 0 && status != 1) {
		return idempotency.EnqueueResult{}, errors.New("idemredis: enqueue: unexpected reply")
	}
	id, err := asString(res[1])
	if err != nil {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue: %w", err)
	}
	return idempotency.EnqueueResult{ID: id, Duplicate: status == 1}, nil
}

// Close makes every later call return idempotency.ErrClosed and wakes
// blocked Dequeue calls with it. Messages stay in Redis; deliveries in
// flight are redelivered when their leases end. Close is idempotent and
// returns nil.
func (q *Queue) Close() error {
	q.closeOnce.Do(func() {
		q.closed.Store(true)
		close(q.done)
	})
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

package idemredis

import (
	"context"
	"fmt"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/redis/go-redis/v9"
)

// Ack acknowledges and deletes the delivered message (XACK and XDEL), if d
// is still its live delivery; a delivery superseded by a redelivery, or
// already acknowledged, retried or dead-lettered, returns
// idempotency.ErrLeaseLost and changes nothing. A delivery whose lease ended
// but that was not yet delivered again is still acknowledged. Concurrent
// Acks share round trips, as Enqueues do; each returns once Redis answered
// for its own delivery.
func (q *Queue) Ack(ctx context.Context, d *idempotency.Delivery) error {
	t, err := q.finishing("ack", d)
	if err != nil {
		return err
	}
	ok, err := q.acks.do(ctx, t)
	if err != nil {
		return fmt.Errorf("idemredis: ack: %w", err)
	}
	if !ok {
		return fmt.Errorf("idemredis: ack: %w", idempotency.ErrLeaseLost)
	}
	return nil
}

// ackBatch runs the ack script once for ts.
func (q *Queue) ackBatch(ctx context.Context, ts []token) ([]bool, error) {
	keys := []string{q.keys.streams[0], q.keys.streams[1], q.keys.leases[0], q.keys.leases[1], q.keys.requeued}
	args := make([]any, 1, 1+3*len(ts))
	args[0] = q.group
	for _, t := range ts {
		args = append(args, int(t.prio), t.entry, t.until)
	}
	res, err := scriptAck.Run(ctx, q.client, keys, args...).Int64Slice()
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(res))
	for i, r := range res {
		out[i] = r == 1
	}
	return out, nil
}

// Retry puts the delivered message back with Attempt one higher: at the end
// of its priority's stream when delay <= 0, else in the delayed set until
// delay has passed on the server's clock. A lost lease returns
// idempotency.ErrLeaseLost, as for Ack.
func (q *Queue) Retry(ctx context.Context, d *idempotency.Delivery, delay time.Duration) error {
	t, err := q.finishing("retry", d)
	if err != nil {
		return err
	}
	delayMs := "0"
	if delay > 0 {
		delayMs = millis(delay)
	}
	keys := []string{q.keys.streams[t.prio], q.keys.leases[t.prio], q.keys.delayed, q.keys.requeued}
	return q.runFinish(ctx, "retry", scriptRetry, keys,
		q.group, t.entry, t.count, int(t.prio), idPrefix[t.prio], delayMs, t.until)
}

// DeadLetter moves the delivered message to the dead-letter stream with
// reason, where it counts against the capacity until replayed. A lost lease
// returns idempotency.ErrLeaseLost, as for Ack.
func (q *Queue) DeadLetter(ctx context.Context, d *idempotency.Delivery, reason string) error {
	t, err := q.finishing("dead-letter", d)
	if err != nil {
		return err
	}
	keys := []string{q.keys.streams[t.prio], q.keys.leases[t.prio], q.keys.dead, q.keys.deadIndex, q.keys.requeued}
	return q.runFinish(ctx, "dead-letter", scriptDeadLetter, keys,
		q.group, t.entry, t.count, int(t.prio), idPrefix[t.prio], reason, t.until)
}

// finishing checks the Queue and the delivery before Ack, Retry or
// DeadLetter.
func (q *Queue) finishing(op string, d *idempotency.Delivery) (token, error) {
	if err := q.closedErr(op); err != nil {
		return token{}, err
	}
	if d == nil {
		return token{}, fmt.Errorf("idemredis: %s: %w: nil delivery", op, idempotency.ErrInvalidArgument)
	}
	t, err := parseToken(d.Token)
	if err != nil {
		return token{}, fmt.Errorf("idemredis: %s: %w: %w", op, idempotency.ErrInvalidArgument, err)
	}
	return t, nil
}

func (q *Queue) runFinish(ctx context.Context, op string, sc *redis.Script, keys []string, args ...any) error {
	ok, err := sc.Run(ctx, q.client, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("idemredis: %s: %w", op, err)
	}
	if ok != 1 {
		return fmt.Errorf("idemredis: %s: %w", op, idempotency.ErrLeaseLost)
	}
	return nil
}

package idemredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bc2sf/bc2sf/idempotency"
)

// defaultDeadLetters is how many dead letters DeadLetters returns for a
// limit <= 0.
const defaultDeadLetters = 100

// DeadLetters returns up to limit dead letters (<= 0: 100), oldest first,
// read with XRANGE from the dead-letter stream. Times are to the
// millisecond.
func (q *Queue) DeadLetters(ctx context.Context, limit int) ([]idempotency.DeadLetter, error) {
	if err := q.closedErr("dead letters"); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = defaultDeadLetters
	}
	msgs, err := q.client.XRangeN(ctx, q.keys.dead, "-", "+", int64(limit)).Result()
	if err != nil {
		return nil, fmt.Errorf("idemredis: dead letters: %w", err)
	}
	out := make([]idempotency.DeadLetter, 0, len(msgs))
	for _, m := range msgs {
		dl, err := parseDeadLetter(m.ID, m.Values)
		if err != nil {
			return nil, fmt.Errorf("idemredis: dead letters: %w", err)
		}
		out = append(out, dl)
	}
	return out, nil
}

func parseDeadLetter(eid string, values map[string]any) (idempotency.DeadLetter, error) {
	f := make(map[string]string, len(values))
	for k, v := range values {
		s, err := asString(v)
		if err != nil {
			return idempotency.DeadLetter{}, err
		}
		f[k] = s
	}
	p, err := asInt(f["p"])
	if err != nil || !idempotency.Priority(p).Valid() {
		return idempotency.DeadLetter{}, fmt.Errorf("bad priority in dead letter %s", eid)
	}
	prio := idempotency.Priority(p)
	e, err := parseEntry(prio, eid, f)
	if err != nil {
		return idempotency.DeadLetter{}, err
	}
	failed, err := asInt(f["f"])
	if err != nil {
		return idempotency.DeadLetter{}, fmt.Errorf("bad failure time in dead letter %s", eid)
	}
	first := failed
	if x, ok := f["x"]; ok {
		if first, err = asInt(x); err != nil {
			return idempotency.DeadLetter{}, fmt.Errorf("bad first failure time in dead letter %s", eid)
		}
	}
	return idempotency.DeadLetter{
		ID:            e.id,
		Key:           e.key,
		Body:          e.body,
		Priority:      prio,
		Attempt:       e.attempts,
		EnqueuedAt:    e.enqueued,
		FirstFailedAt: time.UnixMilli(first),
		FailedAt:      time.UnixMilli(failed),
		Reason:        f["r"],
	}, nil
}

// Replay moves the dead letter id to the end of its priority's stream with
// its ID, EnqueuedAt and FirstFailedAt, and Attempt starting again at 1,
// bypassing deduplication. An
// unknown or empty id returns idempotency.ErrNotFound.
func (q *Queue) Replay(ctx context.Context, id string) error {
	if err := q.closedErr("replay"); err != nil {
		return err
	}
	if id == "" {
		return fmt.Errorf("idemredis: replay: %w: empty id", idempotency.ErrNotFound)
	}
	keys := []string{q.keys.dead, q.keys.deadIndex, q.keys.streams[0], q.keys.streams[1], q.keys.requeued}
	ok, err := scriptReplay.Run(ctx, q.client, keys, id).Int()
	if err != nil {
		return fmt.Errorf("idemredis: replay: %w", err)
	}
	if ok != 1 {
		return fmt.Errorf("idemredis: replay %q: %w", id, idempotency.ErrNotFound)
	}
	return nil
}

// DeleteDeadLetter removes the dead letter id for good, freeing its place
// in the capacity. An unknown or empty id returns idempotency.ErrNotFound.
func (q *Queue) DeleteDeadLetter(ctx context.Context, id string) error {
	if err := q.closedErr("delete dead letter"); err != nil {
		return err
	}
	if id == "" {
		return fmt.Errorf("idemredis: delete dead letter: %w: empty id", idempotency.ErrNotFound)
	}
	ok, err := scriptDeleteDead.Run(ctx, q.client, []string{q.keys.dead, q.keys.deadIndex}, id).Int()
	if err != nil {
		return fmt.Errorf("idemredis: delete dead letter: %w", err)
	}
	if ok != 1 {
		return fmt.Errorf("idemredis: delete dead letter %q: %w", id, idempotency.ErrNotFound)
	}
	return nil
}

// Stats counts with XLEN and ZCARD in one script, after moving due retries
// to their streams. Ready is each stream's length less its leased entries;
// deliveries whose lease ended but that were not yet delivered again count
// as InFlight. Oldest is to the millisecond, read from the first entry of
// each stream and the requeued set (see the package documentation).
func (q *Queue) Stats(ctx context.Context) (idempotency.Stats, error) {
	if err := q.closedErr("stats"); err != nil {
		return idempotency.Stats{}, err
	}
	keys := []string{q.keys.streams[0], q.keys.streams[1], q.keys.leases[0], q.keys.leases[1],
		q.keys.delayed, q.keys.dead, q.keys.requeued}
	res, err := scriptStats.Run(ctx, q.client, keys).Int64Slice()
	if err != nil {
		return idempotency.Stats{}, fmt.Errorf("idemredis: stats: %w", err)
	}
	if len(res) != 7 {
		return idempotency.Stats{}, errors.New("idemredis: stats: unexpected reply")
	}
	high, low := int(max(res[0]-res[2], 0)), int(max(res[1]-res[3], 0))
	var oldest time.Time
	if res[6] >= 0 {
		oldest = time.UnixMilli(res[6])
	}
	return idempotency.Stats{
		Ready:           high + low,
		Delayed:         int(res[4]),
		InFlight:        int(res[2] + res[3]),
		Dead:            int(res[5]),
		ReadyByPriority: map[idempotency.Priority]int{idempotency.PriorityHigh: high, idempotency.PriorityLow: low},
		Oldest:          oldest,
	}, nil
}

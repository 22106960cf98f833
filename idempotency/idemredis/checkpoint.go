package idemredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/idempotency"
)

// checkpointSuffix follows the prefix in a checkpoint key, as ":store:"
// does in a Store key.
const checkpointSuffix = ":reconcile:checkpoint"

// DefaultCheckpointKey is the key NewCheckpoint uses when given "":
// "bc2sf:reconcile:checkpoint", that is CheckpointKey(DefaultPrefix).
const DefaultCheckpointKey = DefaultPrefix + checkpointSuffix

var _ idempotency.Checkpoint = (*Checkpoint)(nil)

// CheckpointKey returns the checkpoint key that belongs with a Queue and a
// Store made WithPrefix(prefix): "<prefix>:reconcile:checkpoint". Stores that
// share one Redis under different prefixes thus keep apart checkpoints too.
// The prefix is not checked; CheckpointKey("") gives ":reconcile:checkpoint".
func CheckpointKey(prefix string) string {
	return prefix + checkpointSuffix
}

// Checkpoint keeps a reconciler's checkpoint (a time) in one Redis string,
// so that a restarted process carries on where the last one stopped instead
// of looking back over its whole window again, and several processes share
// one checkpoint. It has the methods of idempotency.Checkpoint; this package
// does not import pipeline, so that a Queue and a Store come without the
// HTTP clients pipeline depends on.
//
// The value is the time in UTC formatted as RFC 3339 with nanoseconds, for
// example "2026-03-06T02:40:11.123456789Z", stored with no expiry. A
// Checkpoint is safe for concurrent use; the last Save wins.
type Checkpoint struct {
	client redis.UniversalClient
	key    string
}

// NewCheckpoint returns a Checkpoint kept under key on client, which the
// caller owns and closes. An empty key means DefaultCheckpointKey
// ("bc2sf:reconcile:checkpoint"); use CheckpointKey to derive one from a
// prefix. It makes no network call. With a nil client every Load and Save
// fails with idempotency.ErrInvalidArgument.
func NewCheckpoint(client redis.UniversalClient, key string) *Checkpoint {
	if key == "" {
		key = DefaultCheckpointKey
	}
	return &Checkpoint{client: client, key: key}
}

// Key returns the Redis key the Checkpoint reads and writes.
func (c *Checkpoint) Key() string { return c.key }

// Load returns the saved time in UTC, or the zero time when the key does not
// exist (nothing saved yet). It fails with an error wrapping go-redis's when
// Redis cannot be reached or ctx is done (matching ctx.Err() with
// errors.Is), and with one wrapping time.Parse's when the key holds
// something other than an RFC 3339 time.
func (c *Checkpoint) Load(ctx context.Context) (time.Time, error) {
	if c.client == nil {
		return time.Time{}, fmt.Errorf("%w: checkpoint without a Redis client", idempotency.ErrInvalidArgument)
	}
	s, err := c.client.Get(ctx, c.key).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("load checkpoint: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("checkpoint %s holds no RFC 3339 time: %w", c.key, err)
	}
	return t, nil
}

// Save stores t, replacing what was saved before. The location of t is not
// kept: Load returns the same instant in UTC. It fails with an error wrapping
// go-redis's when Redis cannot be reached or ctx is done.
func (c *Checkpoint) Save(ctx context.Context, t time.Time) error {
	if c.client == nil {
		return fmt.Errorf("%w: checkpoint without a Redis client", idempotency.ErrInvalidArgument)
	}
	if err := c.client.Set(ctx, c.key, t.UTC().Format(time.RFC3339Nano), 0).Err(); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

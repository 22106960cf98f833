package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bc2sf/bc2sf/pipeline"
)

// checkpointKey holds the reconciler's checkpoint in Redis. Change it when
// several stores share one Redis.
const checkpointKey = "bc2sf:reconcile:checkpoint"

// redisCheckpoint keeps the reconciler's checkpoint in one Redis string, so
// that a restarted process carries on where the last one stopped instead of
// looking back a whole day again.
type redisCheckpoint struct {
	client redis.UniversalClient
	key    string
}

var _ pipeline.Checkpoint = redisCheckpoint{}

func (c redisCheckpoint) Load(ctx context.Context) (time.Time, error) {
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

func (c redisCheckpoint) Save(ctx context.Context, t time.Time) error {
	if err := c.client.Set(ctx, c.key, t.UTC().Format(time.RFC3339Nano), 0).Err(); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/redis/go-redis/v9"
)

// runEnqueue puts the range's orders on the Redis queue at low priority,
// where the running workers pick them up after any live webhook event.
// The checkpoint moves after every page, once its orders are in Redis.
func runEnqueue(ctx context.Context, j *job) (summary, error) {
	ropts, err := redis.ParseURL(j.cfg.redisURL)
	if err != nil {
		// The URL may hold a password: name the variable, not the value.
		return summary{}, errors.New("REDIS_URL is not a valid redis:// or rediss:// URL")
	}
	rdb := redis.NewClient(ropts)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return summary{}, fmt.Errorf("redis: %w", err)
	}
	queue, err := idemredis.NewQueue(rdb)
	if err != nil {
		return summary{}, err
	}
	defer queue.Close()

	if err := j.startCount(ctx); err != nil {
		return summary{}, err
	}
	cfg := j.backfillConfig()
	cfg.Queue = queue
	cfg.Checkpoint = j.checkpoint
	var seen int
	cfg.Progress = func(p pipeline.Progress) {
		j.meter.doneUpTo(p.Last, p.Enqueued+p.Duplicates-seen)
		seen = p.Enqueued + p.Duplicates
	}
	p, err := pipeline.Backfill(ctx, cfg)
	return summary{enqueued: p.Enqueued, duplicates: p.Duplicates}, err
}

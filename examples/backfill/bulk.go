package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/bc2sf/bc2sf/idempotency/idemredis"
	"github.com/bc2sf/bc2sf/mapper"
	"github.com/bc2sf/bc2sf/pipeline"
	"github.com/bc2sf/bc2sf/salesforce"
	"github.com/redis/go-redis/v9"
)

// useBulk reports whether sync mode writes the range with Bulk API jobs:
// when they are not turned off and the range counted at least
// -bulk-threshold orders, or was not counted (pipeline.BulkBackfill then
// hands a range below the threshold to the worker itself).
func (j *job) useBulk() bool {
	if j.opts.bulkThreshold == 0 {
		return false
	}
	total, counted := j.meter.totalOrders()
	return !counted || total >= j.opts.bulkThreshold
}

// runBulk writes the range with Bulk API 2.0 jobs, a chunk of -bulk-chunk
// orders at a time, moving the checkpoint after every chunk. Orders
// Salesforce refuses become dead letters: in the Redis queue when REDIS_URL
// is set, where the running workers' dead-letter console shows them and a
// replay sends them through a worker; otherwise in this process's
// in-memory queue, listed at the end, and the checkpoint stays before the
// first of them so that the next run writes them again.
func runBulk(ctx context.Context, j *job, sf *salesforce.Client, m *mapper.Mapper, queue idempotency.Queue, cp idempotency.Checkpoint) (summary, error) {
	var sum summary
	dead := queue
	if j.cfg.redisURL != "" {
		ropts, err := redis.ParseURL(j.cfg.redisURL)
		if err != nil {
			// The URL may hold a password: name the variable, not the value.
			return sum, errors.New("REDIS_URL is not a valid redis:// or rediss:// URL")
		}
		rdb := redis.NewClient(ropts)
		defer rdb.Close()
		if err := rdb.Ping(ctx).Err(); err != nil {
			return sum, fmt.Errorf("redis: %w", err)
		}
		rq, err := idemredis.NewQueue(rdb)
		if err != nil {
			return sum, err
		}
		defer rq.Close()
		dead, sum.deadElsewhere = rq, true
		// Dead letters in Redis are kept: the checkpoint may move past them.
		cp = j.checkpoint
	}
	p, err := pipeline.BulkBackfill(ctx, pipeline.BulkBackfillConfig{
		Orders:      j.orders,
		Salesforce:  sf,
		Mapper:      m,
		Queue:       queue,
		DeadLetters: dead,
		From:        j.opts.from,
		To:          j.opts.to,
		Checkpoint:  cp,
		MinOrders:   j.opts.bulkThreshold,
		ChunkOrders: j.opts.bulkChunk,
		PageSize:    j.opts.pageSize,
		Logger:      j.libLogger,
		Progress: func(p pipeline.BulkProgress) {
			note := fmt.Sprintf("%s listed", thousands(p.Listed))
			if p.Phase != "listing" && p.Phase != "done" {
				note += ", writing " + p.Phase
			}
			j.meter.set(p.Done-p.Enqueued, note)
		},
	})
	// The orders of a range under the threshold went to the worker, whose
	// stats and results count them.
	sum.synced, sum.skipped, sum.failed, sum.jobs = int64(p.Written), int64(p.Skipped), int64(p.Failed), p.Jobs
	sum.bulk = p.Enqueued == 0
	j.meter.set(p.Done-p.Enqueued, "")
	return sum, err
}

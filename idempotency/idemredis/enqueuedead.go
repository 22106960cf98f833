package idemredis

import (
	"context"
	"fmt"

	"github.com/bc2sf/bc2sf/idempotency"
	"github.com/redis/go-redis/v9"
)

var _ idempotency.DeadLetterWriter = (*Queue)(nil)

// scriptEnqueueDead appends a message straight to the dead-letter stream,
// with the dedup window and the capacity of scriptEnqueue. Its ID is "d"
// and a number from the dead-letter sequence key, as no stream entry of a
// priority backs it; Replay copies it into its priority's stream under
// that ID. The entry has the fields scriptDeadLetter writes, with attempt 1
// and the enqueue, failure and first failure times all the server's now.
//
// KEYS: dedup, high, low, delayed, dead, dead index, dead sequence.
// ARGV: key, body, windowMs (0 = off), capacity, priority, reason.
// Returns {0, id, empty} added, {1, id, empty} duplicate, {2, empty,
// empty} full, as scriptEnqueue answers for one untagged message.
var scriptEnqueueDead = redis.NewScript(luaCommon + `
local window = tonumber(ARGV[3])
if window > 0 then
  local id = redis.call('GET', KEYS[1])
  if id then return {1, id, ''} end
end
local held = redis.call('XLEN', KEYS[2]) + redis.call('XLEN', KEYS[3]) +
  redis.call('ZCARD', KEYS[4]) + redis.call('XLEN', KEYS[5])
if held >= tonumber(ARGV[4]) then return {2, '', ''} end
local id = 'd' .. redis.call('INCR', KEYS[7])
local now = ms(nowms())
local did = redis.call('XADD', KEYS[5], '*', 'i', id, 'k', ARGV[1], 'b', ARGV[2], 'p', ARGV[5],
  'a', '1', 't', now, 'f', now, 'x', now, 'r', ARGV[6])
redis.call('HSET', KEYS[6], id, did)
if window > 0 then redis.call('SET', KEYS[1], id, 'PX', ARGV[3]) end
return {0, id, ''}
`)

// EnqueueDead implements idempotency.DeadLetterWriter in one script: the
// dedup window and capacity checks of Enqueue, then an entry of the
// dead-letter stream and its index. The message's ID is "d" followed by a
// number from the key {prefix}:q:dead:seq.
func (q *Queue) EnqueueDead(ctx context.Context, msg idempotency.Message, reason string) (idempotency.EnqueueResult, error) {
	if q.closed.Load() {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue dead: %w", idempotency.ErrClosed)
	}
	if msg.Key == "" {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue dead: %w: empty key", idempotency.ErrInvalidArgument)
	}
	if !msg.Priority.Valid() {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue dead: %w: priority %v", idempotency.ErrInvalidArgument, msg.Priority)
	}
	window := "0"
	if q.cfg.DedupWindow > 0 {
		window = millis(q.cfg.DedupWindow)
	}
	keys := []string{q.keys.dedup + msg.Key, q.keys.streams[0], q.keys.streams[1], q.keys.delayed,
		q.keys.dead, q.keys.deadIndex, q.keys.dead + ":seq"}
	res, err := scriptEnqueueDead.Run(ctx, q.client, keys,
		msg.Key, msg.Body, window, q.cfg.Capacity, int(msg.Priority), reason).Slice()
	if err != nil {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue dead: %w", err)
	}
	out, err := parseEnqueue(res, 1)
	if err == nil {
		err = out[0].err
	}
	if err != nil {
		return idempotency.EnqueueResult{}, fmt.Errorf("idemredis: enqueue dead: %w", err)
	}
	return out[0].res, nil
}

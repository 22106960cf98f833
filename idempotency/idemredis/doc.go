// Package idemredis implements idempotency.Store, idempotency.Queue with its
// idempotency.Inspector, and idempotency.Checkpoint on Redis (go-redis v9),
// so that receivers and workers on many machines share one queue, one
// record of finished work and one reconciler checkpoint.
//
// NewQueue and NewStore take a redis.UniversalClient that the caller owns
// (a *redis.Client, a *redis.ClusterClient or a failover client) and
// options: WithPrefix, WithGroup, WithConsumer, WithBlockTimeout, and
// WithOptions for the settings shared with every implementation (lease,
// retention, dedup window, capacity, logger). NewCheckpoint takes such a
// client and a key. Constructors make no network call. Redis 6.2 or later
// is required; the tests run against 7.0.
//
// # Key layout
//
// With the default prefix "bc2sf" a Queue uses these keys. The hash tag
// {bc2sf} puts them all in one Redis Cluster slot, which every script needs,
// since each touches several of them:
//
//	{bc2sf}:q:high          stream of PriorityHigh messages, consumer group "bc2sf"
//	{bc2sf}:q:low           stream of PriorityLow messages, same group
//	{bc2sf}:q:high:leases   sorted set: entry ID of each delivered high entry -> lease deadline (ms)
//	{bc2sf}:q:low:leases    the same for low entries
//	{bc2sf}:q:delayed       sorted set: retried message (MessagePack) -> due time (ms)
//	{bc2sf}:q:requeued      sorted set: retried or replayed message -> its enqueue time (ms)
//	{bc2sf}:q:dead          stream of dead letters
//	{bc2sf}:q:dead:index    hash: message ID -> dead-letter entry ID
//	{bc2sf}:q:dedup:<key>   string: ID of the message enqueued under <key>, expiring with the dedup window
//
// A stream entry holds k (key) and b (body); copies made by Retry and Replay
// add i (message ID), a (attempts before this entry), t (enqueue time) and
// x (first failure time). A dead letter adds p (priority), f (failure time)
// and r (reason). A message's ID is "h" or "l" followed by the stream entry
// ID of its first Enqueue, so it is stable across retries, redeliveries,
// dead-lettering and replay.
//
// The requeued set holds each message that is out of its stream's enqueue
// order: a copy made by Retry or Replay (member "h" or "l" and its entry
// ID) or a delayed retry (member "d:" and its message ID). Stats takes the
// oldest live message's enqueue time from it and from the first entry of
// each stream: fresh entries are in enqueue order, and every copy's entry
// ID is later than its enqueue time, so the minimum of the three is exact.
//
// A Store keeps one string per key, "bc2sf:store:<key>": "c:<token>" while
// claimed, with the lease as its expiry, and "d:<token>" once done, with the
// retention as its expiry. Store scripts touch one key each, so these keys
// carry no shared hash tag and spread over a cluster.
//
// A Checkpoint (NewCheckpoint) keeps a reconciler's checkpoint in one
// string, by default "bc2sf:reconcile:checkpoint" (CheckpointKey gives the
// key for another prefix): the time as RFC 3339 with nanoseconds in UTC,
// with no expiry.
//
// # How the queue works
//
// Enqueue is one script: it returns the earlier message's ID when the key
// is inside the dedup window, refuses when the queue holds its capacity
// (ready, in flight, delayed and dead together), else XADDs the entry and
// records the key with SET PX.
//
// Dequeue is one script that, in priority order, first redelivers an entry
// whose lease ended (XCLAIM, which raises its delivery count in the group's
// pending list) and then reads a fresh one (XREADGROUP >), and records the
// lease deadline in the lease set in the same step. Before that it moves due
// retries from the delayed set back to their streams. Leases live in a
// sorted set rather than in XAUTOCLAIM's min-idle-time because each Dequeue
// chooses its own lease. When nothing is ready, Dequeue blocks in XREAD on
// both streams from their current last entries (a read that claims nothing,
// so an abandoned wait loses no message) for at most the block timeout and
// never past the next retry or lease deadline, then looks again.
//
// A delivery's Token names its entry and its delivery count. Ack, Retry and
// DeadLetter are scripts that first check, with XPENDING, that the entry is
// still pending with that count: a redelivered message has a higher count,
// and a finished one is no longer pending, so a superseded delivery gets
// idempotency.ErrLeaseLost and nothing is acknowledged twice. Ack then runs
// XACK and XDEL (memory stays flat while a backlog drains); Retry adds a
// new entry at the end of the stream, or parks the message in the delayed
// set; DeadLetter appends it to the dead-letter stream. Attempt is the
// attempts carried in the entry plus the entry's delivery count.
//
// Each Queue reads under its own consumer name. Redelivery moves an entry to
// the consumer that takes it (XCLAIM), so a consumer that died ends up owning
// nothing, but its name stays in the group (XINFO CONSUMERS) until removed
// with XGROUP DELCONSUMER. Give long-lived workers a stable name with
// WithConsumer (a pod or host name) so that restarts reuse it.
//
// All deadlines and times use the server's clock (TIME inside the
// scripts), to the millisecond, so clients whose clocks differ agree.
//
// # Guarantees
//
// Those of idempotency.Queue and idempotency.Store, with delivery at least
// once, as far as Redis keeps its data:
//
//   - With appendonly yes and appendfsync always, a Redis restart or crash
//     loses nothing that a call reported done: queued messages, leases,
//     pending deliveries, delayed retries, dead letters, dedup keys and Store
//     keys come back, deliveries held across the restart can still be
//     acknowledged, and expired ones are redelivered.
//   - With appendfsync everysec (the Redis default when AOF is on) up to
//     about a second of writes can be lost in a crash of the machine.
//   - Without persistence a restart loses everything: the queue and the
//     Store start empty. The Queue notices the missing consumer group
//     (NOGROUP), creates it again and carries on, but the messages are
//     gone, and a receiver that had answered 2xx for them cannot get them
//     back. Run Redis with AOF for the queue.
//   - With replicas, a failover can lose writes that the old primary had
//     acknowledged but not yet replicated; WAIT is not used.
//
// # When Redis is down
//
// Every call returns an error that wraps go-redis's (for example a
// *net.OpError), so an HTTP receiver answers 503 and the sender delivers
// again; nothing panics. How long a call takes to fail is the client's
// dial timeout and retries (about 2 s with go-redis defaults for a refused
// connection), bounded by the context. Dequeue returns the error at once
// instead of retrying, so the worker's loop chooses its own backoff. Calls
// work again as soon as Redis is back; no Queue or Store needs rebuilding.
//
// go-redis sends a command again when its connection failed (up to the
// client's MaxRetries, 3 by default). If the first attempt had already run,
// the second sees its effect: a repeated Enqueue reports Duplicate with the
// same ID (with deduplication off, the message is queued twice), and a
// repeated Ack, Retry or DeadLetter reports idempotency.ErrLeaseLost although
// the first one took effect. No message is lost either way.
//
// # Redis Cluster
//
// A Queue's keys share one hash slot, so one queue lives on one shard:
// scale a cluster by running several queues with different prefixes. The
// blocking XREAD names both streams of the queue, which is allowed because
// they share the slot. Store keys spread over the cluster.
//
// # Costs
//
// Enqueue, Dequeue and Ack are one round trip each, like the bare XADD,
// XREADGROUP and XACK they wrap; the scripts do more work on the server
// (the benchmark in this package reports the ratio). Waiting consumers are
// woken together by a new entry and race for it with the Dequeue script;
// all but one go back to waiting.
package idemredis

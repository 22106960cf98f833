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
//	{bc2sf}:q:dead:seq      counter numbering the messages EnqueueDead adds
//	{bc2sf}:q:dedup:<key>   string: ID of the message enqueued under <key>, expiring with the dedup window
//
// A stream entry holds k (key) and b (body); copies made by Retry and Replay
// add i (message ID), a (attempts before this entry), t (enqueue time) and
// x (first failure time). A dead letter adds p (priority), f (failure time)
// and r (reason). A message's ID is "h" or "l" followed by the stream entry
// ID of its first Enqueue, so it is stable across retries, redeliveries,
// dead-lettering and replay; a message that EnqueueDead (the
// idempotency.DeadLetterWriter) put straight into the dead letters has "d"
// and a number from the dead:seq counter, and Replay copies it into its
// priority's stream under that ID.
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
// A delivery's Token names its entry, its delivery count and the lease
// deadline it was given. Ack, Retry and DeadLetter are scripts that first
// check that the entry's deadline in the lease set is still that one: a
// redelivery gives the entry a later deadline, and a finished delivery
// leaves the set, so a superseded delivery gets idempotency.ErrLeaseLost and
// nothing is acknowledged twice. Ack then runs XACK and XDEL (memory stays
// flat while a backlog drains); Retry adds a new entry at the end of the
// stream, or parks the message in the delayed set; DeadLetter appends it to
// the dead-letter stream. Attempt is the attempts carried in the entry plus
// the entry's delivery count.
//
// # Group commit
//
// Enqueue (and EnqueueTagged), Dequeue and Ack each share round trips
// between concurrent calls.
// A call made while no call of its kind is in flight is sent at once, alone,
// so a lone call waits for nothing. Calls made while one is in flight wait,
// and as soon as it returns they are sent together, up to 128, in one run of
// the script, which handles them in the order they arrived, exactly as if
// they had been sent one by one. At most one round trip of each kind is in
// flight per Queue, so under load the groups grow with the arrival rate
// instead of the number of connections, and Redis runs one script (and,
// with appendfsync always, one fsync) for a whole group.
//
// Each caller still waits for its own answer: Enqueue returns nil only once
// Redis has run the script that queued its message, and the script queues
// the whole group before it answers any of it, so a receiver that answers
// 200 after Enqueue returned answers it for a message Redis holds (and,
// with appendfsync always, has on disk), whichever caller of the group
// returns first. A message that Redis refuses inside a group (its
// priority's stream key holds another type, say) fails its own call only:
// the script writes each message under pcall, so its neighbours are queued
// and answered as usual, and the refused message leaves no dedup record. A
// failed round trip (Redis unreachable) fails exactly the calls it carried.
// A call whose context ends while it waits is taken out of its group and
// never sent; one whose context ends while its group is in flight returns
// at once, and the others in the group get their answers. Close
// lets the calls already waiting be sent and answered before it returns.
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
// once, as far as Redis keeps its data. A call that returned nil has its
// effect in the memory of the Redis server that answered; what survives a
// failure depends on how that server persists and replicates:
//
//   - No persistence (appendonly no and no save points): a restart loses
//     everything, and the queue and the Store start empty. The Queue notices
//     the missing consumer group (NOGROUP), creates it again and carries on,
//     but the messages are gone, and a receiver that had answered 2xx for
//     them cannot get them back. Fit for tests only.
//   - RDB snapshots only (save points, the stock redis.conf): a restart
//     brings back the last snapshot, so everything written since is lost:
//     minutes of accepted webhooks. Messages acknowledged since come back
//     and are delivered again (harmless: the Store's record of them is
//     rolled back too, and upsert by external ID makes the repeated write an
//     update), and tokens of deliveries made since get
//     idempotency.ErrLeaseLost.
//   - AOF with appendfsync everysec (Redis's default when appendonly is
//     on): Redis writes each change to the file (the operating system's
//     cache) as it goes, normally before it answers, and fsyncs once a
//     second. A crash of Redis alone loses little or nothing that was
//     answered; a crash of the machine can lose the last second or two of
//     answered writes.
//   - AOF with appendfsync always: Redis fsyncs the file before it sends the
//     answers of each event-loop pass, so nothing answered is lost, even to
//     a power cut, as far as the disk honours fsync: queued messages,
//     leases, pending deliveries, delayed retries, dead letters, dedup keys
//     and Store keys come back, deliveries held across the restart can still
//     be acknowledged, and expired ones are redelivered. Group commit keeps
//     its cost down: one script, one write and one fsync cover a whole group
//     of Enqueues.
//   - Replicas: replication is asynchronous, so a failover (Sentinel,
//     Cluster) can promote a replica that lacks the last writes the old
//     primary answered, and those are lost whatever the persistence. This
//     package does not send WAIT, which would only make a write wait until
//     replicas hold it in memory, nor WAITAOF (Redis 7.2), which waits for
//     their fsync; either would add a round trip to every group and still
//     not make a failover choose the replica that has the write. To bound
//     the loss, set min-replicas-to-write and min-replicas-max-lag on the
//     primary, which then refuses writes (so the receiver answers 503 and
//     the sender delivers again) while its replicas lag.
//
// The example programs assume a single Redis primary (or a failover whose
// loss you accept) with appendonly yes and appendfsync always, the setting
// under which a 200 from the receiver means the event is on disk.
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
// # Tagged enqueues
//
// A producer that keys each event's message by its resource's sync
// generation (see the idempotency package's Sync records; bc2sf's webhook
// sink does) would read the generation and then enqueue: two round trips
// before its 200. Queue.EnqueueTagged reads the generation inside the
// enqueue script, in the same round trip as the enqueue and its group, when
// the Store is an idemredis Store on the Queue's own client and that client
// is a *redis.Client (a single server or a Sentinel-managed one). On a
// cluster or ring client the Store's sync records live in other slots than
// the queue's keys, which no script may span, so EnqueueTagged reads the
// generation first and enqueues after, as it does for any other Store.
//
// A Queue's keys share one hash slot, so one queue lives on one shard:
// scale a cluster by running several queues with different prefixes. The
// blocking XREAD names both streams of the queue, which is allowed because
// they share the slot. Store keys spread over the cluster.
//
// # Costs
//
// A lone Enqueue, Dequeue or Ack is one round trip, like the bare XADD,
// XREADGROUP or XACK it wraps; concurrent ones share round trips (see Group
// commit), and a group runs one script whose commands take all of the
// group's messages at once where Redis allows it. What a group still does
// per message, besides what the bare commands do, and why:
//
//   - Enqueue: one XADD per message, as the bare commands, one HMGET per
//     tagged message (its resource's generation), and one SET PX of
//     the message's dedup key, because each key must expire on its own when
//     its window ends and Redis 7.0 has no expiry per hash field. The dedup
//     keys are read with one MGET and the capacity is counted once per
//     group.
//   - Dequeue: one XREADGROUP for the group, as the bare commands, and one
//     ZADD for the group with a member per delivery: each delivery has its
//     own lease deadline, which drives redelivery and tells a superseded
//     delivery that its lease is lost.
//   - Ack: one ZMSCORE (is each delivery still the live one?), one XACK, one
//     XDEL and one ZREM for the group. XDEL keeps memory flat while a backlog
//     drains and keeps XLEN equal to the messages held, which Stats and the
//     capacity count; ZREM closes the lease, so that a second Ack of the
//     same delivery gets idempotency.ErrLeaseLost.
//
// The scripts also carry every body through the Lua interpreter (into the
// script on Enqueue, out of it on Dequeue), which the bare commands do not;
// that is what running a group atomically costs. This package's benchmarks
// report the ratios (BenchmarkReceiver against a bare HTTP handler,
// BenchmarkThroughput against the bare commands batched the same way,
// BenchmarkRoundTripRatio for one message at a time). Waiting consumers are
// woken together by a new entry and look for it together, in one run of the
// Dequeue script; all but one go back to waiting.
package idemredis

package idemredis

import "github.com/redis/go-redis/v9"

// luaCommon is prepended to the queue scripts. Times are the server's
// milliseconds (TIME), so clients with skewed clocks agree on every deadline.
//
// A delayed message is a MessagePack array in the delayed sorted set:
// {priority, id, key, body, attempts, enqueuedMs, firstFailedMs}, scored by
// its due time.
//
// The requeued sorted set scores by enqueue time every message that is not
// in its stream's enqueue order: copies made by Retry and Replay (member:
// the ID prefix and entry ID, "h1700000000000-0") and delayed messages
// (member: "d:" and the message ID). With it, the oldest live message is
// the older of its first member and the first entry of each stream.
const luaCommon = `
local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ms(n) return string.format('%d', n) end
local function fields(kv)
  local f = {}
  for i = 1, #kv, 2 do f[kv[i]] = kv[i + 1] end
  return f
end
local function enqueued(f, eid)
  return f['t'] or string.match(eid, '^(%d+)')
end
local function copy(stream, requeued, prefix, id, k, b, a, t, x)
  local eid
  if x then
    eid = redis.call('XADD', stream, '*', 'i', id, 'k', k, 'b', b, 'a', a, 't', t, 'x', x)
  else
    eid = redis.call('XADD', stream, '*', 'i', id, 'k', k, 'b', b, 'a', a, 't', t)
  end
  redis.call('ZADD', requeued, t, prefix .. eid)
  return eid
end
local function promote(delayed, high, low, requeued, now)
  local due = redis.call('ZRANGEBYSCORE', delayed, '-inf', ms(now), 'LIMIT', 0, 100)
  for _, m in ipairs(due) do
    local f = cmsgpack.unpack(m)
    local s, prefix = high, 'h'
    if f[1] == 1 then s, prefix = low, 'l' end
    copy(s, requeued, prefix, f[2], f[3], f[4], tostring(f[5]), f[6], f[7])
    redis.call('ZREM', requeued, 'd:' .. f[2])
    redis.call('ZREM', delayed, m)
  end
end
`

// scriptEnqueue adds messages, each unless its key is inside the dedup
// window or the queue is full, in the order given, so a key repeated within
// one call is a duplicate of the first. An entry's ID, made from the
// server's clock, holds the enqueue time; copies made by Retry carry it in
// field t. A dedup key records the message ID only once the message is
// queued, so a full queue or a failed XADD leaves no trace. The dedup keys
// are read with one MGET, which sees a key of another type (something else
// wrote it) as absent; SET then replaces it.
//
// A tagged message (Queue.EnqueueTagged) first reads its resource's sync
// generation from the Store's sync record, as Store.Generation does (HMGET
// of fields e and n), and its key becomes the given key followed by that
// generation; its dedup key is then named inside the script, which is why
// a tagged group runs only on a client that is not a cluster.
//
// The writes of one message cannot fail the others: each XADD and each
// generation read runs under pcall, so a message whose stream cannot take
// it (a key of another type under that name, say) gets its own error while
// its neighbours are queued, and a script never stops half way with some
// messages written and every caller told it failed. A failed SET after a
// successful XADD only leaves the key unrecorded (a later duplicate is then
// queued again); the message is queued and reported so.
//
// KEYS: high, low, delayed, dead, then per message its dedup key, or for a
// tagged message its resource's sync record.
// ARGV: windowMs (0 = off), capacity, dedup key prefix, then priority, key,
// body and tagged ("1" or "0") per message.
// Returns three values per message: 0 and the ID when queued, 1 and the
// first message's ID for a duplicate, 2 and "" when the queue is full, 3
// and the error when its XADD or its generation read failed; then the
// generation it was tagged with ("" when untagged).
var scriptEnqueue = redis.NewScript(`
local window, capacity, dprefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local n = #KEYS - 4
local prefixes = {'h', 'l'}
local keys, dkeys, gens, failed = {}, {}, {}, {}
for i = 1, n do
  local b = 4 * i
  local key, gen = ARGV[b + 1], ''
  if ARGV[b + 3] == '1' then
    local r = redis.pcall('HMGET', KEYS[4 + i], 'e', 'n')
    if r.err then
      failed[i] = tostring(r.err)
    elseif r[1] and r[2] then
      gen = r[1] .. '.' .. r[2]
    else
      gen = '0'
    end
    key = key .. gen
    dkeys[i] = dprefix .. key
  else
    dkeys[i] = KEYS[4 + i]
  end
  keys[i], gens[i] = key, gen
end
local seen = {}
if window > 0 then seen = redis.call('MGET', unpack(dkeys)) end
local function len(cmd, key)
  local r = redis.pcall(cmd, key)
  if type(r) == 'number' then return r end
  return 0
end
local held
local out = {}
for i = 1, n do
  local o = 3 * i - 2
  local p, key, body = tonumber(ARGV[4 * i]), keys[i], ARGV[4 * i + 2]
  out[o + 2] = gens[i]
  local id = seen[i]
  if window > 0 and not id then id = seen[key] end
  if failed[i] then
    out[o], out[o + 1] = 3, failed[i]
  elseif id then
    out[o], out[o + 1] = 1, id
  else
    if not held then
      held = len('XLEN', KEYS[1]) + len('XLEN', KEYS[2]) + len('ZCARD', KEYS[3]) + len('XLEN', KEYS[4])
    end
    if held >= capacity then
      out[o], out[o + 1] = 2, ''
    else
      local eid = redis.pcall('XADD', KEYS[p + 1], '*', 'k', key, 'b', body)
      if type(eid) == 'table' then
        out[o], out[o + 1] = 3, tostring(eid.err or eid)
      else
        id = prefixes[p + 1] .. eid
        if window > 0 then
          redis.pcall('SET', dkeys[i], id, 'PX', ARGV[1])
          seen[key] = id
        end
        held = held + 1
        out[o], out[o + 1] = 0, id
      end
    end
  end
end
return out
`)

// scriptDequeue delivers up to one message per lease given, or says what
// to wait for. Each delivery is the one a lone Dequeue would get next: in
// priority order, first an expired lease (XCLAIM, which raises the entry's
// delivery count), then a fresh entry (XREADGROUP >). Every delivery is
// recorded in its priority's lease set in the same script, so no entry can
// be delivered without a lease.
//
// KEYS: high, low, high leases, low leases, delayed, requeued.
// ARGV: group, consumer, then one leaseMs per delivery wanted.
// Returns {deliveries, wait}: deliveries holds {priority, entryID, fields,
// deliveryCount, leaseUntilMs} for each message delivered, in the order of
// the leases; wait, when fewer were delivered than asked for, is {topHigh,
// topLow, nextDeadlineMs or -1, nowMs}, else empty.
var scriptDequeue = redis.NewScript(luaCommon + `
local group, consumer = ARGV[1], ARGV[2]
local want = #ARGV - 2
local now = nowms()
promote(KEYS[5], KEYS[1], KEYS[2], KEYS[6], now)
local prefixes = {'h', 'l'}
local out = {}
local untils = {}
local function lease()
  local l = ARGV[2 + #out + 1]
  local u = untils[l]
  if not u then
    u = ms(now + tonumber(l))
    untils[l] = u
  end
  return u
end
for p = 1, 2 do
  local s, l = KEYS[p], KEYS[p + 2]
  local misses = 0
  while #out < want and misses < 10 do
    local exp = redis.call('ZRANGEBYSCORE', l, '-inf', ms(now), 'LIMIT', 0, 1)
    if #exp == 0 then break end
    local r = redis.call('XCLAIM', s, group, consumer, 0, exp[1])
    if #r == 1 and r[1] then
      local c = redis.call('XPENDING', s, group, exp[1], exp[1], 1)
      local until_ = lease()
      redis.call('ZADD', l, until_, exp[1])
      out[#out + 1] = {p - 1, r[1][1], r[1][2], c[1][4], until_}
    else
      redis.call('ZREM', l, exp[1])
      redis.call('ZREM', KEYS[6], prefixes[p] .. exp[1])
      misses = misses + 1
    end
  end
  if #out < want then
    local r = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', want - #out, 'STREAMS', s, '>')
    if r and r[1] and #r[1][2] > 0 then
      local z = {}
      for _, e in ipairs(r[1][2]) do
        local until_ = lease()
        z[#z + 1] = until_
        z[#z + 1] = e[1]
        out[#out + 1] = {p - 1, e[1], e[2], 1, until_}
      end
      redis.call('ZADD', l, unpack(z))
    end
  end
end
if #out == want then return {out, {}} end
local w = {}
for p = 1, 2 do
  local top = redis.call('XREVRANGE', KEYS[p], '+', '-', 'COUNT', 1)
  if #top == 1 then w[p] = top[1][1] else w[p] = '0-0' end
end
local next_ = -1
for k = 3, 5 do
  local z = redis.call('ZRANGE', KEYS[k], 0, 0, 'WITHSCORES')
  if #z == 2 then
    local sc = tonumber(z[2])
    if next_ < 0 or sc < next_ then next_ = sc end
  end
end
w[3] = ms(next_)
w[4] = ms(now)
return {out, w}
`)

// luaOwns checks that a delivery is still the live one: its entry's lease
// deadline in the lease set is the one the delivery was given. Every
// delivery of an entry gets a later deadline than the last (a redelivery
// happens only once the last one passed, and leases are at least 1 ms),
// and Ack, Retry and DeadLetter remove the entry from the set, so a
// superseded or finished delivery fails the check; one whose lease ended
// but that was not delivered again passes it.
const luaOwns = `
local function owns(leases, eid, until_)
  local sc = redis.call('ZSCORE', leases, eid)
  return sc and tonumber(sc) == tonumber(until_)
end
local function finish(stream, leases, requeued, prefix, group, eid)
  local e = redis.call('XRANGE', stream, eid, eid)
  redis.call('XACK', stream, group, eid)
  redis.call('XDEL', stream, eid)
  redis.call('ZREM', leases, eid)
  redis.call('ZREM', requeued, prefix .. eid)
  if #e == 0 then return nil end
  return fields(e[1][2])
end
`

// scriptAck acknowledges and deletes entries, each if its delivery is
// still the live one, so memory stays flat while a backlog drains. It
// checks ownership with one ZMSCORE per priority and finishes the owned
// entries with one XACK, XDEL and ZREM per priority.
//
// KEYS: high, low, high leases, low leases, requeued.
// ARGV: group, then priority, entryID, leaseUntilMs per delivery.
// Returns one reply per delivery: 1, or 0 when its lease was lost.
var scriptAck = redis.NewScript(`
local group = ARGV[1]
local n = (#ARGV - 1) / 3
local prefixes = {'h', 'l'}
local requeued = redis.call('EXISTS', KEYS[5]) == 1
local out = {}
for p = 0, 1 do
  local idx, ids = {}, {}
  for i = 1, n do
    if tonumber(ARGV[3 * i - 1]) == p then
      idx[#idx + 1] = i
      ids[#ids + 1] = ARGV[3 * i]
    end
  end
  if #ids > 0 then
    local scores = redis.call('ZMSCORE', KEYS[p + 3], unpack(ids))
    local owned, tagged = {}, {}
    for k, i in ipairs(idx) do
      if scores[k] and tonumber(scores[k]) == tonumber(ARGV[3 * i + 1]) then
        out[i] = 1
        owned[#owned + 1] = ids[k]
        if requeued then tagged[#tagged + 1] = prefixes[p + 1] .. ids[k] end
      else
        out[i] = 0
      end
    end
    if #owned > 0 then
      redis.call('XACK', KEYS[p + 1], group, unpack(owned))
      redis.call('XDEL', KEYS[p + 1], unpack(owned))
      redis.call('ZREM', KEYS[p + 3], unpack(owned))
      if requeued then redis.call('ZREM', KEYS[5], unpack(tagged)) end
    end
  end
end
return out
`)

// scriptRetry finishes the delivery and queues the message again, at once
// (a new entry at the end of its stream) or in the delayed set.
//
// The copy records in field x when the message first failed: this Retry,
// unless an earlier one did.
//
// KEYS: stream, leases, delayed, requeued.
// ARGV: group, entryID, deliveryCount, priority, ID prefix, delayMs,
// leaseUntilMs.
// Returns 1, or 0 when the lease was lost.
var scriptRetry = redis.NewScript(luaCommon + luaOwns + `
if not owns(KEYS[2], ARGV[2], ARGV[7]) then return 0 end
local f = finish(KEYS[1], KEYS[2], KEYS[4], ARGV[5], ARGV[1], ARGV[2])
if not f then return 0 end
local now = nowms()
local id = f['i'] or (ARGV[5] .. ARGV[2])
local attempt = tostring((tonumber(f['a']) or 0) + tonumber(ARGV[3]))
local t = enqueued(f, ARGV[2])
local x = f['x'] or ms(now)
local delay = tonumber(ARGV[6])
if delay <= 0 then
  copy(KEYS[1], KEYS[4], ARGV[5], id, f['k'], f['b'], attempt, t, x)
else
  local m = cmsgpack.pack({tonumber(ARGV[4]), id, f['k'], f['b'], tonumber(attempt), t, x})
  redis.call('ZADD', KEYS[3], ms(now + delay), m)
  redis.call('ZADD', KEYS[4], t, 'd:' .. id)
end
return 1
`)

// scriptDeadLetter finishes the delivery and appends the message to the
// dead-letter stream, indexed by message ID for Replay.
//
// The dead letter's field f is the failure time, and x the first failure's
// (the copy's x, else f).
//
// KEYS: stream, leases, dead, dead index, requeued.
// ARGV: group, entryID, deliveryCount, priority, ID prefix, reason,
// leaseUntilMs.
// Returns 1, or 0 when the lease was lost.
var scriptDeadLetter = redis.NewScript(luaCommon + luaOwns + `
if not owns(KEYS[2], ARGV[2], ARGV[7]) then return 0 end
local f = finish(KEYS[1], KEYS[2], KEYS[5], ARGV[5], ARGV[1], ARGV[2])
if not f then return 0 end
local id = f['i'] or (ARGV[5] .. ARGV[2])
local attempt = (tonumber(f['a']) or 0) + tonumber(ARGV[3])
local now = ms(nowms())
local did = redis.call('XADD', KEYS[3], '*', 'i', id, 'k', f['k'], 'b', f['b'], 'p', ARGV[4],
  'a', tostring(attempt), 't', enqueued(f, ARGV[2]), 'f', now, 'x', f['x'] or now, 'r', ARGV[6])
redis.call('HSET', KEYS[4], id, did)
return 1
`)

// scriptReplay moves a dead letter back to the end of its priority's stream
// with its attempts reset and its first failure kept.
//
// KEYS: dead, dead index, high, low, requeued. ARGV: message ID.
// Returns 1, or 0 when no dead letter has the ID.
var scriptReplay = redis.NewScript(luaCommon + `
local did = redis.call('HGET', KEYS[2], ARGV[1])
if not did then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
local e = redis.call('XRANGE', KEYS[1], did, did)
if #e == 0 then return 0 end
local f = fields(e[1][2])
local s, prefix = KEYS[3], 'h'
if f['p'] == '1' then s, prefix = KEYS[4], 'l' end
copy(s, KEYS[5], prefix, ARGV[1], f['k'], f['b'], '0', f['t'], f['x'] or f['f'])
redis.call('XDEL', KEYS[1], did)
return 1
`)

// scriptStats promotes due delayed messages (so that they count as ready),
// counts, and finds the oldest live message's enqueue time: the older of
// the first requeued member and the first entry of each stream (see
// luaCommon for why that is exact).
//
// KEYS: high, low, high leases, low leases, delayed, dead, requeued.
// Returns {len high, len low, leased high, leased low, delayed, dead,
// oldestMs or -1}.
var scriptStats = redis.NewScript(luaCommon + `
promote(KEYS[5], KEYS[1], KEYS[2], KEYS[7], nowms())
local oldest = -1
local z = redis.call('ZRANGE', KEYS[7], 0, 0, 'WITHSCORES')
if #z == 2 then oldest = tonumber(z[2]) end
for p = 1, 2 do
  local first = redis.call('XRANGE', KEYS[p], '-', '+', 'COUNT', 1)
  if #first == 1 then
    local t = tonumber(string.match(first[1][1], '^(%d+)'))
    if oldest < 0 or t < oldest then oldest = t end
  end
end
return {redis.call('XLEN', KEYS[1]), redis.call('XLEN', KEYS[2]),
  redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4]),
  redis.call('ZCARD', KEYS[5]), redis.call('XLEN', KEYS[6]), oldest}
`)

// scriptBegin claims an absent key, or reports its state.
//
// KEYS: key. ARGV: token, leaseMs.
// Returns {status, expiresAtMs or -1} with status 1 claimed, 2 done,
// 3 in flight.
var scriptBegin = redis.NewScript(luaCommon + `
local now = nowms()
if redis.call('SET', KEYS[1], 'c:' .. ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, ms(now + tonumber(ARGV[2]))}
end
local v = redis.call('GET', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
local exp = -1
if ttl >= 0 then exp = now + ttl end
if v and string.sub(v, 1, 2) == 'd:' then return {2, ms(exp)} end
return {3, ms(exp)}
`)

// scriptComplete marks the key done if the token holds it, or held it and
// its lease ended with nobody else claiming it (the key is then absent).
// Completing again with the completing token succeeds and changes nothing.
//
// KEYS: key. ARGV: token, retentionMs. Returns 1, or 0 when the lease was lost.
var scriptComplete = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == 'd:' .. ARGV[1] then return 1 end
if v and v ~= 'c:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'd:' .. ARGV[1], 'PX', ARGV[2])
return 1
`)

// scriptRelease deletes the key if the token holds it; an absent key is
// already free.
//
// KEYS: key. ARGV: token. Returns 1, or 0 when the lease was lost.
var scriptRelease = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 1 end
if v ~= 'c:' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`)

// scriptStartSync claims a resource for a sync unless a finished sync
// covers the message's generation (ARGV[1]: "" untagged, "0" from before any
// record, else "<epoch>.<n>") or another claim's lease runs. A new record's
// epoch is the server's time in microseconds.
//
// KEYS: sync record. ARGV: generation, token, leaseMs, retentionMs.
// Returns {1, leaseEndMs, version} claimed, {2} covered, {3, leaseEndMs}
// held.
var scriptStartSync = redis.NewScript(luaCommon + `
local now = nowms()
local f = redis.call('HMGET', KEYS[1], 'e', 'n', 'c', 'v', 't', 'x')
local e = f[1]
local n, c = tonumber(f[2] or '0'), tonumber(f[3] or '0')
local t, x = f[5] or '', tonumber(f[6] or '0')
if not e then
  local tm = redis.call('TIME')
  e = tm[1] .. string.format('%06d', tonumber(tm[2]))
end
local g = ARGV[1]
if g ~= '' then
  local ge, gn = g, '0'
  if g ~= '0' then ge, gn = string.match(g, '^([^.]+)%.(%d+)$') end
  if ge then
    if ge ~= e then
      if c > 0 then return {2} end
    elseif tonumber(gn) < c then
      return {2}
    end
  end
end
if t ~= '' and x > now then return {3, ms(x)} end
n = n + 1
local lease = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'e', e, 'n', ms(n), 'c', ms(c), 't', ARGV[2], 'x', ms(now + lease), 'h', ms(n))
redis.call('PEXPIRE', KEYS[1], ms(math.max(tonumber(ARGV[4]), lease)))
return {1, ms(now + lease), f[4] or ''}
`)

// scriptFinishSync records a finished sync if the token holds the claim:
// the generations below the claim's count as covered, a non-empty version
// is recorded, and the claim is cleared.
//
// KEYS: sync record. ARGV: token, version, retentionMs.
// Returns 1, or 0 when the claim was lost.
var scriptFinishSync = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 't', 'h', 'c')
if not f[1] or f[1] ~= ARGV[1] then return 0 end
local c = math.max(tonumber(f[3] or '0'), tonumber(f[2] or '0'))
redis.call('HSET', KEYS[1], 'c', string.format('%d', c), 't', '')
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'v', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

// scriptAbortSync clears the claim if the token holds it; a record with no
// claim, or none at all, is already free.
//
// KEYS: sync record. ARGV: token. Returns 1, or 0 when the claim was lost.
var scriptAbortSync = redis.NewScript(`
local t = redis.call('HGET', KEYS[1], 't')
if not t or t == '' then return 1 end
if t ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 't', '')
return 1
`)

// scriptDeleteDead removes a dead letter for good.
//
// KEYS: dead, dead index. ARGV: message ID.
// Returns 1, or 0 when no dead letter has the ID.
var scriptDeleteDead = redis.NewScript(`
local did = redis.call('HGET', KEYS[2], ARGV[1])
if not did then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('XDEL', KEYS[1], did)
`)

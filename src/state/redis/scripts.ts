/**
 * The Lua scripts of the Redis backend. A script runs atomically in Redis, so each check-and-write
 * below is one step no other client can interleave with. Times are the server's (TIME), so the
 * instances' clocks need not agree. Keys are built from a prefix passed as ARGV[1]; the backend is
 * meant for one Redis server (or a primary with replicas), not Redis Cluster.
 */

const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Writes keys, deletes keys and appends dedupe ids of one source (the body shared by the commits below). */
const WRITE = `
local function write(p, source, args, at)
  local nkeys = tonumber(args[at]); at = at + 1
  local state = p .. 'state:' .. source
  for i = 1, nkeys do redis.call('HSET', state, args[at], args[at + 1]); at = at + 2 end
  local ndel = tonumber(args[at]); at = at + 1
  for i = 1, ndel do redis.call('HDEL', state, args[at]); at = at + 1 end
  local cap = tonumber(args[at]); at = at + 1
  local nids = tonumber(args[at]); at = at + 1
  local dedupe = p .. 'dedupe:' .. source
  for i = 1, nids do redis.call('RPUSH', dedupe, args[at]); at = at + 1 end
  if cap > 0 then redis.call('LTRIM', dedupe, -cap, -1) end
  redis.call('SADD', p .. 'sources', source)
end`;

/** ARGV: prefix, source, owner, token, then the write arguments. Returns 1 when written, 0 when the lease moved on. */
export const FENCED_COMMIT = `${WRITE}
local p, source = ARGV[1], ARGV[2]
local lease = redis.call('HMGET', p .. 'lease:' .. source, 'owner', 'token')
if lease[1] ~= ARGV[3] or lease[2] ~= ARGV[4] then return 0 end
write(p, source, ARGV, 5)
return 1`;

/** An operator's write: the lease is revoked (new token, no owner) and the state written. ARGV: prefix, source, then the write arguments. */
export const OPERATOR_COMMIT = `${WRITE}
local p, source = ARGV[1], ARGV[2]
local key = p .. 'lease:' .. source
redis.call('HINCRBY', key, 'token', 1)
redis.call('HSET', key, 'owner', '', 'expires', 0)
redis.call('SADD', p .. 'leases', source)
write(p, source, ARGV, 3)
return 1`;

/** ARGV: prefix, source. Revokes the lease and forgets the state. */
export const RESET = `
local p, source = ARGV[1], ARGV[2]
local key = p .. 'lease:' .. source
redis.call('HINCRBY', key, 'token', 1)
redis.call('HSET', key, 'owner', '', 'expires', 0)
redis.call('SADD', p .. 'leases', source)
redis.call('DEL', p .. 'state:' .. source, p .. 'dedupe:' .. source)
redis.call('SREM', p .. 'sources', source)
return 1`;

/** ARGV: prefix, source, owner, ttlMs. Returns {token, expires, previous owner} or nil when held by a live owner. */
export const ACQUIRE = `${NOW}
local p, source, owner, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local key = p .. 'lease:' .. source
local cur = redis.call('HMGET', key, 'owner', 'expires')
if cur[1] and cur[1] ~= '' and tonumber(cur[2] or '0') > now then return nil end
local token = redis.call('HINCRBY', key, 'token', 1)
redis.call('HSET', key, 'owner', owner, 'expires', now + ttl)
redis.call('SADD', p .. 'leases', source)
return {tostring(token), tostring(now + ttl), cur[1] or ''}`;

/** ARGV: prefix, owner, ttlMs, then source/token pairs. Returns source/expiry pairs of the leases still held. */
export const RENEW = `${NOW}
local p, owner, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local out = {}
for i = 4, #ARGV, 2 do
  local key = p .. 'lease:' .. ARGV[i]
  local cur = redis.call('HMGET', key, 'owner', 'token')
  if cur[1] == owner and cur[2] == ARGV[i + 1] then
    redis.call('HSET', key, 'expires', now + ttl)
    table.insert(out, ARGV[i]); table.insert(out, tostring(now + ttl))
  end
end
return out`;

/** ARGV: prefix, source, owner, token. */
export const RELEASE = `
local key = ARGV[1] .. 'lease:' .. ARGV[2]
local cur = redis.call('HMGET', key, 'owner', 'token')
if cur[1] == ARGV[3] and cur[2] == ARGV[4] then redis.call('HSET', key, 'owner', '', 'expires', 0) end
return 1`;

/** ARGV: prefix, instance, ttlMs. Returns the live instances. */
export const HEARTBEAT = `${NOW}
local key = ARGV[1] .. 'instances'
redis.call('ZADD', key, now + tonumber(ARGV[3]), ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
return redis.call('ZRANGE', key, 0, -1)`;

/** ARGV: prefix, instance. Releases every lease the instance holds and leaves the membership. */
export const LEAVE = `
local p, owner = ARGV[1], ARGV[2]
for _, source in ipairs(redis.call('SMEMBERS', p .. 'leases')) do
  local key = p .. 'lease:' .. source
  if redis.call('HGET', key, 'owner') == owner then redis.call('HSET', key, 'owner', '', 'expires', 0) end
end
redis.call('ZREM', p .. 'instances', owner)
return 1`;

/** ARGV: prefix. Returns source, owner, token, expires for every lease row; owner '' when free or expired. */
export const LEASES = `${NOW}
local p = ARGV[1]
local out = {}
for _, source in ipairs(redis.call('SMEMBERS', p .. 'leases')) do
  local cur = redis.call('HMGET', p .. 'lease:' .. source, 'owner', 'token', 'expires')
  local live = cur[1] and cur[1] ~= '' and tonumber(cur[3] or '0') > now
  table.insert(out, source); table.insert(out, live and cur[1] or ''); table.insert(out, cur[2] or '0'); table.insert(out, live and cur[3] or '')
end
return out`;

/**
 * ARGV: prefix, budget, slot id, in-flight cap ms, then window/limit pairs. One sorted set per
 * window, scored by when each request leaves it. Returns {0, slot} when taken, {1, wait ms} when not.
 */
export const BUDGET_TAKE = `${NOW}
local p, budget, slot, cap = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local wait = 0
for i = 5, #ARGV, 2 do
  local window, limit = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local key = p .. 'budget:' .. budget .. ':' .. window
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local n = redis.call('ZCARD', key)
  if n >= limit then
    local leaving = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
    local ms = tonumber(leaving[2]) - now
    -- Still in flight (scored with the cap): its end is unknown, so look again soon.
    if ms > window then ms = 250 end
    if ms > wait then wait = ms end
  end
end
if wait > 0 then return {1, tostring(wait)} end
for i = 5, #ARGV, 2 do
  local window = tonumber(ARGV[i])
  redis.call('ZADD', p .. 'budget:' .. budget .. ':' .. window, now + cap + window, slot)
  redis.call('PEXPIRE', p .. 'budget:' .. budget .. ':' .. window, cap + window)
end
return {0, slot}`;

/** ARGV: prefix, budget, slot id, then windows. The request is done: it leaves each window a window from now. */
export const BUDGET_DONE = `${NOW}
for i = 4, #ARGV do
  redis.call('ZADD', ARGV[1] .. 'budget:' .. ARGV[2] .. ':' .. ARGV[i], 'XX', now + tonumber(ARGV[i]), ARGV[3])
end
return 1`;

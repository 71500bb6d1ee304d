import { REDIS_TIME } from '../common/lua-prelude';
import { defineLuaScript } from '../redis/lua-script';

/*
 * Session scripts. Layout (see session-keys.ts): a session is one string,
 *   s1|<createdAt>|<deadline>|<expiresAt>|<ttl>|<version>|<userId, percent-encoded>|<data>
 * (times in epoch ms, data as the serializer wrote it; scripts never parse the data, so they
 * cannot alter it). A user's index is a sorted set of handles scored by deadline in microseconds.
 * Every script touches only the keys it declares; scripts that need the sessions listed in an
 * index take those keys from a previous read, and when the index holds a member they must touch
 * but did not declare, they change nothing and return -1 plus the current members, and the
 * caller runs them again. Time is the Redis server's (TIME), so instances with skewed clocks agree.
 */

const NOW = `${REDIS_TIME}local nowUs = redisTimeUs()
local now = math.floor(nowUs / 1000)
`;

const VALUE = `local function parse(v)
  if not v then return nil end
  local c, a, x, t, ver, u, pos = string.match(v, '^s1|(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|([^|]*)|()')
  if not pos then return nil end
  return { c = tonumber(c), a = tonumber(a), x = tonumber(x), t = tonumber(t), ver = tonumber(ver), u = u, pos = pos }
end
local function build(h, data)
  return string.format('s1|%d|%d|%d|%d|%d|%s|', h.c, h.a, h.x, h.t, h.ver, h.u) .. data
end
local function store(key, h, data)
  local v = build(h, data)
  redis.call('SET', key, v)
  redis.call('PEXPIREAT', key, h.x)
  return v
end
`;

// Sessions never outlive their deadline, so index members whose deadline has passed are expired.
const PRUNE_BY_DEADLINE = `local function pruneByDeadline(index)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', string.format('(%d', now * 1000))
end
`;

/**
 * Reads a session and slides its expiry (rolling mode). An extension smaller than
 * min(1s, 1% of ttl) is skipped, so a burst of requests on one session writes once, not per request.
 * Returns the value (nil if gone).
 */
export const SESSION_READ_ROLLING = defineLuaScript(
  'session-read-rolling',
  `${NOW}${VALUE}
local v = redis.call('GET', KEYS[1])
local h = parse(v)
if not h then return v end
local e = math.min(now + h.t, h.a)
if e - h.x >= math.min(1000, h.t / 100) then
  h.x = e
  v = store(KEYS[1], h, string.sub(v, h.pos))
end
return v`,
);

/**
 * Compare-and-set of the data: writes ARGV[2] only if the session exists and its version is still
 * ARGV[1], so an update racing a destroy never brings the session back and two merges never lose
 * each other's fields. ARGV[3] = rolling. Returns nil (gone), {0, current value} (version moved:
 * merge again) or {1, new value}.
 */
export const SESSION_UPDATE = defineLuaScript(
  'session-update',
  `${NOW}${VALUE}
local v = redis.call('GET', KEYS[1])
local h = parse(v)
if not h then return false end
if h.ver ~= tonumber(ARGV[1]) then return {0, v} end
h.ver = h.ver + 1
if ARGV[3] == '1' then h.x = math.max(h.x, math.min(now + h.t, h.a)) end
return {1, store(KEYS[1], h, ARGV[2])}`,
);

/** Extends an existing session's expiry (never past its deadline); returns it, or nil if gone. */
export const SESSION_TOUCH = defineLuaScript(
  'session-touch',
  `${NOW}${VALUE}
local v = redis.call('GET', KEYS[1])
local h = parse(v)
if not h then return false end
local e = math.min(now + h.t, h.a)
if e > h.x then
  h.x = e
  store(KEYS[1], h, string.sub(v, h.pos))
end
return h.x`,
);

/** Deletes a session; returns its (percent-encoded) user id, '' for none, or nil if it did not exist. */
export const SESSION_DESTROY = defineLuaScript(
  'session-destroy',
  `${VALUE}
local h = parse(redis.call('GET', KEYS[1]))
if redis.call('DEL', KEYS[1]) == 0 then return false end
if h then return h.u end
return ''`,
);

/**
 * Creates a session, or moves one (rotation), and keeps the users' indexes in step: a rotation
 * to another user leaves the previous user's index and joins the new one in the same step.
 * KEYS: new session, [index], [source], [previous index], member keys (as many as ARGV[3], in ARGV order).
 * ARGV: 1 hasIndex, 2 hasSource, 3 nMembers (-1: none declared yet), 4 handle, 5 userId
 * (percent-encoded, '' none), 6 ttl, 7 maxLifetime, 8 maxPerUser (0 none), 9 keepLifetime,
 * 10 sourceHandle, 11 pruneAt, 12 data, 13 keepData (the source's data moves; else ARGV[12]),
 * 14 hasPreviousIndex, then nMembers handles.
 * Returns {0} (source gone), {-1, members...} (declare these and run again; only index entries of
 * sessions already gone may have been dropped) or {1, createdAt, expiresAt, deadline, evicted handles...}.
 */
export const SESSION_WRITE = defineLuaScript(
  'session-write',
  `${NOW}${VALUE}${PRUNE_BY_DEADLINE}
local hasIndex, hasSource = ARGV[1] == '1', ARGV[2] == '1'
local nMembers = tonumber(ARGV[3])
local handle = ARGV[4]
local ttl, maxLifetime, maxPerUser = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local keep, sourceHandle, pruneAt, data = ARGV[9] == '1', ARGV[10], tonumber(ARGV[11]), ARGV[12]
local keepData, hasPrevious = ARGV[13] == '1', ARGV[14] == '1'
local key, index, source, previous = KEYS[1], nil, nil, nil
local k = 1
if hasIndex then k = k + 1; index = KEYS[k] end
if hasSource then k = k + 1; source = KEYS[k] end
if hasPrevious then k = k + 1; previous = KEYS[k] end
local memberKeyBase, argBase = k, 14

local h = { c = now, a = now + maxLifetime, t = ttl, ver = 1, u = ARGV[5] }
h.x = math.min(now + ttl, h.a)
local score = h.a * 1000 + nowUs % 1000
if hasSource then
  local sv = redis.call('GET', source)
  local sh = parse(sv)
  if not sh then return {0} end
  if keepData then data = string.sub(sv, sh.pos) end
  if keep then
    h.c, h.a, h.x, h.t = sh.c, sh.a, sh.x, sh.t
    -- The moved session keeps its place in the user's order.
    score = (hasIndex and tonumber(redis.call('ZSCORE', index, sourceHandle))) or h.a * 1000
  end
end

local evicted = {}
if hasIndex then
  pruneByDeadline(index)
  local members = redis.call('ZRANGE', index, 0, -1)
  local count = #members
  if hasSource and redis.call('ZSCORE', index, sourceHandle) then count = count - 1 end
  if (maxPerUser > 0 and count >= maxPerUser) or #members > pruneAt then
    if nMembers < 0 then
      table.insert(members, 1, -1)
      return members
    end
    local keyOf = {}
    for i = 1, nMembers do keyOf[ARGV[argBase + i]] = KEYS[memberKeyBase + i] end
    -- Oldest first. Entries of sessions already gone are dropped; members added since the
    -- caller's read were not declared: they count as live, and as long as they are newer than the
    -- sessions to evict (the usual case: they were just created), no rerun is needed.
    local live = {}
    for _, m in ipairs(members) do
      if m ~= sourceHandle then
        if not keyOf[m] or redis.call('EXISTS', keyOf[m]) == 1 then
          live[#live + 1] = m
        else
          redis.call('ZREM', index, m)
        end
      end
    end
    local excess = 0
    if maxPerUser > 0 then excess = #live - maxPerUser + 1 end
    for i = 1, excess do
      if not keyOf[live[i]] then
        members = redis.call('ZRANGE', index, 0, -1)
        table.insert(members, 1, -1)
        return members
      end
    end
    for i = 1, excess do
      redis.call('DEL', keyOf[live[i]])
      redis.call('ZREM', index, live[i])
      evicted[#evicted + 1] = live[i]
    end
  end
end

if hasSource then
  redis.call('DEL', source)
  if hasIndex then redis.call('ZREM', index, sourceHandle) end
  if hasPrevious then redis.call('ZREM', previous, sourceHandle) end
end
store(key, h, data)
if hasIndex then
  redis.call('ZADD', index, score, handle)
  local top = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', index, math.ceil(tonumber(top[2]) / 1000))
end
local reply = {1, h.c, h.x, h.a}
for _, e in ipairs(evicted) do reply[#reply + 1] = e end
return reply`,
);

/**
 * Reads the sessions an index lists and drops entries whose session is gone.
 * KEYS: index, member keys; ARGV: member handles. Returns {handle, value, handle, value, ...}.
 */
export const SESSION_LIST = defineLuaScript(
  'session-list',
  `${NOW}${PRUNE_BY_DEADLINE}
pruneByDeadline(KEYS[1])
local out = {}
for i = 1, #ARGV do
  local v = redis.call('GET', KEYS[i + 1])
  if not v then
    redis.call('ZREM', KEYS[1], ARGV[i])
  else
    out[#out + 1] = ARGV[i]
    out[#out + 1] = v
  end
end
return out`,
);

/**
 * "Log out everywhere": deletes every session in the index and the index, in one step.
 * KEYS: index, member keys; ARGV: member handles. Returns {1, deleted live handles...}, or
 * {-1, members...} when the index holds a member not declared (nothing was deleted).
 */
export const SESSION_DESTROY_ALL = defineLuaScript(
  'session-destroy-all',
  `${NOW}${PRUNE_BY_DEADLINE}
pruneByDeadline(KEYS[1])
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local keyOf = {}
for i = 1, #ARGV do keyOf[ARGV[i]] = KEYS[i + 1] end
for _, m in ipairs(members) do
  if not keyOf[m] then
    table.insert(members, 1, -1)
    return members
  end
end
local removed = {1}
for _, m in ipairs(members) do
  if redis.call('DEL', keyOf[m]) == 1 then removed[#removed + 1] = m end
end
redis.call('DEL', KEYS[1])
return removed`,
);

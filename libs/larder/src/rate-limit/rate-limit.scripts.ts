import { REDIS_TIME } from '../common/lua-prelude';
import { defineLuaScript } from '../redis/lua-script';

/** Algorithm codes passed to the script (and used by the memory store's mirror of it). */
export const ALGORITHM_CODE = { 'fixed-window': 1, 'sliding-window': 2, 'token-bucket': 3 } as const;

/** Segments a sliding window is kept in: a unit comes back between `window` and `window * (1 + 1/SEGMENTS)` later. */
export const SLIDING_SEGMENTS = 10;

/** Arguments per rule after ARGV[1]. */
export const ARGS_PER_RULE = 5;

/** Slack for token arithmetic in floating point, so a refill that lands exactly on a token counts. */
export const TOKEN_EPSILON = 1e-9;

/**
 * Checks every rule of one request, then consumes from all of them only if all allow: one round
 * trip, atomic, so concurrent requests can never both take the last unit.
 *
 * KEYS[2i-1], KEYS[2i]: state and block key of rule i (one hash tag per client key).
 * ARGV[1]: now in ms, or '' for the server clock (TIME), so every instance shares one clock.
 * ARGV[2 + 5(i-1) ..]: algorithm code, limit, window ms, cost, blockFor ms.
 * Returns { allowed, then per rule: ok, remaining, resetMs, retryAfterMs }.
 */
export const RATE_LIMIT_SCRIPT = defineLuaScript(
  'rate-limit',
  `
if redis.replicate_commands then redis.replicate_commands() end
${REDIS_TIME}local now = tonumber(ARGV[1])
if not now then now = redisTimeMs() end
local SEGMENTS = ${SLIDING_SEGMENTS}
local EPS = ${TOKEN_EPSILON}
local n = #KEYS / 2
local allowed = 1
local rs = {}

for i = 1, n do
  local a = 1 + (i - 1) * ${ARGS_PER_RULE}
  local algo, limit, window = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local cost, blockFor = tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  local key, blockKey = KEYS[2 * i - 1], KEYS[2 * i]
  -- used: units in use before this request; resetBefore/After: ms until the quota is whole again
  -- if this request is refused/consumed; commit: the write that consumes.
  local ok, used, resetBefore, resetAfter, retry, commit = false, limit, 0, 0, 0, nil
  local blocked = 0
  if blockFor > 0 then
    local untilMs = tonumber(redis.call('GET', blockKey))
    if untilMs and untilMs > now then blocked = untilMs - now end
  end

  if blocked > 0 then
    resetBefore, retry = blocked, blocked
  elseif algo == 1 then
    local v = redis.call('HMGET', key, 'c', 's')
    local count, start = tonumber(v[1]) or 0, tonumber(v[2])
    local fresh = not start or now >= start + window
    if fresh then count, start = 0, now end
    local ends = start + window
    ok = count + cost <= limit
    used = count
    resetBefore = count > 0 and ends - now or 0
    resetAfter = ends - now
    retry = ok and 0 or ends - now
    -- Like INCR + PEXPIRE: the expiry is set once, when the window starts.
    commit = fresh and { 1, key, cost, start, window } or { 4, key, cost }
  elseif algo == 2 then
    local width = window / SEGMENTS
    local current = math.floor(now / width)
    local flat = redis.call('HGETALL', key)
    local idxs, counts, stale, total, newest = {}, {}, {}, 0, -1
    for j = 1, #flat, 2 do
      local idx, cnt = tonumber(flat[j]), tonumber(flat[j + 1])
      if idx < current - SEGMENTS then
        stale[#stale + 1] = flat[j]
      else
        idxs[#idxs + 1] = idx
        counts[idx] = cnt
        total = total + cnt
        if idx > newest then newest = idx end
      end
    end
    if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
    ok = total + cost <= limit
    used = total
    resetBefore = total > 0 and math.ceil((newest + SEGMENTS + 1) * width - now) or 0
    resetAfter = math.ceil((math.max(newest, current) + SEGMENTS + 1) * width - now)
    if not ok then
      table.sort(idxs)
      local need, freed = total + cost - limit, 0
      for _, idx in ipairs(idxs) do
        freed = freed + counts[idx]
        if freed >= need then
          retry = math.ceil((idx + SEGMENTS + 1) * width - now)
          break
        end
      end
    end
    -- Every hit of a segment computes the same expiry instant, so only the segment's first hit sets it.
    commit = { 2, key, current, cost, counts[current] == nil and resetAfter or 0 }
  else
    local v = redis.call('HMGET', key, 't', 'ts')
    local tokens, ts = tonumber(v[1]), tonumber(v[2])
    if not tokens or not ts then tokens, ts = limit, now end
    if now > ts then
      tokens = math.min(limit, tokens + (now - ts) * limit / window)
      ts = now
    end
    ok = tokens + EPS >= cost
    local left = math.max(0, tokens - cost)
    used = limit - tokens
    resetBefore = math.ceil((limit - tokens) * window / limit - EPS)
    resetAfter = math.ceil((limit - left) * window / limit - EPS)
    retry = ok and 0 or math.ceil((cost - tokens) * window / limit - EPS)
    commit = { 3, key, left, ts, math.max(1, resetAfter) }
  end

  if not ok and blocked == 0 and blockFor > 0 then
    -- NX: a block runs from the first refusal; refusals during it never extend it.
    redis.call('SET', blockKey, now + blockFor, 'PX', blockFor, 'NX')
    if retry < blockFor then retry = blockFor end
    if resetBefore < blockFor then resetBefore = blockFor end
  end
  if not ok then allowed = 0 end
  rs[i] = { ok, used, resetBefore, resetAfter, retry, commit, limit, cost }
end

local out = { allowed }
for i = 1, n do
  local r = rs[i]
  local used = allowed == 1 and r[2] + r[8] or r[2]
  local remaining = math.floor(r[7] - used + EPS)
  if remaining < 0 then remaining = 0 end
  out[#out + 1] = r[1] and 1 or 0
  out[#out + 1] = remaining
  out[#out + 1] = math.ceil(allowed == 1 and r[4] or r[3])
  out[#out + 1] = math.ceil(r[5])
  if allowed == 1 then
    local c = r[6]
    if c[1] == 4 then
      redis.call('HINCRBY', c[2], 'c', c[3])
    elseif c[1] == 2 then
      redis.call('HINCRBY', c[2], c[3], c[4])
      if c[5] > 0 then redis.call('PEXPIRE', c[2], c[5]) end
    elseif c[1] == 1 then
      redis.call('HSET', c[2], 'c', c[3], 's', c[4])
      redis.call('PEXPIRE', c[2], c[5])
    else
      redis.call('HSET', c[2], 't', c[3], 'ts', c[4])
      redis.call('PEXPIRE', c[2], c[5])
    end
  end
end
return out
`,
);

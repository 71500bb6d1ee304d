import { REDIS_TIME } from '../common/lua-prelude';
import { defineLuaScript, type LuaScript } from '../redis/lua-script';
import {
  SLIDING_FAST_LUA,
  SLIDING_SEGMENTS,
  SLIDING_WINDOW_LUA,
  slidingFastBakedLua,
} from './sliding-window.lua';

export { SLIDING_SEGMENTS };

/** Algorithm codes passed to the general script (and used by the memory store's mirror of it). */
export const ALGORITHM_CODE = { 'fixed-window': 1, 'sliding-window': 2, 'token-bucket': 3 } as const;

/** Slack for token arithmetic in floating point, so a refill that lands exactly on a token counts. */
export const TOKEN_EPSILON = 1e-9;

/** The fixed-window and token-bucket checks of the general script (hashes of two fields each). */
const OTHER_ALGORITHMS = `
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
  elseif algo == 3 then
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
    commit = { 3, key, left, ts, math.max(1, resetAfter) }`;

const OTHER_COMMITS = `
    elseif c[1] == 4 then
      redis.call('HINCRBY', c[2], 'c', c[3])
    elseif c[1] == 1 then
      redis.call('HSET', c[2], 'c', c[3], 's', c[4])
      redis.call('PEXPIRE', c[2], c[5])
    elseif c[1] == 3 then
      redis.call('HSET', c[2], 't', c[3], 'ts', c[4])
      redis.call('PEXPIRE', c[2], c[5])`;

/**
 * One request's rules in one atomic script: every rule is checked, then all consume only if all
 * allow, so concurrent requests can never both take the last unit. `general` scripts take any
 * algorithm (a code per rule); the other handles sliding windows only, the default and the
 * common case, with one argument less per rule and none of the other algorithms' Lua to run.
 *
 * KEYS: the state key of each rule, then the block key of each rule whose blockFor > 0, in order.
 * ARGV per rule: [algorithm code (general only)], limit, window ms, cost, blockFor ms; then,
 * optionally, now in ms (tests' clock; otherwise the server's TIME, so every instance shares one clock).
 * Returns { allowed, then per rule: ok, remaining, resetMs, retryAfterMs }.
 */
function rateLimitLua(general: boolean, fast = false, baked?: readonly number[]): string {
  const perRule = general ? 5 : fast ? 3 : 4;
  const at = general ? 1 : 0;
  // Baked: the rules' parameters are literals shadowing ARGV, whose only element is the optional clock.
  // Baked: the fast path has the rules' parameters as literals, and for the general code after it
  // they shadow ARGV, whose only element is the optional clock.
  const head = baked
    ? `local n = ${baked.length / perRule}
local now = tonumber(ARGV[1]) or redisTimeMs()
${slidingFastBakedLua(baked)}local ARGV = { ${baked.join(', ')} }`
    : `local n = math.floor(#ARGV / ${perRule})
local now = tonumber(ARGV[${perRule} * n + 1]) or redisTimeMs()
${fast ? SLIDING_FAST_LUA : ''}`;
  return `${REDIS_TIME}${head}${SLIDING_WINDOW_LUA}
${general ? `local EPS = ${TOKEN_EPSILON}\n` : ''}local allowed, blocks = 1, n
local rs = {}

for i = 1, n do
  local a = (i - 1) * ${perRule}
  local algo = ${general ? 'tonumber(ARGV[a + 1])' : '2'}
  local limit, window = tonumber(ARGV[a + ${at + 1}]), tonumber(ARGV[a + ${at + 2}])
  local cost, blockFor = tonumber(ARGV[a + ${at + 3}]), ${fast ? '0' : `tonumber(ARGV[a + ${at + 4}])`}
  local key, blockKey = KEYS[i], nil
  -- used: units in use before this request; resetBefore/After: ms until the quota is whole again
  -- if this request is refused/consumed; commit: the write that consumes.
  local ok, used, resetBefore, resetAfter, retry, commit = false, limit, 0, 0, 0, nil
  local blocked = 0
  if blockFor > 0 then
    blocks = blocks + 1
    blockKey = KEYS[blocks]
    local untilMs = tonumber(redis.call('GET', blockKey))
    if untilMs and untilMs > now then blocked = untilMs - now end
  end

  if blocked > 0 then
    resetBefore, retry = blocked, blocked
  elseif algo == 2 then
    -- commit: the window's state; slidingCommit writes it.
    ok, used, resetBefore, resetAfter, retry, commit = slidingCheck(key, limit, window, cost, now)${general ? OTHER_ALGORITHMS : ''}
  end

  if not ok and blocked == 0 and blockFor > 0 then
    -- NX: a block runs from the first refusal; refusals during it never extend it.
    redis.call('SET', blockKey, now + blockFor, 'PX', blockFor, 'NX')
    if retry < blockFor then retry = blockFor end
    if resetBefore < blockFor then resetBefore = blockFor end
  end
  if not ok then allowed = 0 end
  rs[i] = { ok, used, resetBefore, resetAfter, retry, commit, limit, cost, algo }
end

local out = { allowed }
for i = 1, n do
  local r, o = rs[i], 4 * i - 2
  local used = allowed == 1 and r[2] + r[8] or r[2]
  local remaining = ${general ? 'math.floor(r[7] - used + EPS)' : 'r[7] - used'}
  if remaining < 0 then remaining = 0 end
  out[o] = r[1] and 1 or 0
  out[o + 1] = remaining
  out[o + 2] = ${general ? 'math.ceil(allowed == 1 and r[4] or r[3])' : 'allowed == 1 and r[4] or r[3]'}
  out[o + 3] = ${general ? 'math.ceil(r[5])' : 'r[5]'}
  if allowed == 1 then
    local c = r[6]
    if r[9] == 2 then
      slidingCommit(KEYS[i], c, r[8], r[4])${general ? OTHER_COMMITS : ''}
    end
  end
end
return out
`;
}

/** Any mix of algorithms (fixed window, sliding window, token bucket) in one request. */
export const RATE_LIMIT_SCRIPT = defineLuaScript('rate-limit', rateLimitLua(true));

/** Requests whose rules are all sliding windows (the default algorithm). */
export const SLIDING_WINDOW_SCRIPT = defineLuaScript('rate-limit-sliding', rateLimitLua(false));

/**
 * Sliding windows that never block, on distinct counters (the default rule, and most routes'
 * rules): ARGV per rule is limit, window ms, cost, and the common case (an allowed request within
 * the newest segment) replies with one integer per rule (SLIDING_FAST_LUA); any other case
 * replies as the other scripts do.
 */
export const SLIDING_FAST_SCRIPT = defineLuaScript('rate-limit-sliding-fast', rateLimitLua(false, true));

/**
 * SLIDING_FAST_SCRIPT with the rules' limit, window and cost written into the script, so a call
 * sends only its keys: each argument cost Redis about 3 k instructions (a Lua string per argument
 * and its parse), a sixth of the whole check. One script per set of rule parameters; the store
 * keeps a bounded number of them, since each stays in Redis' script cache.
 */
export function bakedSlidingScript(
  rules: ReadonlyArray<{ limit: number; windowMs: number; cost: number }>,
): LuaScript {
  const values = rules.flatMap((r) => [r.limit, r.windowMs, r.cost]);
  return defineLuaScript(`rate-limit-sliding-fast ${values.join(':')}`, rateLimitLua(false, true, values));
}

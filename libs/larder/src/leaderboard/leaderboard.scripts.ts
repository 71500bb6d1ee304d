import { defineLuaScript } from '../redis/lua-script';

/*
 * Leaderboard scripts (the key layout is leaderboard-keys.ts). Each touches only the board's one
 * key, so it runs on Redis Cluster, and each write is one atomic step: the score change, the
 * maxMembers trim, the ttl refresh and the rank it reports never interleave with another write.
 * ARGV of the writes end with ttl (ms, 0 = keep), maxMembers (0 = no limit) and the order.
 */

/** Trim, ttl and the member's [score, rank] (false when trimmed away), shared by the writes. */
const FINISH = `local function finish(key, member, ttl, max, desc)
  if max > 0 then
    if desc then
      redis.call('ZREMRANGEBYRANK', key, 0, -(max + 1))
    else
      redis.call('ZREMRANGEBYRANK', key, max, -1)
    end
  end
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  local score = redis.call('ZSCORE', key, member)
  if not score then return false end
  local rank
  if desc then rank = redis.call('ZREVRANK', key, member) else rank = redis.call('ZRANK', key, member) end
  return {score, rank}
end
`;

/**
 * ZADD, with ARGV[3] = 'better' only when the score beats the current one (GT on a 'desc' board,
 * LT on an 'asc' one; a new member is always added). ARGV: member, score, mode, ttl, max, order.
 */
export const LEADERBOARD_ADD = defineLuaScript(
  'leaderboard-add',
  `${FINISH}local desc = ARGV[6] == 'desc'
if ARGV[3] == 'better' then
  redis.call('ZADD', KEYS[1], desc and 'GT' or 'LT', ARGV[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
return finish(KEYS[1], ARGV[1], tonumber(ARGV[4]), tonumber(ARGV[5]), desc)`,
);

/** ZINCRBY. ARGV: member, by, ttl, max, order. */
export const LEADERBOARD_INCREMENT = defineLuaScript(
  'leaderboard-increment',
  `${FINISH}redis.call('ZINCRBY', KEYS[1], ARGV[2], ARGV[1])
return finish(KEYS[1], ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == 'desc')`,
);

/**
 * The member's rank and the entries up to ARGV[2] on each side, in one read: {start, flat
 * member/score list}, or false when the member is not on the board. ARGV: member, n, order.
 */
export const LEADERBOARD_AROUND = defineLuaScript(
  'leaderboard-around',
  `local desc = ARGV[3] == 'desc'
local rank
if desc then rank = redis.call('ZREVRANK', KEYS[1], ARGV[1]) else rank = redis.call('ZRANK', KEYS[1], ARGV[1]) end
if not rank then return false end
local n = tonumber(ARGV[2])
local start = math.max(0, rank - n)
local read = desc and 'ZREVRANGE' or 'ZRANGE'
return {start, redis.call(read, KEYS[1], start, rank + n, 'WITHSCORES')}`,
);

import { defineLuaScript } from '../redis/lua-script';

/* Lock scripts (keys in lock-keys.ts): each is one atomic step, so a grant, a release and an extension never interleave. */

/**
 * SET NX PX and, only when that succeeds, INCR of the fence counter: one atomic step, so a fence
 * is issued exactly once per grant. The counter never expires, so fences keep rising across
 * expiries of the lock itself.
 */
export const ACQUIRE = defineLuaScript(
  'lock-acquire',
  `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return false`,
);

/** Compare-and-delete: 1 when the lock was ours and is gone, 0 (deleting nothing) otherwise. */
export const RELEASE = defineLuaScript(
  'lock-release',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
);

/**
 * Compare-and-delete for a release by owner, which does not know the fence. The counter only
 * moves on a grant, so while the lock is held its value is the holder's fence.
 */
export const RELEASE_OWNED = defineLuaScript(
  'lock-release-owned',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
return false`,
);

/** Compare-and-pexpire. */
export const EXTEND = defineLuaScript(
  'lock-extend',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`,
);

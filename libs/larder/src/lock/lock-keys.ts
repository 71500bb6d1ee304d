import { InvalidKeyError } from '../errors';
import { assertKey } from '../common/assert-key';
import { describe } from '../common/describe';

/**
 * Lock keys starting with this are the cache's load locks (`getOrSet` with `lock`), taken on the
 * module's lock store beside LockService's own locks, so LockService refuses keys starting with it.
 */
export const LOAD_LOCK_PREFIX = '#load:';

/**
 * Checks a lock key: a non-empty string of at most `max` characters that does not start with `}`
 * or with `#load:`. The key becomes the Redis hash tag `{<key>}`; a leading `}` would make that
 * tag empty, and the lock and its fence counter could then land in different cluster slots. A
 * `#load:` key is a cache entry's load lock in the same store: holding or releasing one through
 * LockService would block or break the cache's stampede protection for that entry.
 */
export function assertLockKey(key: unknown, max: number): asserts key is string {
  assertKey('lock key', key, max);
  const first = key.charCodeAt(0);
  if (first === 0x7d) {
    throw new InvalidKeyError(`Invalid lock key: ${describe(key)}. A lock key must not start with "}".`);
  }
  if (first === 0x23 && key.startsWith(LOAD_LOCK_PREFIX)) {
    throw new InvalidKeyError(
      `Invalid lock key: ${describe(key)}. A lock key must not start with "${LOAD_LOCK_PREFIX}": ` +
        "those keys are the cache's load locks (getOrSet with lock) in the same lock store.",
    );
  }
}

/** Redis key prefix of a namespace's locks; the lock key itself follows inside `{...}`. */
export function lockKeyPrefix(namespace: string): string {
  return `${namespace}:lock:{`;
}

/**
 * The lock key and its fence counter: `<namespace>:lock:{<key>}` and `<namespace>:lock:{<key>}:fence`.
 * Both share the hash tag `{<key>}`, so one script can touch both on Redis Cluster.
 */
export function redisLockKeys(prefix: string, key: string): [lockKey: string, fenceKey: string] {
  const lockKey = redisLockKey(prefix, key);
  return [lockKey, `${lockKey}:fence`];
}

/** Just the lock key, `<namespace>:lock:{<key>}`, for scripts that do not touch the fence. */
export function redisLockKey(prefix: string, key: string): string {
  return `${prefix}${key}}`;
}

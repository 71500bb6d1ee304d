import { LruMap } from '../../common/lru-map';
import type { CacheCore, Scope } from '../cache-core';
import type { Lookup } from '../cache-reader';
import type { LoadPolicy } from './resilience-options';

/** Why `getOrSet` answered with a value past its ttl instead of a fresh one or an error. */
export type StaleReason =
  /** The loader threw. */
  | 'loader-error'
  /** The store could not be read, and L1 still held a copy. */
  | 'store-unavailable'
  /** The loader failed moments ago (within `failSafeThrottle`) and was not tried again. */
  | 'fail-safe-throttle';

/** Keys whose throttle windows are remembered at once; the least recently failed go first. */
const MAX_THROTTLED_KEYS = 10_000;

/**
 * The keys whose loader failed recently, each with the time it may be tried again. In process:
 * each instance shields the database from its own callers.
 */
export class FailSafeThrottle {
  private readonly until = new LruMap<number>(MAX_THROTTLED_KEYS);

  isThrottled(full: string): boolean {
    const until = this.until.peek(full);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(full);
    return false;
  }

  start(full: string, ms: number): void {
    this.until.set(full, Date.now() + ms);
  }
}

/**
 * The miss path of `getOrSet` once the store has been read (`found` holds no live value): the
 * loader runs and its value is stored, unless a stale value (kept for `grace`) can stand in. It
 * does when the store could not be read, when the loader throws (then the loader rests for
 * `failSafeThrottle`), and while that rest lasts. Without grace, loader errors reach the caller.
 */
export async function loadOrFallBack<T>(
  core: CacheCore,
  scope: Scope,
  key: string,
  full: string,
  found: Lookup,
  loader: () => T | Promise<T>,
  store: (value: T) => Promise<void>,
  policy: LoadPolicy,
): Promise<T> {
  const stale = policy.grace > 0 ? (found.stale as T | undefined) : undefined;
  if (stale === undefined) return runAndStore(loader, store);
  if (found.unreadable) return serveStale(core, scope, key, stale, 'store-unavailable');
  if (core.failSafe.isThrottled(full)) return serveStale(core, scope, key, stale, 'fail-safe-throttle');
  let value: T;
  try {
    value = await loader();
  } catch (error) {
    core.failSafe.start(full, policy.failSafeThrottle);
    return serveStale(core, scope, key, stale, 'loader-error', error);
  }
  if (value !== undefined) await store(value);
  return value;
}

async function runAndStore<T>(loader: () => T | Promise<T>, store: (value: T) => Promise<void>): Promise<T> {
  const value = await loader();
  if (value !== undefined) await store(value);
  return value;
}

function serveStale<T>(
  core: CacheCore,
  scope: Scope,
  key: string,
  stale: T,
  reason: StaleReason,
  cause?: unknown,
): T {
  core.counters.stale++;
  if (core.events.wants('stale')) {
    const error = cause === undefined ? undefined : cause instanceof Error ? cause : new Error(String(cause));
    core.events.emit('stale', { ...core.base(scope, key), reason, error });
  }
  return stale;
}

import { systemClock, type LarderClock } from '../../common/clock';
import { LruMap } from '../../common/lru-map';
import type { CacheCore, Scope } from '../cache-core';

/** Why `getOrSet` answered with a value past its ttl instead of a fresh one or an error. */
export type StaleReason =
  /** The loader threw. */
  | 'loader-error'
  /** The loader passed `timeout.soft`; it goes on in the background and its value will be stored. */
  | 'soft-timeout'
  /** The loader passed `timeout.hard` and was abandoned (its signal aborted). */
  | 'hard-timeout'
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

  constructor(private readonly clock: LarderClock = systemClock) {}

  isThrottled(full: string): boolean {
    const until = this.until.peek(full);
    if (until === undefined) return false;
    if (until > this.clock.now()) return true;
    this.until.delete(full);
    return false;
  }

  start(full: string, ms: number): void {
    this.until.set(full, this.clock.now() + ms);
  }
}

/** Returns `stale` in place of a fresh value: counted in `stats().stale`, told in a `stale` event. */
export function serveStale<T>(
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

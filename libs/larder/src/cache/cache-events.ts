import { TypedEvents } from '../common/typed-events';
import type { StaleReason } from './resilience/fail-safe';
import type { LockFallbackReason } from './resilience/shared-load';
import type { BreakerTransition } from '../redis/circuit-breaker';

/** Which tier answered or was written: the in-process L1 or the value store (L2). */
export type CacheTier = 'l1' | 'l2';

/** Payload of every cache event. `key` is the key inside the namespace scope, `namespace` the scope prefix. */
export interface CacheEventBase {
  /** Cache name (`name` option), as used in metric labels. */
  cache: string;
  key?: string;
  namespace: string;
  tier?: CacheTier;
  /** Milliseconds the operation took, where it did I/O. */
  durationMs?: number;
}

/** Every event CacheService emits, by name. */
export interface CacheEventMap {
  hit: CacheEventBase & { key: string; tier: CacheTier };
  miss: CacheEventBase & { key: string };
  write: CacheEventBase & { key: string };
  delete: CacheEventBase & { key: string };
  clear: CacheEventBase & { removed: number };
  /** An L1 entry, or an entry of the in-process value store (`tier: 'l2'`), was dropped past its expiry. */
  expire: CacheEventBase & { key: string; tier: CacheTier };
  /** An L1 entry, or an entry of the in-process value store (`tier: 'l2'`), was dropped to make room. */
  evict: CacheEventBase & { key: string; tier: CacheTier };
  /** A store call failed; the operation failed open unless `throwOnError` is set. */
  error: CacheEventBase & { operation: string; error: Error };
  /** `getOrSet` answered with a value past its ttl (kept for `grace`); `error` is the loader's, when it threw. */
  stale: CacheEventBase & { key: string; reason: StaleReason; error?: Error };
  /** A load with `lock` got the value another instance loaded; `durationMs` is how long it waited. */
  'lock-wait': CacheEventBase & { key: string };
  /** A load with `lock` ran the loader here after all (`reason` says why), `durationMs` after it started. */
  'lock-fallback': CacheEventBase & { key: string; reason: LockFallbackReason };
  /**
   * The Redis circuit breaker changed state (`closed` → `open` → `half-open` → `closed` or `open`);
   * it guards every Redis call of this module, not just the cache's. See docs/resilience.md.
   */
  breaker: CacheEventBase & BreakerTransition;
}

export type CacheEventName = keyof CacheEventMap;

/** Every cache event name, for code that subscribes to all of them (the console). */
export const CACHE_EVENT_NAMES: readonly CacheEventName[] = Object.freeze([
  'hit',
  'miss',
  'write',
  'delete',
  'clear',
  'expire',
  'evict',
  'error',
  'stale',
  'lock-wait',
  'lock-fallback',
  'breaker',
]);
export type CacheEventListener<E extends CacheEventName> = (event: CacheEventMap[E]) => void;

/**
 * A typed event stream. `wants(name)` lets the hot path skip building a payload nobody listens
 * to, so events cost nothing when unused.
 */
export class CacheEvents extends TypedEvents<CacheEventMap> {}

import type { Duration } from '../../common/duration';
import { optionKeys } from '../../common/known-keys';

/** Loader time limits: see ResilienceOptions.timeout. */
export interface LoaderTimeouts {
  /** Past this, a caller that has a stale value gets it, while the loader finishes in the background. */
  soft?: Duration;
  /** Past this, the loader is abandoned (its signal aborted): stale value, or `E_LOADER_TIMEOUT`. */
  hard?: Duration;
}

/** Cross-instance stampede protection: see ResilienceOptions.lock. */
export interface LoadLockOptions {
  /**
   * How long a caller waits for the value another instance is loading before it runs the loader
   * itself. Default 5s.
   */
  wait?: Duration;
}

/**
 * How `getOrSet` and `@Cacheable` behave when the loader or Redis fails. Set per call, per
 * decorator, or as the module's `resilience` defaults (a call's fields win over the defaults).
 *
 * @example
 * await cache.getOrSet('prices', loadPrices, { ttl: '1m', grace: '1h', failSafeThrottle: '10s' });
 * await cache.getOrSet('report', ({ signal }) => build(signal), { grace: '1d', timeout: { soft: '100ms', hard: '2s' } });
 */
export interface ResilienceOptions {
  /**
   * How long past its ttl an entry stays stored as a fallback. Past ttl the entry is not served as
   * a hit; but when the loader throws or times out, or Redis cannot be read while L1 holds a copy,
   * the stale value is returned instead (a `stale` event says why). Default: none, and a loader
   * error reaches the caller. Ignored for entries without expiry.
   */
  grace?: Duration;
  /**
   * After a fallback to a stale value, how long that key's loader is not tried again (the stale
   * value is served meanwhile), so a failing database is not hit by every request. Default 5s.
   */
  failSafeThrottle?: Duration;
  /**
   * Loader time limits. `soft` applies when there is a stale value to give (else the caller
   * waits): the caller gets it at once and the loader's result is stored when it arrives. `hard`
   * abandons the loader: its `signal` is aborted, and the caller gets the stale value or a
   * `LoaderTimeoutError` (`E_LOADER_TIMEOUT`). `soft` must be shorter than `hard`. Default: none.
   */
  timeout?: LoaderTimeouts;
  /**
   * Refresh-ahead (stale-while-revalidate), as a fraction of the ttl: a hit past `refreshAhead *
   * ttl` is served at once and starts one background load of that key (single-flight), which
   * stores the new value before the old one expires, so a key read steadily never misses.
   * Between 0 and 1, e.g. 0.8; 0 or unset: off.
   */
  refreshAhead?: number;
  /**
   * Cross-instance stampede protection: on a miss (and for a refresh-ahead), the loader runs in
   * one instance at a time. The others wait, woken when the value is written, and read it; when
   * `wait` (default 5s) runs out or the loading instance dies, they run the loader themselves.
   * Needs a shared store (Redis): on memory it is the in-process single-flight every load has.
   * If Redis fails, loads go on as without it. `true` or `{ wait }`; `false` or unset: off.
   */
  lock?: boolean | LoadLockOptions;
}

/** What a load does on failure, resolved to milliseconds (0 = off). */
export interface LoadPolicy {
  readonly grace: number;
  readonly failSafeThrottle: number;
  readonly soft: number;
  readonly hard: number;
  readonly refreshAhead: number;
  /** How long to wait for another instance's load (ms); 0: no cross-instance lock. */
  readonly lockWait: number;
}

/** A few seconds: long enough to shield a failing database, short enough to notice it is back. */
export const DEFAULT_FAIL_SAFE_THROTTLE = 5_000;
/** Longer than most loaders take, short enough for a request to still be worth answering. */
export const DEFAULT_LOCK_WAIT = 5_000;

export const RESILIENCE_KEYS = optionKeys<ResilienceOptions>({
  grace: true,
  failSafeThrottle: true,
  timeout: true,
  refreshAhead: true,
  lock: true,
});
export const TIMEOUT_KEYS = optionKeys<LoaderTimeouts>({ soft: true, hard: true });
export const LOCK_KEYS = optionKeys<LoadLockOptions>({ wait: true });

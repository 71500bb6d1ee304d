import { LoaderTimeoutError } from '../../errors';
import type { CacheCore, Scope } from '../cache-core';
import type { Lookup } from '../cache-read-through';
import { serveStale } from './fail-safe';
import type { LoadPolicy } from './resilience-options';
import { loadWithLock, type SharedLoadJob } from './shared-load';

/** What a `getOrSet` loader is given. */
export interface LoaderContext {
  /**
   * Aborted, with a LoaderTimeoutError as its reason, when the loader passes `timeout.hard` and is
   * abandoned: hand it to `fetch`, a database driver or anything else that can stop early.
   */
  readonly signal: AbortSignal;
}

/** The function `getOrSet` runs on a miss. */
export type Loader<T> = (context: LoaderContext) => T | Promise<T>;

const SOFT: unique symbol = Symbol('soft timeout');

/**
 * The miss path of `getOrSet` once the store has been read (`found` holds no live value): the
 * loader runs under `timeout.hard` and its value is stored (with `lock`, in one instance at a
 * time: see loadShared), unless a stale value (kept for `grace`) stands in. It does when the
 * store could not be read; when the loader throws or passes `timeout.hard` (then the loader rests
 * for `failSafeThrottle`) and while that rest lasts; and when the load passes `timeout.soft`,
 * which leaves it running in the background to store its value. Without a stale value, loader
 * errors and LoaderTimeoutError reach the caller.
 */
export async function loadOrFallBack<T>(
  core: CacheCore,
  scope: Scope,
  job: SharedLoadJob<T>,
  found: Lookup,
  policy: LoadPolicy,
): Promise<T> {
  const { key, full } = job;
  const stale = policy.grace > 0 ? (found.stale as T | undefined) : undefined;
  if (stale !== undefined) {
    if (found.unreadable) return serveStale(core, scope, key, stale, 'store-unavailable');
    if (core.failSafe.isThrottled(full)) return serveStale(core, scope, key, stale, 'fail-safe-throttle');
  }
  // A load already past its soft timeout is still at work on this key: never start a second one.
  const running = core.background.get(full) as Promise<T> | undefined;
  if (running) return stale === undefined ? running : serveStale(core, scope, key, stale, 'soft-timeout');

  const landed = policy.lockWait > 0 ? loadWithLock(core, scope, job, found, policy.lockWait) : job.load();
  if (stale === undefined) return landed;
  try {
    const first = policy.soft > 0 ? await beforeSoft(landed, policy.soft) : await landed;
    if (first !== SOFT) return first;
  } catch (error) {
    core.failSafe.start(full, policy.failSafeThrottle);
    const reason = error instanceof LoaderTimeoutError ? 'hard-timeout' : 'loader-error';
    return serveStale(core, scope, key, stale, reason, error);
  }
  finishInBackground(core, full, landed, policy.failSafeThrottle);
  return serveStale(core, scope, key, stale, 'soft-timeout');
}

/** Runs the loader with a signal; past `hard` ms (0: no limit) the signal is aborted and the run rejects. */
export function run<T>(loader: Loader<T>, hard: number, key: string): Promise<T> {
  const controller = new AbortController();
  // The executor turns a synchronous throw into a rejection like any loader error.
  const started = new Promise<T>((resolve) => resolve(loader({ signal: controller.signal })));
  if (hard === 0) return started;
  let timer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new LoaderTimeoutError(
        `The loader of "${key}" ran past timeout.hard (${hard}ms) and was abandoned.`,
      );
      controller.abort(error);
      reject(error);
    }, hard);
    timer.unref();
  });
  return Promise.race([started, abandoned]).finally(() => clearTimeout(timer));
}

/** `landed`'s outcome if it settles within `ms`, else SOFT (it keeps running). */
function beforeSoft<T>(landed: Promise<T>, ms: number): Promise<T | typeof SOFT> {
  let timer: NodeJS.Timeout | undefined;
  const soft = new Promise<typeof SOFT>((resolve) => {
    timer = setTimeout(resolve, ms, SOFT);
    timer.unref();
  });
  return Promise.race([landed, soft]).finally(() => clearTimeout(timer));
}

/** Lets a load outlive its callers; while it runs, later callers get the stale value, not a second load. */
export function finishInBackground(
  core: CacheCore,
  full: string,
  landed: Promise<unknown>,
  throttle: number,
): void {
  core.background.set(full, landed);
  const forget = () => {
    if (core.background.get(full) === landed) core.background.delete(full);
  };
  landed.then(forget, () => {
    forget();
    core.failSafe.start(full, throttle);
  });
}

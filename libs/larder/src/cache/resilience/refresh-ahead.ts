import type { CacheCore } from '../cache-core';
import { finishInBackground, run, type Loader } from './resilient-load';
import type { LoadPolicy } from './resilience-options';

/** A hit `getOrSet` just served: its key, where its ttl ends (epoch ms) and the call's ttl. */
export interface ServedHit {
  key: string;
  full: string;
  endsAt: number | undefined;
  ttl: number;
}

/**
 * Starts one background load of a key whose hit is past `refreshAhead` of its ttl, unless one is
 * already running (refresh or soft-timed-out load) or the key's loader is resting after a
 * failure. The caller has its value already; the new one is stored when the loader finishes.
 */
export function refreshIfDue<T>(
  core: CacheCore,
  hit: ServedHit,
  loader: Loader<T>,
  store: (value: T) => Promise<void>,
  policy: LoadPolicy,
): void {
  const { endsAt, ttl, full } = hit;
  if (endsAt === undefined || ttl <= 0 || Date.now() < endsAt - ttl * (1 - policy.refreshAhead)) return;
  if (core.background.has(full) || core.failSafe.isThrottled(full)) return;
  const landed = run(loader, policy.hard, hit.key).then(async (value) => {
    if (value !== undefined) await store(value);
  });
  finishInBackground(core, full, landed, policy.failSafeThrottle);
}

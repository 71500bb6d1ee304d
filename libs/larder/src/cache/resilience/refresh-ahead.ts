import type { CacheCore } from '../cache-core';
import { finishInBackground } from './resilient-load';
import type { LoadPolicy } from './resilience-options';
import { LEASE_TTL_MS, type LoadLocks } from './load-locks';
import type { SharedLoadJob } from './shared-load';

/** Whether, at `now` (the core's clock), a hit whose ttl ends at `endsAt` (epoch ms) is past `fraction` of the call's `ttl`. */
export function isDue(now: number, endsAt: number | undefined, ttl: number, fraction: number): boolean {
  return endsAt !== undefined && ttl > 0 && now >= endsAt - ttl * (1 - fraction);
}

/**
 * Starts one background load of a key whose hit is due (see isDue), unless one is already
 * running (refresh or soft-timed-out load) or the key's loader is resting after a failure. The
 * caller has its value already; the new one is stored when the loader finishes. With `lock`, the
 * refresh runs in one instance: this process tries the key's load lock once (and, refused, not
 * again for a lock's lifetime), and after taking it refreshes only if nobody just did.
 */
export function startRefresh<T>(
  core: CacheCore,
  job: SharedLoadJob<T>,
  ttl: number,
  policy: LoadPolicy,
): void {
  const { full } = job;
  if (core.background.has(full) || core.failSafe.isThrottled(full)) return;
  const locks = policy.lockWait > 0 ? core.loadLocks : null;
  if (!locks) {
    finishInBackground(core, full, job.load(), policy.failSafeThrottle);
    return;
  }
  if (core.refreshesElsewhere.isThrottled(full)) return;
  core.refreshesElsewhere.start(full, LEASE_TTL_MS);
  void refreshOnce(core, locks, job, ttl, policy);
}

async function refreshOnce<T>(
  core: CacheCore,
  locks: LoadLocks,
  job: SharedLoadJob<T>,
  ttl: number,
  policy: LoadPolicy,
): Promise<void> {
  const lease = await locks.take(job.full).catch(() => 'unavailable' as const);
  // Another instance is refreshing: its write reaches this one (bus, then the next read).
  if (lease === null) return;
  if (lease === 'unavailable') {
    finishInBackground(core, job.full, job.load(), policy.failSafeThrottle);
    return;
  }
  const landed = (async () => {
    try {
      const found = await job.read().catch(() => undefined);
      if (found && !isDue(core.clock.now(), found.endsAt, ttl, policy.refreshAhead)) return found.value as T;
      return await job.load();
    } finally {
      void lease.end();
    }
  })();
  finishInBackground(core, job.full, landed, policy.failSafeThrottle);
}

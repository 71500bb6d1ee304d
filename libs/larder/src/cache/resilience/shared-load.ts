import type { CacheCore, Scope } from '../cache-core';
import { LEASE_TTL_MS, type LoadLease, type LoadLocks } from './load-locks';

/** Why a load with `lock` ran the loader here although another instance might have. */
export type LockFallbackReason =
  /** `lock.wait` ran out while another instance still held the key's load lock. */
  | 'wait-timeout'
  /** The lock was freed without a value (its holder failed, or died and the lock expired): this instance took it over. */
  | 'takeover'
  /** The lock store could not be reached: the load went on as without `lock`. */
  | 'lock-unavailable';

/** A value in the store within its ttl; `endsAt` is where the ttl ends (epoch ms, unset without expiry). */
export interface LiveEntry {
  value: unknown;
  endsAt?: number;
}

/** What a load with `lock` does, given by the reader. */
export interface SharedLoadJob<T> {
  key: string;
  full: string;
  /** Runs the loader (under `timeout.hard`) and stores its value. */
  load: () => Promise<T>;
  /** The stored live entry, if any, uncounted and kept in L1; rejects when the store fails. */
  read: () => Promise<LiveEntry | undefined>;
}

/**
 * A waiter checks again this often even when no message came: pub/sub may lose one, and a holder
 * that died publishes nothing (its lock expires within LEASE_TTL_MS). Not a poll of the value:
 * a read and a lock attempt, once a second at most, per key and process.
 */
const RECHECK_MS = LEASE_TTL_MS / 2;

/**
 * A miss under `lock`, where the lock means something (stores shared with other instances): see
 * loadShared. When the store could not be read, a lock cannot be had either: the load goes on
 * as without one, at once.
 */
export function loadWithLock<T>(
  core: CacheCore,
  scope: Scope,
  job: SharedLoadJob<T>,
  found: { unreadable?: boolean },
  wait: number,
): Promise<T> {
  const locks = core.loadLocks;
  if (!locks) return job.load();
  if (found.unreadable) return fallBack(core, scope, job, 'lock-unavailable', performance.now());
  return loadShared(core, scope, locks, job, wait);
}

/**
 * A miss under `lock`: the loader runs in one instance at a time. This process takes the key's
 * load lock, checks the store once more (a holder may have just written it) and loads; or, when
 * another instance holds the lock, waits to be woken (the bus: a write, the lock released), then
 * reads the value. It runs the loader itself when `wait` runs out, when the lock is freed without
 * a value, or when the lock store fails (then as if `lock` were off).
 */
export async function loadShared<T>(
  core: CacheCore,
  scope: Scope,
  locks: LoadLocks,
  job: SharedLoadJob<T>,
  wait: number,
): Promise<T> {
  const started = performance.now();
  await locks.listening();
  const watch = locks.wakeups.watch(job.full);
  try {
    let lease = await attempt(locks, job.full);
    let takeover = false;
    for (;;) {
      if (lease === 'unavailable') return fallBack(core, scope, job, 'lock-unavailable', started);
      if (lease) return await holdAndLoad(core, scope, job, lease, takeover, started);
      const left = started + wait - performance.now();
      if (left <= 0) return fallBack(core, scope, job, 'wait-timeout', started);
      await watch.next(Math.min(left, RECHECK_MS));
      const found = await job.read().catch(() => 'unavailable' as const);
      if (found === 'unavailable') return fallBack(core, scope, job, 'lock-unavailable', started);
      if (found) return waited(core, scope, job, found, started);
      lease = await attempt(locks, job.full);
      takeover = true;
    }
  } finally {
    watch.close();
  }
}

/** The lock, null while another instance holds it, or 'unavailable' when the store failed. */
function attempt(locks: LoadLocks, full: string): Promise<LoadLease | null | 'unavailable'> {
  return locks.take(full).catch(() => 'unavailable' as const);
}

/** With the lock: the value a previous holder just stored, or the loader's; the lock ends with the load. */
async function holdAndLoad<T>(
  core: CacheCore,
  scope: Scope,
  job: SharedLoadJob<T>,
  lease: LoadLease,
  takeover: boolean,
  started: number,
): Promise<T> {
  try {
    // A failed read here is no reason not to load: the loader runs, and its write says the rest.
    const found = await job.read().catch(() => undefined);
    if (found) return waited(core, scope, job, found, started);
    if (takeover) return await fallBack(core, scope, job, 'takeover', started);
    return await job.load();
  } finally {
    void lease.end();
  }
}

/** The value another instance loaded: counted in `stats().lockWaits`, told in a `lock-wait` event. */
function waited<T>(
  core: CacheCore,
  scope: Scope,
  job: SharedLoadJob<T>,
  found: LiveEntry,
  started: number,
): T {
  core.counters.lockWaits++;
  if (core.events.wants('lock-wait')) {
    core.events.emit('lock-wait', core.base(scope, job.key, undefined, performance.now() - started));
  }
  return found.value as T;
}

/** Runs the loader here after all: counted in `stats().lockFallbacks`, told in a `lock-fallback` event. */
function fallBack<T>(
  core: CacheCore,
  scope: Scope,
  job: SharedLoadJob<T>,
  reason: LockFallbackReason,
  started: number,
): Promise<T> {
  core.counters.lockFallbacks++;
  if (core.events.wants('lock-fallback')) {
    const base = core.base(scope, job.key, undefined, performance.now() - started);
    core.events.emit('lock-fallback', { ...base, reason });
  }
  return job.load();
}

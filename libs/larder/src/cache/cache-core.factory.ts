import { systemClock, type LarderClock } from '../common/clock';
import { CommandTimeoutError } from '../errors';
import type { CacheOptions } from './cache-options';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import { CacheCore } from './cache-core';
import { KEY_SEPARATOR } from './cache-keys';
import { MemoryTier } from './l1/memory-tier';
import type { CacheStore } from './stores/cache-store';
import { CacheEvents } from './cache-events';
import { InvalidationBus } from './l1/invalidation-bus';
import type { LockStore } from '../lock/lock-store';
import { MemoryLockStore } from '../lock/memory-lock.store';
import { LoadLocks } from './resilience/load-locks';

/** Wires the cache's shared state from resolved options, the connections and the module's lock store. */
export function createCacheCore(
  options: CacheOptions,
  store: CacheStore,
  redis: RedisCoordinator | null,
  lockStore: LockStore,
  clock: LarderClock = systemClock,
): CacheCore {
  const events = new CacheEvents();
  const l1 = options.memory
    ? new MemoryTier(options.memory, options.memory.ttl, events, options.name, clock)
    : null;
  const core = new CacheCore(options, store, l1, events, clock);
  core.startSweep();
  // The in-process value store's evictions and expiries reach the event stream (and so metrics) like L1's.
  store.onDrop?.((key, reason) => {
    const event = reason === 'capacity' ? 'evict' : 'expire';
    if (events.wants(event)) events.emit(event, { cache: options.name, key, namespace: '', tier: 'l2' });
  });
  if (redis?.breaker) {
    core.breaker = redis.breaker;
    // Values in that Redis skip it while the breaker is open; a custom store is not Larder's to judge.
    if (store.kind === 'redis') core.valueBreaker = redis.breaker;
    // The breaker lives as long as this module's connection, so the listener needs no removal.
    redis.breaker.onChange((t) => {
      if (core.events.wants('breaker'))
        core.events.emit('breaker', { cache: options.name, namespace: '', ...t });
    });
  }
  // A value call that timed out on a cluster may be stuck on a hung master: the coordinator asks
  // for the slot map again, as it does for its own calls (values share its connection there).
  if (redis?.isCluster) {
    events.on('error', ({ error }) => {
      if (error instanceof CommandTimeoutError) redis.noteTimeout();
    });
  }
  if (redis) {
    core.bus = new InvalidationBus(redis, `${options.namespace}${KEY_SEPARATOR}#invalidate`, (change) => {
      if (l1 && change.keys) for (const key of change.keys) l1.delete(key);
      if (l1 && change.prefix !== undefined) l1.deletePrefix(change.prefix);
      core.loadLocks?.wakeups.wake(change);
    });
  }
  // Load locks only mean something where other instances share both the values and the locks.
  if (store.kind !== 'memory' && !(lockStore instanceof MemoryLockStore)) {
    core.loadLocks = new LoadLocks(lockStore, core.bus, options.commandTimeout);
  }
  return core;
}

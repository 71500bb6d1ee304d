import type { CacheService } from '../cache/cache.service';
import type { CacheEventListener, CacheEventName } from '../cache/cache-events';
import type { CounterCell } from './buffered-counter';
import type { LarderMetricSet } from './larder-metric-set';

type Listeners = { [E in CacheEventName]?: CacheEventListener<E> };

/**
 * Feeds the cache metrics from CacheService events. Only called when metrics are on: with
 * metrics off nothing subscribes, so `CacheEvents.wants()` stays false and no payload is built.
 * Counters are bound cells (a hit costs one addition); returns the unsubscribe function.
 */
export function subscribeCacheMetrics(cache: CacheService, set: LarderMetricSet, name: string): () => void {
  const c = { cache: name };
  const owned: CounterCell[] = [];
  const hitL1 = set.hits.cell({ cache: name, tier: 'l1' }, owned);
  const hitL2 = set.hits.cell({ cache: name, tier: 'l2' }, owned);
  const misses = set.misses.cell(c, owned);
  const writes = set.writes.cell(c, owned);
  const deletes = set.deletes.cell(c, owned);
  const evicted = set.evictions.cell({ cache: name, reason: 'capacity' }, owned);
  const expired = set.evictions.cell({ cache: name, reason: 'expired' }, owned);
  const errors = set.errors.cellsBy(c, 'operation', owned);
  // Histogram children bound once; labels are hashed per observation, which only store calls make.
  const getL2 = set.duration.labels({ cache: name, operation: 'get', tier: 'l2' });
  const setL2 = set.duration.labels({ cache: name, operation: 'set', tier: 'l2' });

  const listeners: Listeners = {
    hit: (e) => {
      if (e.tier === 'l1') {
        // An L1 hit is a Map lookup and is deliberately not timed (the clock read would cost more).
        hitL1.pending++;
        return;
      }
      hitL2.pending++;
      if (e.durationMs !== undefined) getL2.observe(e.durationMs / 1000);
    },
    miss: (e) => {
      misses.pending++;
      if (e.durationMs !== undefined) getL2.observe(e.durationMs / 1000);
    },
    write: (e) => {
      writes.pending++;
      if (e.durationMs !== undefined) setL2.observe(e.durationMs / 1000);
    },
    delete: () => deletes.pending++,
    error: (e) => errors(e.operation).pending++,
    evict: () => evicted.pending++,
    expire: () => expired.pending++,
  };
  const entries = Object.entries(listeners) as Array<[CacheEventName, CacheEventListener<CacheEventName>]>;
  for (const [event, listener] of entries) cache.on(event, listener);
  const removeItems = set.addItemSource({ cache: name, read: () => cache.stats().l1Items });
  return () => {
    for (const [event, listener] of entries) cache.off(event, listener);
    removeItems();
    for (const cell of owned) cell.release();
  };
}

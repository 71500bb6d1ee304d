import type { CacheService } from '../cache/cache.service';
import type { CacheEventListener, CacheEventName, CacheTier } from '../cache/cache-events';
import type { CacheStore } from '../cache/stores/cache-store';
import type { CounterCell } from './buffered-counter';
import type { LarderMetricSet } from './larder-metric-set';

type Listeners = { [E in CacheEventName]?: CacheEventListener<E> };

/**
 * Feeds the cache metrics from CacheService events. Only called when metrics are on: with
 * metrics off nothing subscribes, so `CacheEvents.wants()` stays false and no payload is built.
 * Counters are bound cells (a hit costs one addition); returns the unsubscribe function. The
 * items gauge has an `l2` series only for the in-process value store: counting a Redis namespace
 * takes a SCAN over it, far too much work for every scrape.
 */
export function subscribeCacheMetrics(
  cache: CacheService,
  store: CacheStore,
  set: LarderMetricSet,
  name: string,
): () => void {
  const c = { cache: name };
  const owned: CounterCell[] = [];
  const hitL1 = set.hits.cell({ cache: name, tier: 'l1' }, owned);
  const hitL2 = set.hits.cell({ cache: name, tier: 'l2' }, owned);
  const misses = set.misses.cell(c, owned);
  const writes = set.writes.cell(c, owned);
  const deletes = set.deletes.cell(c, owned);
  const dropped = (reason: 'capacity' | 'expired') => {
    const l1 = set.evictions.cell({ cache: name, tier: 'l1', reason }, owned);
    const l2 = set.evictions.cell({ cache: name, tier: 'l2', reason }, owned);
    return (e: { tier: CacheTier }) => (e.tier === 'l1' ? l1 : l2).pending++;
  };
  const errors = set.errors.cellsBy(c, 'operation', owned);
  const transitions = set.breakerTransitions.cellsBy(c, 'state', owned);
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
    evict: dropped('capacity'),
    breaker: (e) => transitions(e.state).pending++,
    expire: dropped('expired'),
  };
  const entries = Object.entries(listeners) as Array<[CacheEventName, CacheEventListener<CacheEventName>]>;
  for (const [event, listener] of entries) cache.on(event, listener);
  const removeItems = [set.addItemSource({ cache: name, tier: 'l1', read: () => cache.stats().l1Items })];
  if (store.upkeep?.() !== undefined) {
    removeItems.push(set.addItemSource({ cache: name, tier: 'l2', read: () => cache.stats().l2Items }));
  }
  removeItems.push(set.addBreakerSource({ cache: name, read: () => cache.stats().breaker?.state }));
  removeItems.push(set.compression.addSource({ cache: name, read: () => cache.stats() }));
  return () => {
    for (const [event, listener] of entries) cache.off(event, listener);
    for (const remove of removeItems) remove();
    for (const cell of owned) cell.release();
  };
}

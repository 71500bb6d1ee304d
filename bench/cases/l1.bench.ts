import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { Cacheable, CacheableMemory } from 'cacheable';
import { LRUCache } from 'lru-cache';
import { CacheService } from '../../libs/larder/src';
import { compare, type BenchCase, type BenchTable, type Contender } from '../bench-kit';
import { larderModule, PRODUCT, TTL_MS } from '../support/cache-clients';

/** Gets per measured operation: one L1 hit is far below the timer's resolution. */
const GETS_PER_OP = 1000;
/** Warm keys the gets cycle through. */
const KEYS = Array.from({ length: 100 }, (_, i) => `product:${i}`);
const ITEMS = 10_000;

/** ns per single get, from the ops/s of a row that measured GETS_PER_OP gets per op. */
function nsPerGet(opsPerSec: number): number {
  return 1e9 / (opsPerSec * GETS_PER_OP);
}

function l1Note(table: BenchTable): string {
  const per = table.rows.map((r) => `${r.name} ${nsPerGet(r.opsPerSec).toFixed(0)} ns`).join(', ');
  const larder = table.rows.find((r) => r.name.startsWith('Larder'))!;
  const [bento, bentoByRef] = table.rows.filter((r) => r.name.startsWith('bentocache'));
  const awaited = table.rows.find((r) => r.name === 'await Map.get')!;
  const times = (row: BenchTable['rows'][number]) => (larder.opsPerSec / row.opsPerSec).toFixed(1);
  return (
    `One op = ${GETS_PER_OP} gets over ${KEYS.length} warm keys (p50/p99 are per ${GETS_PER_OP} gets). Per get: ${per}. ` +
    `Larder is ${times(bento)}x bentocache's default L1 hit and ${times(bentoByRef)}x its \`serialize: false\` hit, ` +
    `and takes ${(awaited.opsPerSec / larder.opsPerSec).toFixed(2)}x the time of \`await Map.get\` ` +
    '(goals: <= 250 ns per hit, within 1.5x of `await Map.get`, >= 5x bentocache). Async APIs are awaited on every get, as callers do; ' +
    'Map, lru-cache and CacheableMemory are synchronous. By default bentocache stores L1 entries serialized and ' +
    'cacheable clones values on every read; the extra rows show both without that. Larder runs with ' +
    '`memory: { maxItems }` in front of Redis and returns the stored object itself; the Redis column shows that no hit reached Redis.'
  );
}

/**
 * The L1 hit: a warm key answered from process memory. `Map.get` is the floor; lru-cache is the
 * usual hand-rolled L1; bentocache and cacheable are the peers' memory tiers; Larder is
 * CacheService.get with `memory` configured (in front of Redis, as deployed).
 */
const l1Bench: BenchCase = async ({ redisUrl, watch }) => {
  const map = new Map<string, unknown>();
  const lru = new LRUCache<string, object>({ max: ITEMS, ttl: TTL_MS });
  const bento = new BentoCache({
    default: 'memory',
    stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: ITEMS })) },
  });
  const bentoByRef = new BentoCache({
    default: 'memory',
    stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: ITEMS, serialize: false })) },
  });
  const cacheable = new Cacheable({ ttl: TTL_MS });
  const cacheableMemory = new CacheableMemory({ lruSize: ITEMS, ttl: TTL_MS, useClone: false });
  const moduleRef = await larderModule({
    redis: redisUrl,
    namespace: 'bench-l1',
    memory: { maxItems: ITEMS, ttl: '5m' },
  });
  const larder = moduleRef.get(CacheService);
  for (const key of KEYS) {
    map.set(key, PRODUCT);
    lru.set(key, PRODUCT);
    await bento.set({ key, value: PRODUCT, ttl: TTL_MS });
    await bentoByRef.set({ key, value: PRODUCT, ttl: TTL_MS });
    await cacheable.set(key, PRODUCT);
    cacheableMemory.set(key, PRODUCT);
    await larder.set(key, PRODUCT, TTL_MS);
  }
  let misses = 0;
  const syncGets =
    (get: (key: string) => unknown): (() => Promise<void>) =>
    async () => {
      for (let i = 0; i < GETS_PER_OP; i++) if (get(KEYS[i % KEYS.length]) === undefined) misses++;
    };
  const asyncGets =
    (get: (key: string) => unknown): (() => Promise<void>) =>
    async () => {
      for (let i = 0; i < GETS_PER_OP; i++) if ((await get(KEYS[i % KEYS.length])) === undefined) misses++;
    };
  const contenders: Contender[] = [
    { name: 'Map.get', op: syncGets((key) => map.get(key)) },
    // The floor for an async API: the same lookup, awaited as callers await CacheService.get.
    { name: 'await Map.get', op: asyncGets((key) => map.get(key)) },
    { name: 'lru-cache get', op: syncGets((key) => lru.get(key)) },
    { name: 'bentocache get (memory tier)', op: asyncGets((key) => bento.get({ key })) },
    {
      name: 'bentocache get (memory tier, serialize: false)',
      op: asyncGets((key) => bentoByRef.get({ key })),
    },
    { name: 'cacheable get (memory primary)', op: asyncGets((key) => cacheable.get(key)) },
    {
      name: 'CacheableMemory get (sync, useClone: false)',
      op: syncGets((key) => cacheableMemory.get(key)),
    },
    { name: 'Larder CacheService.get (L1 hit)', op: asyncGets((key) => larder.get(key)) },
  ];
  try {
    const table = await compare(`L1 hit, ${GETS_PER_OP} gets per op`, contenders, { watch });
    if (misses > 0) throw new Error(`Invalid benchmark: ${misses} gets missed a warm key`);
    const l1Hits = larder.stats().l1Hits;
    if (l1Hits === 0 || larder.stats().hits !== l1Hits)
      throw new Error('Invalid benchmark: Larder answered from Redis, not from L1');
    table.note = l1Note(table);
    return [table];
  } finally {
    await bento.disconnectAll();
    await bentoByRef.disconnectAll();
    await cacheable.disconnect();
    await moduleRef.close();
  }
};

export default l1Bench;

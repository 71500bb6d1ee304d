import { CacheService } from '@larder/nestjs';
import {
  closeLeftoverModules,
  createLarderModule,
  eventually,
  testRedisUrl,
  uniqueNamespace,
} from '#test/test-helpers';
import { LruMap } from '../common/lru-map';
import { MemoryKeyvStore } from './stores/memory-keyv.store';

afterAll(closeLeftoverModules);

describe('background sweep of the in-process tiers', () => {
  it('LruMap.sweep visits at most its budget per call, resumes where it stopped and wraps around', () => {
    const map = new LruMap<number>(10_000);
    for (let i = 0; i < 2500; i++) map.set(`k${i}`, i % 2); // every odd one "expired"
    const expired = (value: number) => value === 1;
    const rounds = [map.sweep(expired, 1000), map.sweep(expired, 1000), map.sweep(expired, 1000)];
    expect(rounds.map((r) => r.length)).toEqual([500, 500, 250]);
    expect(new Set(rounds.flat()).size).toBe(1250);
    expect(map.size).toBe(1250);
    map.set('late', 1);
    expect(map.sweep(expired, 2000)).toEqual(['late']);
    expect(map.get('k0')).toBe(0);
  });

  it('the memory value store drops expired entries without being read, and tells the tag index', async () => {
    const gone: string[] = [];
    const store = new MemoryKeyvStore(10_000, 1 << 30, (key) => gone.push(key));
    const started = Date.now();
    for (let i = 0; i < 1500; i++) await store.set(`short${i}`, 'x', 1);
    await store.set('kept', 'y');
    await eventually(() => Date.now() > started + 20, 1000, 'the ttl to pass');
    expect(store.sweep(1000)).toBe(1000);
    expect(store.sweep(1000)).toBe(500);
    expect(gone).toHaveLength(1500);
    expect(store.payloadOf('kept')).toBe('y');
  });

  it('runs on its own timer in a module: expired L1 and memory entries go with nobody reading them', async () => {
    const moduleRef = await createLarderModule({ memory: { maxItems: 100, ttl: '1m' } });
    const cache = moduleRef.get(CacheService);
    const expired: string[] = [];
    cache.on('expire', (e) => expired.push(e.key));
    await cache.set('brief', 1, { ttl: 100, tags: ['t'] });
    await cache.set('long', 2, '1h');
    await eventually(
      () => expired.some((key) => key.endsWith('brief')),
      10_000,
      'the sweep to expire the L1 copy',
    );
    expect(expired.some((key) => key.endsWith('long'))).toBe(false);
    await moduleRef.close();
  });

  it("counts the memory value store's items, evictions and expiries in stats() and as tier l2 events", async () => {
    const moduleRef = await createLarderModule({ maxMemoryItems: 3 });
    const cache = moduleRef.get(CacheService);
    const dropped: string[] = [];
    cache.on('evict', (e) => dropped.push(`evict ${e.tier} ${e.key}`));
    cache.on('expire', (e) => dropped.push(`expire ${e.tier} ${e.key}`));
    for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, key); // "a" goes for room
    expect(cache.stats()).toMatchObject({ l2Items: 3, l2Evictions: 1, l2Expired: 0, l1Items: 0 });
    await cache.set('brief', 1, { ttl: 100 }); // "b" goes for room; "brief" expires unread
    await eventually(() => cache.stats().l2Expired === 1, 10_000, 'the sweep to drop the expired entry');
    expect(cache.stats()).toMatchObject({ l2Items: 2, l2Evictions: 2, l2Expired: 1 });
    expect(dropped).toEqual([
      expect.stringMatching(/^evict l2 .*a$/),
      expect.stringMatching(/^evict l2 .*b$/),
      expect.stringMatching(/^expire l2 .*brief$/),
    ]);
    await moduleRef.close();
  });

  it('reports no in-process value store on Redis: l2 counts stay 0', async () => {
    const moduleRef = await createLarderModule({ redis: testRedisUrl(), namespace: uniqueNamespace('up') });
    const cache = moduleRef.get(CacheService);
    await cache.set('a', 1);
    expect(cache.stats()).toMatchObject({ l2Items: 0, l2Evictions: 0, l2Expired: 0, writes: 1 });
    await cache.clear();
    await moduleRef.close();
  });
});

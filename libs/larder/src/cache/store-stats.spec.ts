import { CacheService } from '@larder/nestjs';
import {
  closeLeftoverModules,
  createLarderModule,
  testRedisUrl,
  uniqueNamespace,
  UNHURRIED_TIMEOUT,
} from '#test/test-helpers';
import { parseInfo } from '../redis/keyspace-stats';

afterAll(closeLeftoverModules);

describe('storeStats() on Redis', () => {
  it('reads the INFO fields it reports, and 0 for those a server leaves out', () => {
    const info =
      '# Memory\r\nused_memory:1024\r\nmaxmemory:0\r\n# Stats\r\nevicted_keys:7\r\nkeyspace_hits:3\r\n';
    expect(parseInfo(info)).toEqual({
      usedMemory: 1024,
      maxMemory: 0,
      evictedKeys: 7,
      keyspaceHits: 3,
      keyspaceMisses: 0,
    });
  });

  it('stops SCAN at maxScanned and extrapolates the count; a full scan counts exactly', async () => {
    // A database of its own, so the share SCAN finds is this namespace's alone.
    const url = new URL(testRedisUrl());
    url.pathname = '/11';
    // 1500 writes and a full SCAN on a starved machine: this counts keys, it does not time calls.
    const moduleRef = await createLarderModule({
      redis: url.toString(),
      namespace: uniqueNamespace('ss'),
      commandTimeout: UNHURRIED_TIMEOUT,
    });
    const cache = moduleRef.get(CacheService);
    const entries = Array.from({ length: 1500 }, (_, i) => ({ key: `k${i}`, value: i }));
    await cache.setMany(entries);
    expect((await cache.storeStats()).keys).toBe(1500);
    const bounded = await cache.storeStats({ maxScanned: 1000, samples: 5 });
    // One SCAN round of COUNT 1000 over at least 1500 keys: the share it found, times DBSIZE.
    expect(bounded.estimate).toBe(true);
    expect(bounded.keys).toBeGreaterThan(0);
    expect(bounded.keys).toBeLessThan(4500);
    expect(bounded.approximateBytes).toBeGreaterThan(0);
    await cache.clear();
    await moduleRef.close();
  });
});

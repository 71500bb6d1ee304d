import type { CacheService } from '../index';
import type { jestGlobals } from './jest-globals';

type Expect = ReturnType<typeof jestGlobals>['expect'];

/**
 * The `storeStats()` case of the cache contract: counts per scope that follow writes and deletes,
 * the figures each kind of store adds, and options checked with errors naming them.
 */
export async function checkStoreStats(cache: CacheService, expect: Expect): Promise<void> {
  const scope = cache.namespace('stats');
  await cache.set('a', 'x'.repeat(2000));
  await cache.increment('counter');
  for (const key of ['x', 'y', 'z']) await scope.set(key, { key });
  const root = await cache.storeStats();
  // The root scope covers the scopes nested in it; the tag index is not counted.
  expect(root.keys).toBe(5);
  expect((await scope.storeStats()).keys).toBe(3);
  expect(root.approximateBytes).toBeGreaterThan(2000);
  await scope.del('x');
  const scoped = await scope.storeStats({ maxScanned: 100_000, samples: 2 });
  expect(scoped.keys).toBe(2);
  expect(scoped.approximateBytes).toBeGreaterThan(0);
  expect(scoped.approximateBytes).toBeLessThan(root.approximateBytes);
  if (root.kind === 'redis') {
    expect(root).toMatchObject({ estimate: true, masters: expect.any(Number) });
    expect(root.usedMemory).toBeGreaterThan(0);
    for (const field of ['maxMemory', 'evictedKeys', 'keyspaceHits', 'keyspaceMisses'] as const) {
      expect(root[field]).toEqual(expect.any(Number));
    }
  } else if (root.kind === 'memory') {
    expect(root.estimate).toBe(false);
    expect(root.items).toBe(5);
    expect(root.bytes).toBeGreaterThanOrEqual(root.approximateBytes);
  }
  await expect(cache.storeStats({ maxScanned: 0 })).rejects.toMatchObject({
    code: 'E_INVALID_OPTION',
    message: expect.stringContaining('maxScanned'),
  });
  await expect(cache.storeStats({ sample: 3 } as never)).rejects.toMatchObject({
    code: 'E_INVALID_OPTION',
    message: expect.stringContaining('samples'),
  });
}

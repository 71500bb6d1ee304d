import { CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { keySlot } from '@larder/nestjs/redis/key-slot';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';
import { testClusterNodes, testSentinel } from './shared-topologies';

/**
 * L1 in front of the shared cluster and Sentinel group on two instances of one namespace: what one
 * instance changes (a write, a delete, a batch whose keys spread over many slots, a tag
 * invalidation, a clear) reaches the other's L1 through the invalidation bus.
 */
const KEYS = Array.from({ length: 12 }, (_, i) => `k${i}`);

describe.each([
  ['Redis Cluster', (): LarderModuleOptions['redis'] => ({ nodes: testClusterNodes() })],
  ['Sentinel', (): LarderModuleOptions['redis'] => testSentinel()],
])('L1 and the invalidation bus across two instances on %s', (_name, redis) => {
  it('drops the other instance’s L1 copies on set, del, setMany, delMany, invalidateTags and clear', async () => {
    // Not a fault test: a generous deadline, and writes that say when they fail, on a loaded machine.
    const options = {
      redis: redis(),
      namespace: uniqueNamespace(),
      memory: { ttl: '1h' as const, maxItems: 1000 },
      commandTimeout: '5s' as const,
      throwOnError: true,
    };
    const [aRef, bRef] = await Promise.all([createLarderModule(options), createLarderModule(options)]);
    try {
      const [a, b] = [aRef.get(CacheService), bRef.get(CacheService)];
      const sees = (expected: unknown[], what: string) =>
        eventually(
          async () => JSON.stringify(await b.getMany(KEYS)) === JSON.stringify(expected),
          10_000,
          what,
        );
      // One batch, many slots: the cluster case must split it and still tell the other instance.
      expect(new Set(KEYS.map((key) => keySlot(`${options.namespace}::${key}`))).size).toBeGreaterThan(6);

      await a.setMany(KEYS.map((key) => ({ key, value: `v1 ${key}`, tags: ['all'] })));
      await sees(
        KEYS.map((key) => `v1 ${key}`),
        'B to read the first batch (and keep it in L1)',
      );
      await a.setMany(KEYS.map((key) => ({ key, value: `v2 ${key}`, tags: ['all'] })));
      await sees(
        KEYS.map((key) => `v2 ${key}`),
        'B to drop its L1 copies after a batch write',
      );
      await a.set('k0', 'single');
      await sees(['single', ...KEYS.slice(1).map((key) => `v2 ${key}`)], 'B to see a single write');
      await a.del('k0');
      await sees([undefined, ...KEYS.slice(1).map((key) => `v2 ${key}`)], 'B to see a delete');
      await a.delMany(KEYS.slice(1, 4));
      const afterDelMany = [
        undefined,
        undefined,
        undefined,
        undefined,
        ...KEYS.slice(4).map((key) => `v2 ${key}`),
      ];
      await sees(afterDelMany, 'B to see a batch delete');
      await a.invalidateTags(['all']);
      await sees(
        KEYS.map(() => undefined),
        'B to see a tag invalidation',
      );
      await a.setMany(KEYS.map((key) => ({ key, value: `v3 ${key}` })));
      await sees(
        KEYS.map((key) => `v3 ${key}`),
        'B to read the third batch',
      );
      await a.clear();
      await sees(
        KEYS.map(() => undefined),
        'B to see a clear',
      );
    } finally {
      await Promise.all([aRef.close(), bRef.close()]);
    }
  }, 60_000);
});

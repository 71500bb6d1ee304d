import { Redis } from 'ioredis';
import { LarderHealthIndicator, type LarderModuleOptions } from '@larder/nestjs';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { testSentinel } from './shared-topologies';

/**
 * Health on the shared Sentinel group (the cluster's own case, every master, is in
 * libs/larder/src/health/larder-health-cluster.spec.ts): up, pinging the master's one connection,
 * which values share.
 */
describe('LarderHealthIndicator on Sentinel', () => {
  it.each([
    ['sentinels Larder connects to', (): LarderModuleOptions['redis'] => testSentinel()],
    [
      "the application's own Sentinel-backed Redis",
      (): LarderModuleOptions['redis'] => new Redis(testSentinel()),
    ],
  ])('is up with the coordination connection ready (%s)', async (_, redis) => {
    const connection = redis();
    const moduleRef = await createLarderModule({ redis: connection, namespace: uniqueNamespace() });
    try {
      const { larder } = await moduleRef.get(LarderHealthIndicator).isHealthy();
      expect(larder).toMatchObject({
        status: 'up',
        store: 'redis',
        connections: { coordination: { client: 'ioredis', state: 'ready', latencyMs: expect.any(Number) } },
      });
      // Values use the same connection: pinged once, no separate value store.
      expect(Object.keys(larder.connections ?? {})).toEqual(['coordination']);
      expect(larder.masters).toBeUndefined();
    } finally {
      await moduleRef.close();
      if (connection instanceof Redis) connection.disconnect();
    }
  });
});

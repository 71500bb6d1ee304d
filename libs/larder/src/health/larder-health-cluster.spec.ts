import { Cluster } from 'ioredis';
import { LarderHealthIndicator } from '@larder/nestjs';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { testClusterNodes } from '#test/topology/shared-topologies';

/** Health on the shared 3-master cluster: every master reported, not one node on behalf of all. */
describe('LarderHealthIndicator on Redis Cluster', () => {
  it.each([
    ['a cluster Larder connects to', () => ({ nodes: testClusterNodes() })],
    ["the application's own Cluster", () => new Cluster(testClusterNodes())],
  ])('reports each master with its slots and latency, up when all answer (%s)', async (_, redis) => {
    const connection = redis();
    const moduleRef = await createLarderModule({ redis: connection, namespace: uniqueNamespace() });
    try {
      const { larder } = await moduleRef.get(LarderHealthIndicator).isHealthy();
      expect(larder.status).toBe('up');
      const masters = Object.entries(larder.masters ?? {});
      expect(masters).toHaveLength(3);
      for (const [address, master] of masters) {
        expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(master).toEqual({
          slots: expect.stringMatching(/^\d+-\d+$/),
          state: 'ready',
          latencyMs: expect.any(Number),
        });
      }
      // Together they serve all 16384 slots.
      const served = masters
        .map(([, m]) => m.slots.split('-').map(Number))
        .reduce((sum, [start, end]) => sum + end - start + 1, 0);
      expect(served).toBe(16384);
    } finally {
      await moduleRef.close();
      if (connection instanceof Cluster) connection.disconnect();
    }
  });
});

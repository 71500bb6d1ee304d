import { Cluster } from 'ioredis';
import type { TestingModule } from '@nestjs/testing';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { startRedisCluster, type RedisCluster } from '#test/topology/redis-cluster';
import { startSentinelGroup, type SentinelGroup } from '#test/topology/sentinel-group';
import { keysOnMaster, servedAgainAt } from './fault-probes';

/** Start-up, a failover (seconds) and a resync on a loaded 2-core machine. */
const FAULT_TIMEOUT_MS = 90_000;
/** The promise of docs/operations.md: a hung master is routed around within 10 s of its failover. */
const RECOVERY_MS = 10_000;
/** How long a probe keeps trying before the test says the hung master was never routed around. */
const GIVE_UP_MS = 40_000;

/**
 * A hung master (SIGSTOP: its sockets stay open, it answers nothing) that Redis fails over. ioredis
 * notices nothing by itself; these pin that Larder's defaults route around it within 10 s of the
 * promotion, with the options Larder sets on connections it owns and with a user's own Cluster.
 */
describe('a hung master, routed around within 10 s of its failover', () => {
  describe('on Redis Cluster', () => {
    let cluster: RedisCluster;
    const shared: Cluster[] = [];

    beforeAll(async () => {
      cluster = await startRedisCluster();
    }, FAULT_TIMEOUT_MS);

    afterAll(async () => {
      for (const client of shared) client.disconnect();
      await cluster?.teardown();
    });

    async function pauseAndMeasure(moduleRef: TestingModule, namespace: string): Promise<number> {
      const master = (await cluster.masters())[0];
      const [key] = await keysOnMaster(cluster, master, namespace, 1);
      expect(await servedAgainAt(moduleRef, key, 5000)).toBeGreaterThan(0);
      cluster.pause(master);
      try {
        const promoted = cluster.waitForPromotion(master).then(() => performance.now());
        const served = servedAgainAt(moduleRef, key, GIVE_UP_MS);
        const [promotedAt, servedAt] = await Promise.all([promoted, served]);
        return servedAt - promotedAt;
      } finally {
        cluster.resume(master);
        await cluster.waitUntilHealthy();
      }
    }

    it(
      'with a cluster Larder connects to ({ nodes }): slots refreshed on a timer and on timeouts',
      async () => {
        const namespace = uniqueNamespace();
        const moduleRef = await createLarderModule({
          redis: { nodes: cluster.startupNodes() },
          namespace,
          throwOnError: true,
        });
        try {
          expect(await pauseAndMeasure(moduleRef, namespace)).toBeLessThan(RECOVERY_MS);
        } finally {
          await moduleRef.close();
        }
      },
      FAULT_TIMEOUT_MS,
    );

    it(
      "with the application's own Cluster on ioredis' defaults: slots refreshed when a call times out",
      async () => {
        const client = new Cluster(cluster.startupNodes());
        client.on('error', () => undefined);
        shared.push(client);
        const namespace = uniqueNamespace();
        const moduleRef = await createLarderModule({ redis: client, namespace, throwOnError: true });
        try {
          expect(client.options.slotsRefreshInterval).toBeUndefined();
          expect(await pauseAndMeasure(moduleRef, namespace)).toBeLessThan(RECOVERY_MS);
        } finally {
          await moduleRef.close();
        }
      },
      FAULT_TIMEOUT_MS,
    );
  });

  describe('on Sentinel', () => {
    let group: SentinelGroup;

    beforeAll(async () => {
      group = await startSentinelGroup();
    }, FAULT_TIMEOUT_MS);

    afterAll(async () => {
      await group?.teardown();
    });

    it(
      'with sentinels Larder connects to: it follows the announced failover',
      async () => {
        const moduleRef = await createLarderModule({
          redis: { sentinels: group.sentinelAddresses(), name: group.masterName },
          namespace: uniqueNamespace(),
          throwOnError: true,
        });
        const master = await group.master();
        try {
          expect(await servedAgainAt(moduleRef, 'probe', 5000)).toBeGreaterThan(0);
          group.pause(master);
          const promoted = group.waitForPromotion(master).then(() => performance.now());
          const served = servedAgainAt(moduleRef, 'probe', GIVE_UP_MS);
          const [promotedAt, servedAt] = await Promise.all([promoted, served]);
          expect(servedAt - promotedAt).toBeLessThan(RECOVERY_MS);
        } finally {
          group.resume(master);
          await moduleRef.close();
        }
      },
      FAULT_TIMEOUT_MS,
    );
  });
});

import { Cluster } from 'ioredis';
import type { TestingModule } from '@nestjs/testing';
import { CacheService } from '@larder/nestjs';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';
import { adminCall } from '#test/topology/redis-admin';
import { startRedisCluster, type RedisCluster } from '#test/topology/redis-cluster';
import type { RedisNode } from '#test/topology/redis-node';
import { startSentinelGroup, type SentinelGroup } from '#test/topology/sentinel-group';

const FAULT_TIMEOUT_MS = 90_000;
/** L1 must be dropped within 10 s of the fault (heartbeat 2 s, commandTimeout 1 s, a reconnection). */
const RECOVERY_MS = 10_000;

/**
 * The invalidation bus drops L1 whenever its subscription is re-established, on every topology:
 * messages published while it was away went unheard. Each test writes a new value behind the
 * bus's back (straight to Redis), so only that drop can make the instance with L1 see it.
 */
describe('the invalidation bus re-subscribing after a fault drops L1', () => {
  describe('on Redis Cluster', () => {
    let cluster: RedisCluster;
    let reader: TestingModule;
    let admin: Cluster;
    let channel: string;
    let namespace: string;

    beforeAll(async () => {
      cluster = await startRedisCluster();
      namespace = uniqueNamespace();
      channel = `${namespace}::#invalidate`;
      reader = await createLarderModule({
        redis: { nodes: cluster.startupNodes() },
        namespace,
        memory: { ttl: '1h' },
      });
      admin = new Cluster(cluster.startupNodes());
      admin.on('error', () => undefined);
    }, FAULT_TIMEOUT_MS);

    afterAll(async () => {
      admin?.disconnect();
      await reader?.close();
      await cluster?.teardown();
    });

    /** The node the reader's subscriber is connected to (Pub/Sub subscriptions are per node). */
    async function subscriberNode(): Promise<RedisNode> {
      let found: RedisNode | undefined;
      await eventually(
        async () => {
          for (const node of cluster.nodes) {
            if (node.pid === undefined || node.isPaused) continue;
            const [, count] = (await adminCall(node.port, 'PUBSUB', 'NUMSUB', channel)) as [string, number];
            if (Number(count) > 0) found = node;
          }
          return found !== undefined;
        },
        10_000,
        'the bus subscriber to be connected',
      );
      return found!;
    }

    /** A cache key whose value is not on `node`, so writing it needs nothing of that node. */
    async function keyAwayFrom(node: RedisNode, tag: string): Promise<string> {
      for (let i = 0; ; i++) {
        const key = `${tag}-${i}`;
        if ((await cluster.masterOfKey(`${namespace}::${key}`)) !== node) return key;
      }
    }

    async function seeChangeBehindTheBus(
      fault: (node: RedisNode) => Promise<void>,
      tag: string,
    ): Promise<void> {
      const cache = reader.get(CacheService);
      const node = await subscriberNode();
      const key = await keyAwayFrom(node, tag);
      await cache.set(key, 'v0');
      expect(await cache.get(key)).toBe('v0'); // in L1 now
      await fault(node);
      const faultAt = performance.now();
      // Not through Larder, so nothing is published: Larder's own encoding of v0, made v1.
      const raw = await admin.get(`${namespace}::${key}`);
      await admin.set(`${namespace}::${key}`, raw!.replace('v0', 'v1'));
      await eventually(async () => (await cache.get(key)) === 'v1', 30_000, 'L1 to be dropped');
      expect(performance.now() - faultAt).toBeLessThan(RECOVERY_MS);
    }

    it(
      'when the node it listens on hangs (SIGSTOP): the heartbeat moves it to another node',
      async () => {
        let paused: RedisNode | undefined;
        try {
          await seeChangeBehindTheBus(async (node) => {
            paused = node;
            cluster.pause(node);
          }, 'paused');
        } finally {
          if (paused) cluster.resume(paused);
          await cluster.waitUntilHealthy();
        }
      },
      FAULT_TIMEOUT_MS,
    );

    it(
      'when the node it listens on dies (SIGKILL)',
      async () => {
        await seeChangeBehindTheBus((node) => cluster.kill(node), 'killed');
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
      'when the master fails over',
      async () => {
        const namespace = uniqueNamespace();
        const reader = await createLarderModule({
          redis: { sentinels: group.sentinelAddresses(), name: group.masterName },
          namespace,
          memory: { ttl: '1h' },
        });
        const cache = reader.get(CacheService);
        try {
          await cache.set('k', 'v0');
          expect(await cache.get('k')).toBe('v0'); // in L1 now
          const master = await group.master();
          await group.kill(master);
          const promoted = await group.waitForPromotion(master);
          const promotedAt = performance.now();
          // Behind the bus: Larder's own encoding of v0, made v1, straight on the new master.
          const raw = String(await adminCall(promoted.port, 'GET', `${namespace}::k`));
          await adminCall(promoted.port, 'SET', `${namespace}::k`, raw.replace('v0', 'v1'));
          await eventually(async () => (await cache.get('k')) === 'v1', 30_000, 'L1 to be dropped');
          expect(performance.now() - promotedAt).toBeLessThan(RECOVERY_MS);
        } finally {
          await reader.close();
        }
      },
      FAULT_TIMEOUT_MS,
    );
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { ownerOfSlot, parseClusterNodes, SLOT_COUNT } from './cluster-nodes';
import { isRunning } from './process-registry';
import { adminCall, parseInfo, waitUntil } from './redis-admin';
import { startRedisCluster, type RedisCluster } from './redis-cluster';
import type { RedisNode } from './redis-node';

/** A fault test may wait for a failover (seconds) and a resync on a loaded machine. */
const FAULT_TIMEOUT_MS = 60_000;

async function role(node: RedisNode): Promise<string> {
  const reply = (await adminCall(node.port, 'ROLE')) as unknown[];
  return String(reply[0]);
}

/**
 * The cluster harness on real redis-server processes. The tests share one cluster and run in
 * order; each one that breaks a node leaves the cluster whole again for the next.
 */
describe('Redis Cluster harness (3 masters, one replica each)', () => {
  let cluster: RedisCluster;
  const clients: (Cluster | Redis)[] = [];

  function clusterClient(): Cluster {
    const client = new Cluster(cluster.startupNodes());
    // While a node is down the client reports its reconnection attempts: expected here.
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  function nodeClient(node: RedisNode): Redis {
    const client = new Redis({ host: node.host, port: node.port });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, FAULT_TIMEOUT_MS);

  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  it('has three masters and three replicas, every node seeing all 16384 slots served', async () => {
    const masters = await cluster.masters();
    const replicas = await cluster.replicas();
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    const replicated = await Promise.all(masters.map((master) => cluster.replicaOf(master)));
    expect(new Set(replicated)).toEqual(new Set(replicas));
    for (const node of cluster.nodes) {
      const info = parseInfo(await adminCall(node.port, 'CLUSTER', 'INFO'));
      expect(info.get('cluster_state')).toBe('ok');
      expect(info.get('cluster_slots_ok')).toBe(String(SLOT_COUNT));
      expect(info.get('cluster_known_nodes')).toBe('6');
      expect(info.get('cluster_size')).toBe('3');
    }
    const slots = (await clusterClient().cluster('SLOTS')) as [number, number][];
    const covered = slots.map(([from, to]) => to - from + 1).reduce((sum, count) => sum + count, 0);
    expect(covered).toBe(SLOT_COUNT);
  });

  it('spreads keys written through a Cluster client over the three masters', async () => {
    const client = clusterClient();
    const keys = Array.from({ length: 30 }, (_, i) => `spread:${i}`);
    for (const key of keys) await client.set(key, key);
    const owners = await Promise.all(keys.map((key) => cluster.masterOfKey(key)));
    expect(new Set(owners).size).toBe(3);
    const sizes = await Promise.all(
      (await cluster.masters()).map((master) => adminCall(master.port, 'DBSIZE')),
    );
    expect(sizes.every((size) => Number(size) > 0)).toBe(true);
    expect(sizes.reduce((sum: number, size) => sum + Number(size), 0)).toBe(keys.length);
  });

  it(
    'promotes the replica of a killed master, which serves its slots with the writes it had replicated',
    async () => {
      const key = 'kill:replicated';
      const master = await cluster.masterOfKey(key);
      const replica = await cluster.replicaOf(master);
      const direct = nodeClient(master);
      await direct.set(key, 'kept');
      expect(await direct.wait(1, 5000)).toBe(1);
      direct.disconnect();

      await cluster.kill(master);
      expect(master.pid).toBeUndefined();
      expect(await cluster.waitForPromotion(master)).toBe(replica);
      expect(await role(replica)).toBe('master');
      expect(await clusterClient().get(key)).toBe('kept');

      await cluster.restart(master);
      expect(await cluster.replicaOf(replica)).toBe(master);
      expect(await role(master)).toBe('slave');
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'fails over a paused (hung, not crashed) master, which rejoins as a replica when resumed',
    async () => {
      const master = await cluster.masterOfKey('pause:1');
      const replica = await cluster.replicaOf(master);

      cluster.pause(master);
      expect(master.isPaused).toBe(true);
      // Asked only once every running node has seen the promotion, it still knows which slots to look at.
      const slot = await cluster.slotOf('pause:1');
      await waitUntil(
        'every running node to see the replica serve the slot',
        async () => {
          for (const node of cluster.nodes.filter((n) => n !== master)) {
            const owner = ownerOfSlot(
              parseClusterNodes(await adminCall(node.port, 'CLUSTER', 'NODES')),
              slot,
            );
            if (owner?.port !== replica.port) return undefined;
          }
          return true;
        },
        { timeoutMs: 30_000 },
      );
      expect(await cluster.waitForPromotion(master)).toBe(replica);

      cluster.resume(master);
      await cluster.waitUntilHealthy();
      expect(await cluster.replicaOf(replica)).toBe(master);
      expect(await role(master)).toBe('slave');
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'hands the slots to a replica on CLUSTER FAILOVER',
    async () => {
      const master = await cluster.masterOfKey('manual:1');
      const replica = await cluster.replicaOf(master);
      expect(await cluster.failover(replica)).toBe(replica);
      expect(await cluster.masterOfKey('manual:1')).toBe(replica);
      await cluster.waitUntilHealthy();
      expect(await role(master)).toBe('slave');
    },
    FAULT_TIMEOUT_MS,
  );

  it('records every process for globalTeardown and leaves none running after teardown', async () => {
    const runDir = process.env.LARDER_TOPOLOGY_RUN_DIR!;
    expect(runDir).toBeDefined();
    const pids = cluster.nodes.map((node) => node.pid!);
    expect(pids.every((pid) => isRunning(pid))).toBe(true);
    expect(pids.every((pid) => existsSync(join(runDir, String(pid))))).toBe(true);

    await cluster.teardown();
    expect(pids.filter((pid) => isRunning(pid))).toEqual([]);
    expect(pids.filter((pid) => existsSync(join(runDir, String(pid))))).toEqual([]);
  });
});

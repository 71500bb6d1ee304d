import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { isRunning } from './process-registry';
import { adminCall } from './redis-admin';
import type { RedisNode } from './redis-node';
import { startSentinelGroup, type SentinelGroup } from './sentinel-group';
import { sentinelFields } from './sentinel-views';

/** A fault test may wait for a failover and for the sentinels to reconfigure the old master (~10 s). */
const FAULT_TIMEOUT_MS = 60_000;

async function role(node: RedisNode): Promise<unknown[]> {
  return (await adminCall(node.port, 'ROLE')) as unknown[];
}

/** SENTINEL MASTER's flat [field, value, ...] reply as a map. */
async function sentinelView(sentinel: RedisNode, name: string): Promise<Map<string, string>> {
  return sentinelFields(await adminCall(sentinel.port, 'SENTINEL', 'MASTER', name));
}

/**
 * The Sentinel harness on real processes. The tests share one group and run in order; each one
 * that breaks a node leaves the group whole again for the next.
 */
describe('Sentinel harness (master, replica, three sentinels)', () => {
  let group: SentinelGroup;
  const clients: Redis[] = [];

  function sentinelClient(): Redis {
    const client = new Redis({ sentinels: group.sentinelAddresses(), name: group.masterName });
    // While a node is down the client reports its reconnection attempts: expected here.
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    group = await startSentinelGroup();
  }, FAULT_TIMEOUT_MS);

  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  afterAll(async () => {
    await group?.teardown();
  });

  it('has every sentinel know the master, its replica and the two other sentinels', async () => {
    const [master, replica] = group.dataNodes;
    expect(await group.master()).toBe(master);
    for (const sentinel of group.sentinels) {
      const view = await sentinelView(sentinel, group.masterName);
      expect(view.get('port')).toBe(String(master.port));
      expect(view.get('flags')).toBe('master');
      expect(view.get('num-slaves')).toBe('1');
      expect(view.get('num-other-sentinels')).toBe('2');
    }
    expect(await role(replica)).toEqual(['slave', master.host, master.port, 'connected', expect.any(Number)]);
    const client = sentinelClient();
    await client.set('sentinel:hello', 'world');
    expect(await adminCall(master.port, 'GET', 'sentinel:hello')).toBe('world');
  });

  it(
    'promotes the replica of a killed master, which serves the writes it had replicated',
    async () => {
      const master = await group.master();
      const replica = await group.replica();
      const client = sentinelClient();
      await client.set('sentinel:kept', 'yes');
      expect(await client.wait(1, 5000)).toBe(1);

      await group.kill(master);
      expect(master.pid).toBeUndefined();
      expect(await group.waitForPromotion(master)).toBe(replica);
      expect((await role(replica))[0]).toBe('master');
      expect(await sentinelClient().get('sentinel:kept')).toBe('yes');

      await group.restart(master);
      expect(await role(master)).toEqual([
        'slave',
        replica.host,
        replica.port,
        'connected',
        expect.any(Number),
      ]);
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'fails over a paused (hung, not crashed) master, which the sentinels turn into a replica when resumed',
    async () => {
      const master = await group.master();
      const replica = await group.replica();

      group.pause(master);
      expect(await group.waitForPromotion(master)).toBe(replica);

      group.resume(master);
      await group.waitUntilHealthy();
      expect((await role(master))[0]).toBe('slave');
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'moves the master to the replica on SENTINEL FAILOVER',
    async () => {
      const replica = await group.replica();
      expect(await group.failover()).toBe(replica);
      expect(await group.master()).toBe(replica);
      expect((await role(replica))[0]).toBe('master');
    },
    FAULT_TIMEOUT_MS,
  );

  it('records every process for globalTeardown and leaves none running after teardown', async () => {
    const runDir = process.env.LARDER_TOPOLOGY_RUN_DIR!;
    expect(runDir).toBeDefined();
    const pids = [...group.dataNodes, ...group.sentinels].map((node) => node.pid!);
    expect(pids).toHaveLength(5);
    expect(pids.every((pid) => isRunning(pid) && existsSync(join(runDir, String(pid))))).toBe(true);

    await group.teardown();
    expect(pids.filter((pid) => isRunning(pid))).toEqual([]);
    expect(pids.filter((pid) => existsSync(join(runDir, String(pid))))).toEqual([]);
  });
});

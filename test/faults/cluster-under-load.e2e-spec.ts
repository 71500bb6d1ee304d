import type { TestingModule } from '@nestjs/testing';
import type { LarderModuleOptions } from '@larder/nestjs';
import { clientTag } from '@larder/nestjs/rate-limit/rate-limit-keys';
import { startRedisCluster, type RedisCluster } from '#test/topology/redis-cluster';
import type { RedisNode } from '#test/topology/redis-node';
import { keysOn, namespaceIndexedOn } from './fault-probes';
import { failoversUnderLoad, type PreparedLoad } from './failovers-under-load';
import { createSessions, keyNames } from './load-scenario';
import { writeReplicatedState } from './replicated-state';
import type { LoadPlan } from './steady-load';

/**
 * A master of a 3-master cluster SIGKILLed, then another SIGSTOPped, each while a steady load of
 * cache, lock, rate-limit and session calls runs through Larder's default options (`{ nodes }`;
 * `throwOnError` so cache writes fail typed): every call follows its failure policy, none hangs,
 * all recover within 10 s of the promotion, no lock is granted twice, and what was replicated
 * (`WAIT 1`) before the fault survives it. The sessions of the namespace (one slot) and some keys
 * of every other kind are on the master broken; the rest spread over the other masters.
 */
describe('Redis Cluster under steady load through a failover', () => {
  failoversUnderLoad({
    start: () => startRedisCluster(),
    label: 'Cluster',
    which: 'a master',
    master: async (cluster) => (await cluster.masters())[0],
    prepare,
  });
});

/** The module, the load's keys (some on `master`) and the state replicated before the fault. */
async function prepare(
  cluster: RedisCluster,
  master: RedisNode,
  createModule: (options: LarderModuleOptions) => Promise<TestingModule>,
): Promise<PreparedLoad> {
  const namespace = await namespaceIndexedOn(cluster, master, 's');
  const moduleRef = await createModule({ redis: { nodes: cluster.startupNodes() }, namespace });
  const cacheKey = (key: string) => `${namespace}::${key}`;
  const onMaster = {
    cache: await keysOn(cluster, master, 8, 'c', cacheKey),
    locks: await keysOn(cluster, master, 2, 'l', (key) => `{${key}}`),
    clients: await keysOn(cluster, master, 4, 'r', (key) => `{${clientTag(key)}}`),
  };
  const spread = (prefix: string, n: number) => keyNames(`${prefix}-spread`, n);
  const sessionIds = await createSessions(moduleRef, 4);
  const plan: LoadPlan = {
    cacheKeys: [...onMaster.cache, ...spread('c', 16)],
    lockKeys: [...onMaster.locks, ...spread('l', 2)],
    clientKeys: [...onMaster.clients, ...spread('r', 8)],
    sessionIds,
  };
  const faultedKeys = new Set([...onMaster.cache, ...onMaster.locks, ...onMaster.clients, ...sessionIds]);
  const state = await writeReplicatedState(moduleRef, {
    values: [...(await keysOn(cluster, master, 4, 'kept', cacheKey)), ...spread('kept', 4)],
    sessions: 3,
    held: await keysOn(cluster, master, 2, 'held', (key) => `{${key}}`),
    fences: await keysOn(cluster, master, 2, 'fence', (key) => `{${key}}`),
  });
  return { moduleRef, plan, faultedKeys, state };
}

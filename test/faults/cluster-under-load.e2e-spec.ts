import type { TestingModule } from '@nestjs/testing';
import { clientTag } from '@larder/nestjs/rate-limit/rate-limit-keys';
import { createLarderModule } from '#test/test-helpers';
import { startRedisCluster, type RedisCluster } from '#test/topology/redis-cluster';
import type { RedisNode } from '#test/topology/redis-node';
import { keysOn, namespaceIndexedOn } from './fault-probes';
import { brokenPromises, createSessions, keyNames, runThroughFault } from './load-scenario';
import { writeReplicatedState } from './replicated-state';
import type { LoadPlan } from './steady-load';

/** Start-up, the load's warm-up, a failover (seconds), recovery, the node's return and the checks. */
const FAULT_TIMEOUT_MS = 120_000;

/**
 * A master of a 3-master cluster SIGKILLed, then another SIGSTOPped, each while a steady load of
 * cache, lock, rate-limit and session calls runs through Larder's default options (`{ nodes }`;
 * `throwOnError` so cache writes fail typed): every call follows its failure policy, none hangs,
 * all recover within 10 s of the promotion, no lock is granted twice, and what was replicated
 * (`WAIT 1`) before the fault survives it. The sessions of the namespace (one slot) and some keys
 * of every other kind are on the master broken; the rest spread over the other masters.
 */
describe('Redis Cluster under steady load through a failover', () => {
  let cluster: RedisCluster;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, FAULT_TIMEOUT_MS);

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  afterAll(async () => {
    await cluster?.teardown();
  });

  /** The module, the load's keys (some on `master`) and the state replicated before the fault. */
  async function prepare(master: RedisNode) {
    const namespace = await namespaceIndexedOn(cluster, master, 's');
    moduleRef = await createLarderModule({
      redis: { nodes: cluster.startupNodes() },
      namespace,
      throwOnError: true,
    });
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

  it(
    'a master killed (SIGKILL): policies followed, back within 10 s of the promotion, nothing replicated lost',
    async () => {
      const master = (await cluster.masters())[0];
      const result = await runThroughFault({
        title: 'Cluster, master SIGKILL',
        ...(await prepare(master)),
        fault: () => cluster.kill(master),
        recovered: () => cluster.waitForPromotion(master),
        heal: () => cluster.restart(master),
      });
      expect(brokenPromises(result)).toEqual([]);
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'a master hung (SIGSTOP): policies followed, back within 10 s of the promotion, nothing replicated lost',
    async () => {
      const master = (await cluster.masters())[0];
      const result = await runThroughFault({
        title: 'Cluster, master SIGSTOP',
        ...(await prepare(master)),
        fault: () => cluster.pause(master),
        recovered: () => cluster.waitForPromotion(master),
        heal: async () => {
          cluster.resume(master);
          await cluster.waitUntilHealthy();
        },
      });
      expect(brokenPromises(result)).toEqual([]);
    },
    FAULT_TIMEOUT_MS,
  );
});

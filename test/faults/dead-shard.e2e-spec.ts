import { Cluster } from 'ioredis';
import type { TestingModule } from '@nestjs/testing';
import { CacheService, LarderHealthIndicator, StoreUnavailableError } from '@larder/nestjs';
import { createLarderModule, eventually } from '#test/test-helpers';
import { startRedisCluster, type RedisCluster } from '#test/topology/redis-cluster';
import type { RedisNode } from '#test/topology/redis-node';
import { namespaceIndexedOn } from './fault-probes';

const FAULT_TIMEOUT_MS = 60_000;
const KEYS = Array.from({ length: 30 }, (_, i) => `k${i}`);

/**
 * One master of a 3-master cluster killed, before any failover: batches are split per slot, so the
 * keys of the live masters are read, written and deleted as usual and only the dead shard's keys
 * fail (a miss, a write not made, an error for the caller who asked for errors).
 *
 * The cluster runs with `cluster-require-full-coverage no` (with Redis' default `yes` the live
 * masters refuse every query once the dead one is marked failed) and a long
 * `cluster-node-timeout`, so no failover ends the outage while the tests run.
 */
describe('one dead shard affects only its own keys', () => {
  let cluster: RedisCluster;
  let lenient: TestingModule;
  let strict: TestingModule;
  let dead: RedisNode;
  let namespace: string;
  const onDead = new Set<string>();
  /** A module whose tag index is on the dead master, and the keys of its namespace on live ones. */
  let deadIndexed: TestingModule;
  const liveOfDeadIndexed: string[] = [];

  const cache = () => lenient.get(CacheService);
  const liveKeys = () => KEYS.filter((key) => !onDead.has(key));

  beforeAll(async () => {
    cluster = await startRedisCluster({ nodeTimeoutMs: 15_000, requireFullCoverage: false });
    const [indexMaster, other] = await cluster.masters();
    dead = other;
    // The tag index on a live master: tag writes of live keys stay possible.
    namespace = await namespaceIndexedOn(cluster, indexMaster);
    const redis = { nodes: cluster.startupNodes() };
    lenient = await createLarderModule({ redis, namespace });
    strict = await createLarderModule({ redis, namespace, throwOnError: true });
    await strict.get(CacheService).setMany(KEYS.map((key, i) => ({ key, value: i, tags: ['all'] })));
    for (const key of KEYS) if ((await cluster.masterOfKey(`${namespace}::${key}`)) === dead) onDead.add(key);
    const deadIndexNamespace = await namespaceIndexedOn(cluster, dead);
    deadIndexed = await createLarderModule({ redis, namespace: deadIndexNamespace, throwOnError: true });
    for (const key of KEYS) {
      const master = await cluster.masterOfKey(`${deadIndexNamespace}::${key}`);
      if (master !== dead) liveOfDeadIndexed.push(key);
    }
    await deadIndexed.get(CacheService).set(liveOfDeadIndexed[0], 'before');
    expect(onDead.size).toBeGreaterThan(0);
    expect(onDead.size).toBeLessThan(KEYS.length);
    await cluster.kill(dead);
  }, FAULT_TIMEOUT_MS);

  afterAll(async () => {
    await lenient?.close();
    await strict?.close();
    await deadIndexed?.close();
    await cluster?.teardown();
  });

  it('getMany hits every key of the live masters and misses only the dead shard, reporting the failure', async () => {
    const errors: string[] = [];
    cache().on('error', (event) => errors.push(event.operation));
    const values = await cache().getMany(KEYS);
    expect(values).toEqual(KEYS.map((key, i) => (onDead.has(key) ? undefined : i)));
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['getMany']));
  });

  it('invalidateTags deletes the tagged keys of the live masters and keeps the rest findable by the tag', async () => {
    const admin = new Cluster(cluster.startupNodes());
    admin.on('error', () => undefined);
    try {
      // Refused, or past commandTimeout while the dead shard's UNLINK waits for its own: never a count.
      await expect(strict.get(CacheService).invalidateTags(['all'])).rejects.toMatchObject({
        code: expect.stringMatching(/^E_(STORE_UNAVAILABLE|COMMAND_TIMEOUT)$/),
      });
      expect(await cache().getMany(liveKeys())).toEqual(liveKeys().map(() => undefined));
      // Still under the tag: invalidating it again once the shard is back deletes them.
      const tagSet = `${namespace}:#tag:{t:${namespace}}:all`;
      const dead = [...onDead].sort().join();
      await eventually(async () => (await admin.zrange(tagSet, 0, -1)).sort().join() === dead, 10_000);
    } finally {
      admin.disconnect();
    }
  });

  it('setMany writes the keys of the live masters', async () => {
    await cache().setMany(KEYS.map((key, i) => ({ key, value: `v${i}` })));
    expect(await cache().getMany(liveKeys())).toEqual(liveKeys().map((key) => `v${key.slice(1)}`));
  });

  it("refuses a tagged write while the namespace's tag index is on the dead shard, leaving the value as it was", async () => {
    const service = deadIndexed.get(CacheService);
    const [key] = liveOfDeadIndexed;
    // A value whose tags could not be recorded would outlive their invalidation: not written.
    await expect(service.set(key, 'tagged', { tags: ['t'] })).rejects.toMatchObject({
      code: expect.stringMatching(/^E_(STORE_UNAVAILABLE|COMMAND_TIMEOUT)$/),
    });
    expect(await service.get(key)).toBe('before');
  });

  it('tagged writes and invalidation reach the live masters', async () => {
    const live = liveKeys();
    await strict.get(CacheService).setMany(live.map((key) => ({ key, value: 'tagged', tags: ['t'] })));
    expect(await strict.get(CacheService).invalidateTags(['t'])).toBe(live.length);
    expect(await cache().getMany(live)).toEqual(live.map(() => undefined));
  });

  it('delMany deletes the keys of the live masters and, asked to, rejects for the dead shard', async () => {
    const live = liveKeys();
    await cache().setMany(live.map((key) => ({ key, value: 'again' })));
    // Refused, or past commandTimeout while the dead shard's UNLINK waits for its own.
    await expect(strict.get(CacheService).delMany(KEYS)).rejects.toMatchObject({
      code: expect.stringMatching(/^E_(STORE_UNAVAILABLE|COMMAND_TIMEOUT)$/),
    });
    expect(await cache().getMany(live)).toEqual(live.map(() => undefined));
  });

  it('clear() and namespace().clear() empty the live masters and reject naming the slots and the node not reached', async () => {
    const live = liveKeys();
    const scope = cache().namespace('scope');
    await cache().setMany(live.map((key) => ({ key, value: 'root' })));
    await Promise.all(live.map((key) => scope.set(key, 'scoped')));
    const strictCache = strict.get(CacheService);
    const notReached = new RegExp(`did not reach slots [0-9, -]+ \\(127\\.0\\.0\\.1:${dead.port}: `);
    await expect(strictCache.namespace('scope').clear()).rejects.toThrow(StoreUnavailableError);
    await expect(strictCache.namespace('scope').clear()).rejects.toThrow(notReached);
    expect(await Promise.all(live.map((key) => scope.get(key)))).toEqual(live.map(() => undefined));
    expect(await cache().getMany(live)).toEqual(live.map(() => 'root'));
    await expect(strictCache.clear()).rejects.toThrow(notReached);
    expect(await cache().getMany(live)).toEqual(live.map(() => undefined));
  });

  it('health is down, naming the dead master and its slots, with the live masters ready', async () => {
    const { larder } = await lenient.get(LarderHealthIndicator).isHealthy();
    expect(larder.status).toBe('down');
    const masters = larder.masters ?? {};
    expect(Object.keys(masters)).toHaveLength(3);
    const deadAddress = `127.0.0.1:${dead.port}`;
    expect(masters[deadAddress]).toMatchObject({ state: 'down', error: expect.any(String) });
    const live = Object.entries(masters).filter(([address]) => address !== deadAddress);
    expect(live.map(([, m]) => m.state)).toEqual(['ready', 'ready']);
    expect(larder.message).toContain(`master ${deadAddress} (slots ${masters[deadAddress].slots})`);
  });
});

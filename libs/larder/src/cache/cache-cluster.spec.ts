import { Redis } from 'ioredis';
import { CacheService, LockService, RateLimitService, SessionService } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';

/** Redis Cluster (one node owning every slot): multi-key commands must respect slots there. */
describe('on Redis Cluster', () => {
  let server: RedisServerHandle;

  beforeAll(async () => {
    server = await startRedisServer({ cluster: true });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('caches, tags, counts and clears across slots', async () => {
    const moduleRef = await createLarderModule({
      redis: { nodes: [{ host: '127.0.0.1', port: server.port }] },
      namespace: uniqueNamespace(),
      throwOnError: true,
    });
    const cache = moduleRef.get(CacheService);
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    for (const key of keys) await cache.set(key, key, { tags: [key.length % 2 ? 'odd' : 'even', 'all'] });
    expect(await cache.getMany(['k1', 'k2', 'missing'])).toEqual(['k1', 'k2', undefined]);
    expect(await cache.increment('counter', 5)).toBe(5);
    expect(await cache.expire('k1', '1h')).toBe(true);
    expect(await cache.persist('counter')).toBe(true);
    expect(await cache.ttl('counter')).toBe(Infinity);
    expect(await cache.invalidateTags(['odd'])).toBe(keys.filter((k) => k.length % 2).length);
    await cache.delMany(['k10', 'k11']);
    expect(await cache.namespace('scope').set('x', 1)).toBeUndefined();
    expect(await cache.namespace('scope').clear()).toBe(1);
    expect(await cache.clear()).toBeGreaterThan(10);
    expect(await cache.get('k12')).toBeUndefined();
    await moduleRef.close();
  });

  it('keeps the tag index in one slot and empties it as entries go', async () => {
    const namespace = uniqueNamespace();
    const moduleRef = await createLarderModule({
      redis: { nodes: [{ host: '127.0.0.1', port: server.port }] },
      namespace,
      throwOnError: true,
    });
    const cache = moduleRef.get(CacheService);
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const writeTagged = () =>
      cache.setMany(keys.map((key, i) => ({ key, value: i, tags: [`t${i % 3}`, 'all'] })));
    const admin = new Redis(server.url);
    const indexKeys = async () => {
      const [, found] = await admin.scan('0', 'MATCH', `${namespace}:#*`, 'COUNT', 10_000);
      return found;
    };
    try {
      await writeTagged();
      const slots = new Set(
        await Promise.all((await indexKeys()).map((key) => admin.cluster('KEYSLOT', key))),
      );
      expect(slots.size).toBe(1);
      await cache.delMany(keys.slice(0, 25));
      for (const key of keys.slice(25)) await cache.set(key, 'untagged');
      expect(await indexKeys()).toEqual([]);
      await writeTagged();
      expect(await cache.invalidateTags(['t0'])).toBe(17);
      expect(await cache.invalidateTags(['all'])).toBe(33);
      expect(await indexKeys()).toEqual([]);
    } finally {
      admin.disconnect();
      await moduleRef.close();
    }
  });

  it('runs locks, rate limits and sessions', async () => {
    const moduleRef = await createLarderModule({
      redis: { nodes: [{ host: '127.0.0.1', port: server.port }] },
      namespace: uniqueNamespace(),
    });
    const lock = await moduleRef.get(LockService).acquire('job', { ttl: '5s' });
    expect(lock?.fence).toBe(1);
    expect(await lock?.release()).toBe(true);
    const limits = moduleRef.get(RateLimitService);
    const rule = { name: 'c', limit: 2, window: '1m' } as const;
    const results = [
      await limits.consume('ip:1', rule),
      await limits.consume('ip:1', rule),
      await limits.consume('ip:1', rule),
    ];
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(results.every((r) => !r.degraded)).toBe(true);
    const sessions = moduleRef.get(SessionService);
    const created = await sessions.create({ a: 1 }, { userId: 'u1' });
    expect((await sessions.get(created.id))?.data).toEqual({ a: 1 });
    expect(await sessions.destroyAllForUser('u1')).toBe(1);
    await moduleRef.close();
  });
});

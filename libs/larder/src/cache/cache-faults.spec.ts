import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace, untilConnected } from '#test/test-helpers';

const COMMAND_TIMEOUT = 200;
/** Generous slack over commandTimeout for a loaded 2-core machine; the point is "bounded", not "fast". */
const MARGIN = 800;

describe('CacheService when Redis fails', () => {
  let server: RedisServerHandle;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    server = await startRedisServer();
    process.on('unhandledRejection', onUnhandled);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.stop().catch(() => undefined);
    expect(unhandled).toEqual([]);
  });

  const setups: Array<[string, () => LarderModuleOptions]> = [
    ['@keyv/redis from a URL', () => ({ redis: server.url })],
    ['L1 in front of Redis', () => ({ redis: server.url, memory: { maxItems: 100 } })],
    ['a shared ioredis instance', () => ({ redis: new Redis(server.url, { maxRetriesPerRequest: 1 }) })],
  ];

  describe.each(setups)('%s', (_name, makeOptions) => {
    let moduleRef: TestingModule;
    let cache: CacheService;
    let shared: Redis | undefined;

    beforeEach(async () => {
      const options = makeOptions();
      shared = options.redis instanceof Redis ? options.redis : undefined;
      moduleRef = await createLarderModule({
        ...options,
        namespace: uniqueNamespace(),
        commandTimeout: COMMAND_TIMEOUT,
      });
      await untilConnected(moduleRef);
      cache = moduleRef.get(CacheService);
    });

    afterEach(async () => {
      await moduleRef.close();
      shared?.disconnect();
    });

    it('fails open while Redis is down and recovers by itself when it is back', async () => {
      await cache.set('before', 'v');
      expect(await cache.get('before')).toBe('v');
      const errors: string[] = [];
      cache.on('error', (e) => errors.push(e.operation));

      await server.stop();

      let started = performance.now();
      expect(await cache.get('other')).toBeUndefined();
      expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT + MARGIN);

      started = performance.now();
      expect(await cache.getOrSet('report', async () => 'computed')).toBe('computed');
      expect(performance.now() - started).toBeLessThan(2 * COMMAND_TIMEOUT + MARGIN);

      await expect(cache.set('k', 1)).resolves.toBeUndefined();
      await expect(cache.del('k')).resolves.toBeUndefined();
      expect(await cache.getMany(['a', 'b'])).toEqual([undefined, undefined]);
      expect(await cache.invalidateTags(['t'])).toBe(0);
      await expect(cache.increment('counter')).rejects.toMatchObject({
        code: expect.stringMatching(/E_STORE_UNAVAILABLE|E_COMMAND_TIMEOUT/),
      });
      expect(errors).toEqual(
        expect.arrayContaining(['get', 'set', 'del', 'getMany', 'invalidateTags', 'increment']),
      );
      expect(cache.stats().errors).toBeGreaterThanOrEqual(6);

      await server.restart();
      await eventually(
        async () => {
          await cache.set('after', 'back');
          return (await cache.get('after')) === 'back';
        },
        15_000,
        'values to flow again after the restart',
      );
    });
  });

  it('starts while Redis is down, within a bounded time, and recovers when Redis comes up', async () => {
    await server.stop();
    const started = performance.now();
    const moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace(),
      commandTimeout: COMMAND_TIMEOUT,
    });
    expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT * 2 + MARGIN);
    const cache = moduleRef.get(CacheService);
    expect(await cache.get('anything')).toBeUndefined();
    await server.restart();
    await eventually(
      async () => {
        await cache.set('k', 'v');
        return (await cache.get('k')) === 'v';
      },
      15_000,
      'the cache to work once Redis is up',
    );
    await moduleRef.close();
  });

  it('keeps L1 tiers coherent when the instances booted while Redis was down', async () => {
    await server.stop();
    const options: LarderModuleOptions = {
      redis: server.url,
      namespace: uniqueNamespace(),
      commandTimeout: COMMAND_TIMEOUT,
      memory: { ttl: '1h' },
    };
    const [aRef, bRef] = await Promise.all([createLarderModule(options), createLarderModule(options)]);
    const [a, b] = [aRef.get(CacheService), bRef.get(CacheService)];
    await server.restart();
    await eventually(
      async () => {
        await a.set('flag', 'v1');
        return (await b.get('flag')) === 'v1';
      },
      15_000,
      'both instances to reach Redis',
    );
    // B now holds 'v1' in L1; only the invalidation bus can tell it about the next write.
    await eventually(
      async () => {
        await a.set('flag', 'v2');
        return (await b.get('flag')) === 'v2';
      },
      15_000,
      "B's L1 copy to be dropped by the bus",
    );
    await Promise.all([aRef.close(), bRef.close()]);
  });

  it('rejects writes with a typed error when throwOnError is set', async () => {
    const moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace(),
      commandTimeout: COMMAND_TIMEOUT,
      throwOnError: true,
    });
    const cache = moduleRef.get(CacheService);
    await server.stop();
    await expect(cache.set('k', 1)).rejects.toMatchObject({
      code: expect.stringMatching(/E_STORE_UNAVAILABLE|E_COMMAND_TIMEOUT/),
    });
    await expect(cache.del('k')).rejects.toMatchObject({
      code: expect.stringMatching(/E_STORE_UNAVAILABLE|E_COMMAND_TIMEOUT/),
    });
    // Reads still fail open: throwOnError is about writes.
    expect(await cache.get('k')).toBeUndefined();
    await server.restart();
    await moduleRef.close();
  });
});

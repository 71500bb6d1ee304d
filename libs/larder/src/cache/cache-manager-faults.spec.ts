import type { TestingModule } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import { Redis } from 'ioredis';
import { CACHE_MANAGER, CacheService, StoreUnavailableError, type LarderModuleOptions } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';

const COMMAND_TIMEOUT = 200;
/** Generous slack over commandTimeout for a loaded 2-core machine; the point is "bounded", not "fast". */
const MARGIN = 1200;

/** Runs `call` and says how long it took, so each call of an outage can be held to the bound. */
async function timed<T>(call: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await call();
  return [result, performance.now() - started];
}

describe('CACHE_MANAGER when Redis fails (the CacheService failure policy)', () => {
  let server: RedisServerHandle;
  let moduleRef: TestingModule | undefined;
  let shared: Redis | undefined;
  /** Whether a test left the server stopped: the next one gets it back running. */
  let down = false;
  const stopServer = async () => {
    down = true;
    await server.stop();
  };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    server = await startRedisServer();
    process.on('unhandledRejection', onUnhandled);
  });

  afterEach(async () => {
    await moduleRef?.close();
    shared?.disconnect();
    shared = undefined;
    if (down) await server.restart();
    down = false;
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.stop().catch(() => undefined);
    expect(unhandled).toEqual([]);
  });

  const start = async (options: LarderModuleOptions) => {
    moduleRef = await createLarderModule({
      namespace: uniqueNamespace(),
      commandTimeout: COMMAND_TIMEOUT,
      ...options,
    });
    return { cache: moduleRef.get<Cache>(CACHE_MANAGER), service: moduleRef.get(CacheService) };
  };

  const setups: Array<[string, () => LarderModuleOptions]> = [
    ['@keyv/redis from a URL', () => ({ redis: server.url })],
    [
      'a shared ioredis instance',
      () => ({ redis: (shared = new Redis(server.url, { maxRetriesPerRequest: 1 })) }),
    ],
  ];

  it.each(setups)(
    'fails open on a killed Redis, within commandTimeout, and recovers (%s)',
    async (_, options) => {
      const { cache, service } = await start(options());
      await cache.set('before', 'v');
      expect(await cache.get('before')).toBe('v');

      await server.stop();
      const calls: Array<[string, () => Promise<unknown>, unknown]> = [
        ['get', () => cache.get('before'), undefined],
        ['mget', () => cache.mget(['before', 'other']), [undefined, undefined]],
        ['set', () => cache.set('k', 1), 1],
        ['mset', () => cache.mset([{ key: 'a', value: 1 }]), [{ key: 'a', value: 1 }]],
        ['del', () => cache.del('k'), true],
        ['ttl', () => cache.ttl('before'), undefined],
        ['wrap', () => cache.wrap('w', async () => 'loaded'), 'loaded'],
      ];
      for (const [name, call, expected] of calls) {
        const [result, ms] = await timed(call);
        expect([name, result]).toEqual([name, expected]);
        expect(ms).toBeLessThan(COMMAND_TIMEOUT + MARGIN);
      }
      // Each failure is counted as CacheService counts its own.
      expect(service.stats().errors).toBeGreaterThanOrEqual(calls.length);

      await server.restart();
      await eventually(
        async () => {
          await cache.set('after', 'back');
          return (await cache.get('after')) === 'back';
        },
        15_000,
        'CACHE_MANAGER to read its write after the restart',
      );
    },
  );

  it('is bounded by commandTimeout on a stalled Redis', async () => {
    const { cache } = await start({ redis: server.url });
    await cache.set('k', 'v');
    server.pause();
    try {
      for (const call of [() => cache.get('k'), () => cache.set('k', 'w'), () => cache.del('k')]) {
        const [, ms] = await timed(call);
        expect(ms).toBeLessThan(COMMAND_TIMEOUT + MARGIN);
      }
    } finally {
      server.resume();
    }
  });

  it("rejects writes with a typed error, never the client's own, when throwOnError is set", async () => {
    const { cache } = await start({ redis: server.url, throwOnError: true });
    await stopServer();
    await expect(cache.set('k', 1)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(cache.del('k')).rejects.toMatchObject({ code: 'E_STORE_UNAVAILABLE' });
    expect(await cache.get('k')).toBeUndefined();
  });
});

import type { TestingModule } from '@nestjs/testing';
import { CacheService, type CacheEventMap, type LockStore } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';

const COMMAND_TIMEOUT = 300;
/** Generous slack over commandTimeout for a loaded 2-core machine; the point is "bounded", not "fast". */
const MARGIN = 1_000;

/** A lock store whose every call fails, as one on an unreachable server would. */
const failing = (): LockStore => {
  const down = () => Promise.reject(new Error('lock store down'));
  return { acquire: down, lease: down, release: down, releaseOwned: down, extend: down, holder: down };
};

describe('getOrSet with lock when Redis fails', () => {
  let server: RedisServerHandle;
  let moduleRef: TestingModule | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    server = await startRedisServer();
    process.on('unhandledRejection', onUnhandled);
  });

  afterEach(async () => {
    await server.restart().catch(() => undefined);
    await moduleRef?.close();
    moduleRef = undefined;
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await server.stop().catch(() => undefined);
    expect(unhandled).toEqual([]);
  });

  it.each([
    ['without L1', {}],
    ['with L1', { memory: { maxItems: 100 } }],
  ])(
    'Redis down: the loader runs, the caller gets its value within the command timeouts (%s)',
    async (_n, extra) => {
      moduleRef = await createLarderModule({
        redis: server.url,
        namespace: uniqueNamespace(),
        commandTimeout: COMMAND_TIMEOUT,
        ...extra,
      });
      const cache = moduleRef.get(CacheService);
      const fallbacks: Array<CacheEventMap['lock-fallback']> = [];
      cache.on('lock-fallback', (e) => fallbacks.push(e));
      await server.stop();

      let loads = 0;
      const started = performance.now();
      const calls = [1, 2, 3].map(() => cache.getOrSet('k', () => (loads++, 'fresh'), { lock: true }));
      expect(await Promise.all(calls)).toEqual(['fresh', 'fresh', 'fresh']);
      // The read and the write each wait commandTimeout at most; no lock is even tried.
      expect(performance.now() - started).toBeLessThan(2 * COMMAND_TIMEOUT + MARGIN);
      expect(loads).toBe(1);
      expect(fallbacks).toEqual([expect.objectContaining({ key: 'k', reason: 'lock-unavailable' })]);
    },
  );

  it('a failing lock store: the load goes on as without lock, and the value is stored', async () => {
    moduleRef = await createLarderModule({
      redis: testRedisUrl(),
      namespace: uniqueNamespace(),
      lock: { store: failing() },
    });
    const cache = moduleRef.get(CacheService);
    const fallbacks: Array<CacheEventMap['lock-fallback']> = [];
    cache.on('lock-fallback', (e) => fallbacks.push(e));
    expect(await cache.getOrSet('k', () => 'fresh', { ttl: '1m', lock: true })).toBe('fresh');
    expect(await cache.get('k')).toBe('fresh');
    expect(fallbacks).toEqual([expect.objectContaining({ reason: 'lock-unavailable' })]);
    expect(cache.stats().lockFallbacks).toBe(1);
  });
});

import { Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace, untilConnected } from '#test/test-helpers';
import { CatalogError, CatalogService } from './catalog.fixtures';

const COMMAND_TIMEOUT = 200;
/** Generous slack for a loaded 2-core machine: the point is "bounded", not "fast". */
const MARGIN = 1000;

describe('caching decorators when Redis is down', () => {
  let server: RedisServerHandle;
  let moduleRef: TestingModule | undefined;
  let shared: Redis | undefined;
  let warn: jest.SpyInstance;
  let down = false;
  const stopRedis = async () => {
    down = true;
    await server.stop();
  };
  const restartRedis = async () => {
    if (!down) return;
    await server.restart();
    down = false;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    // Redis back first, so the connections close cleanly instead of retrying.
    await restartRedis();
    await moduleRef?.close();
    moduleRef = undefined;
    shared?.disconnect();
    shared = undefined;
    warn.mockRestore();
  });

  const setups: Array<[string, () => LarderModuleOptions]> = [
    ['@keyv/redis from a URL', () => ({ redis: server.url })],
    [
      'a shared ioredis instance',
      () => ({ redis: (shared = new Redis(server.url, { maxRetriesPerRequest: 1 })) }),
    ],
    ['throwOnError: true', () => ({ redis: server.url, throwOnError: true })],
  ];

  it.each(setups)('calls the method and returns its result normally (%s)', async (_name, makeOptions) => {
    moduleRef = await createLarderModule(
      { ...makeOptions(), namespace: uniqueNamespace(), commandTimeout: COMMAND_TIMEOUT },
      { providers: [CatalogService] },
    );
    await untilConnected(moduleRef);
    const catalog = moduleRef.get(CatalogService);
    const cache = moduleRef.get(CacheService);
    const cached = await catalog.find(1);
    expect(await catalog.find(1)).toEqual(cached);
    expect(catalog.count('find')).toBe(1);

    await stopRedis();

    let started = performance.now();
    const fresh = await catalog.find(1);
    expect(fresh.version).toBeGreaterThan(cached.version);
    expect(catalog.count('find')).toBe(2);
    expect(performance.now() - started).toBeLessThan(2 * COMMAND_TIMEOUT + MARGIN);

    started = performance.now();
    expect(await catalog.rename(2, 'renamed')).toMatchObject({ id: 2, name: 'renamed' });
    await expect(catalog.update(1)).resolves.toBeUndefined();
    expect(await catalog.invalidateAll()).toBe(7);
    await expect(catalog.forgetUser('u1')).resolves.toBeUndefined();
    expect(await catalog.nullable(3)).toBeNull();
    expect(performance.now() - started).toBeLessThan(10 * COMMAND_TIMEOUT + MARGIN);

    // The method's own errors still come through unchanged.
    const caught = await catalog.evictThenFail(1).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(CatalogError);
    expect(caught).toBe(catalog.lastError);
    expect(cache.stats().errors).toBeGreaterThan(0);

    await restartRedis();
    await eventually(
      async () => {
        const before = catalog.count('find');
        await catalog.find(40);
        await catalog.find(40);
        return catalog.count('find') === before + 1;
      },
      15_000,
      'caching to work again after the restart',
    );
  });

  it('logs a swallowed eviction failure once per method, naming it (throwOnError: true)', async () => {
    moduleRef = await createLarderModule(
      {
        redis: server.url,
        throwOnError: true,
        namespace: uniqueNamespace(),
        commandTimeout: COMMAND_TIMEOUT,
      },
      { providers: [CatalogService] },
    );
    const catalog = moduleRef.get(CatalogService);
    await stopRedis();
    await catalog.update(1);
    await catalog.update(2);
    const messages = warn.mock.calls
      .map(([m]) => String(m))
      .filter((m) => m.includes('CatalogService.update'));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/could not evict/);
  });
});

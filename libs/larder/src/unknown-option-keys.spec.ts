import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { Registry } from 'prom-client';
import {
  CacheModule,
  CacheService,
  InvalidOptionError,
  LockService,
  jsonSerializer,
  type LarderModuleOptions,
} from '@larder/nestjs';
import { createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { resolveLarderOptions } from './larder-options';

function rejection(run: () => unknown): InvalidOptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'E_INVALID_OPTION' });
    return error as InvalidOptionError;
  }
  throw new Error('expected E_INVALID_OPTION');
}

/** Asserts the message names the full path of the key and, when given, the suggested field. */
function expectUnknown(error: Error, path: string, suggestion: string | undefined): void {
  expect(error.message).toContain(`Unknown Larder option "${path}"`);
  if (suggestion === undefined) expect(error.message).not.toContain('Did you mean');
  else expect(error.message).toContain(`Did you mean "${suggestion}"?`);
}

const node = { host: '127.0.0.1', port: 7000 };

describe('unknown module option fields', () => {
  it.each<[string, unknown, string, string | undefined]>([
    ['a misspelt top-level field', { nmespace: 'x' }, 'nmespace', 'namespace'],
    ['a field in the wrong case', { defaultTTL: '5m' }, 'defaultTTL', 'defaultTtl'],
    ['a field missing a letter', { commandTimout: '1s' }, 'commandTimout', 'commandTimeout'],
    ['a field with nothing close', { colour: 'red' }, 'colour', undefined],
    ['forRoot extras returned by a factory', { isGlobal: true }, 'isGlobal', undefined],
    ['memory', { memory: { maxItem: 10 } }, 'memory.maxItem', 'memory.maxItems'],
    ['memory ttl', { memory: { tll: '1s' } }, 'memory.tll', 'memory.ttl'],
    ['lock', { lock: { tll: 5 } }, 'lock.tll', 'lock.ttl'],
    ['lock, nothing close', { lock: { retry: 5 } }, 'lock.retry', undefined],
    ['rateLimit', { rateLimit: { failopen: false } }, 'rateLimit.failopen', 'rateLimit.failOpen'],
    [
      'a rateLimit rule',
      { rateLimit: { rules: [{ limit: 5, windw: '1s' }] } },
      'rateLimit.rules[0].windw',
      'rateLimit.rules[0].window',
    ],
    [
      "a rateLimit rule with throttler's ttl",
      {
        rateLimit: {
          rules: [
            { limit: 1, window: '1s' },
            { name: 'b', limit: 5, ttl: 1000 },
          ],
        },
      },
      'rateLimit.rules[1].ttl',
      'rateLimit.rules[1].window',
    ],
    ['session', { session: { rollin: true } }, 'session.rollin', 'session.rolling'],
    [
      'session.cookie',
      { session: { cookie: { samesite: 'lax' } } },
      'session.cookie.samesite',
      'session.cookie.sameSite',
    ],
    ['leaderboard', { leaderboard: { maxMember: 10 } }, 'leaderboard.maxMember', 'leaderboard.maxMembers'],
    ['metrics', { metrics: { prefx: 'shop_' } }, 'metrics.prefx', 'metrics.prefix'],
    ['the cluster wrapper', { redis: { nodes: [node], redisOptions: {} } }, 'redis.redisOptions', undefined],
  ])('%s: E_INVALID_OPTION with the path and the closest name', (_name, options, path, suggestion) => {
    const error = rejection(() => resolveLarderOptions(options as LarderModuleOptions));
    expectUnknown(error, path, suggestion);
  });

  it('never looks inside ioredis options or instances, the store, the serializer or the registry', () => {
    const client = new Redis({ lazyConnect: true });
    try {
      const store = Object.assign(new Map(), { label: 'mine' });
      const serializer = { ...jsonSerializer, version: 2 };
      expect(() =>
        resolveLarderOptions({
          redis: { host: '127.0.0.1', port: 6380, lazyConnect: true, showFriendlyErrorStack: true },
          store,
          serializer,
          metrics: { registry: new Registry() },
        }),
      ).not.toThrow();
      expect(() => resolveLarderOptions({ redis: client })).not.toThrow();
      expect(() =>
        resolveLarderOptions({
          redis: { nodes: [node], options: { scaleReads: 'slave', redisOptions: { password: 'x' } } },
        }),
      ).not.toThrow();
    } finally {
      client.disconnect();
    }
  });

  it('fails start-up, for forRoot and for forRootAsync factories', async () => {
    await expect(createLarderModule({ nmespace: 'x' } as LarderModuleOptions)).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('Did you mean "namespace"?'),
    });
    await expect(createLarderModule({ lock: { tll: 5 } as never })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('"lock.tll"'),
    });
    const build = Test.createTestingModule({
      imports: [CacheModule.forRootAsync({ useFactory: () => ({ nmespace: 'x' }) as LarderModuleOptions })],
    }).compile();
    await expect(build).rejects.toMatchObject({ code: 'E_INVALID_OPTION' });
  });
});

describe('options that are not an object', () => {
  it.each([[null], [undefined], ['redis://localhost:6379'], [[]], [42]])(
    'forRoot(%p) throws E_INVALID_OPTION, not a TypeError',
    (value) => {
      const error = rejection(() => CacheModule.forRoot(value as never));
      expect(error.message).toContain('CacheModule.forRoot()');
    },
  );

  it('forRootAsync(null) throws E_INVALID_OPTION', () => {
    rejection(() => CacheModule.forRootAsync(null as never));
  });

  it.each([[null], [undefined], ['redis://localhost:6379']])(
    'a forRootAsync factory returning %p fails start-up with E_INVALID_OPTION',
    async (value) => {
      const build = Test.createTestingModule({
        imports: [CacheModule.forRootAsync({ useFactory: () => value as never })],
      }).compile();
      await expect(build).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
        message: expect.stringContaining('Invalid Larder options'),
      });
    },
  );

  it('forRoot() with no argument still boots on the defaults', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [CacheModule.forRoot()] }).compile();
    await moduleRef.init();
    try {
      await moduleRef.get(CacheService).set('k', 1);
      expect(await moduleRef.get(CacheService).get('k')).toBe(1);
    } finally {
      await moduleRef.close();
    }
  });
});

it('a valid options object using every field (and every nested field) still boots', async () => {
  const options: Required<LarderModuleOptions> = {
    redis: testRedisUrl(),
    namespace: uniqueNamespace('full'),
    name: 'full',
    defaultTtl: '5m',
    memory: { maxItems: 100, ttl: '30s', maxSize: 1024 * 1024 },
    store: new Keyv({ store: new Map() }),
    maxMemoryItems: 1000,
    maxMemorySize: 64 * 1024 * 1024,
    maxValueSize: 1024 * 1024,
    commandTimeout: '2s',
    serializer: jsonSerializer,
    maxKeyLength: 512,
    throwOnError: true,
    batchReads: false,
    resilience: { grace: '1h', failSafeThrottle: '10s' },
    compression: { threshold: '2kb', algorithm: 'gzip' },
    logConnectionEvents: false,
    requireRedis: true,
    circuitBreaker: { failures: 3, cooldown: '1s' },
    lock: { ttl: '10s', wait: '1s', retryDelay: '50ms' },
    leaderboard: { order: 'asc', ttl: '1d', maxMembers: 100 },
    rateLimit: {
      rules: [
        {
          name: 'default',
          limit: 100,
          window: '1m',
          by: 'ip',
          algorithm: 'token-bucket',
          cost: 1,
          blockFor: '1m',
        },
      ],
      failOpen: true,
      insurance: true,
      headers: true,
      legacyHeaders: false,
      maxMemoryKeys: 1000,
    },
    session: {
      ttl: '1h',
      rolling: true,
      maxLifetime: '1d',
      maxPerUser: 5,
      bearer: false,
      cookie: { name: 'sid', secure: true, sameSite: 'strict', path: '/', domain: 'example.com' },
    },
    metrics: { enabled: true, registry: new Registry(), prefix: 'full_', buckets: [0.001, 0.01, 0.1] },
    console: {
      enabled: true,
      path: '/ops/larder',
      token: 'a-console-token-of-24-chars',
      guard: () => false,
      showValues: false,
      bufferSize: 100,
    },
    lens: true,
    tracing: { enabled: true, tracerName: 'full', keys: false },
  };
  const moduleRef = await createLarderModule(options);
  try {
    const cache = moduleRef.get(CacheService);
    await cache.set('k', 1, { ttl: '1m', tags: ['t'] });
    expect(await cache.get('k')).toBe(1);
    const lock = await moduleRef.get(LockService).acquireOrThrow('k', { ttl: '1s', owner: 'me' });
    expect(await lock.release()).toBe(true);
  } finally {
    await moduleRef.close();
  }
});

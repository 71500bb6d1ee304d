import { InvalidOptionError, type LarderModuleOptions } from '@larder/nestjs';
import { resolveLarderOptions } from './larder-options';

describe('resolveLarderOptions', () => {
  it('gives each capability its slice, with the shared fields it uses', () => {
    const serializer = { serialize: JSON.stringify, deserialize: JSON.parse };
    const slices = resolveLarderOptions({
      namespace: 'shop',
      name: 'catalog',
      maxKeyLength: 64,
      serializer,
      lock: { ttl: '10s' },
      rateLimit: { failOpen: false },
      session: { ttl: '1h' },
    });
    expect(slices.lock).toEqual({
      ttl: 10_000,
      wait: 0,
      retryDelay: 100,
      namespace: 'shop',
      name: 'catalog',
      maxKeyLength: 64,
    });
    expect(slices.rateLimit).toMatchObject({ failOpen: false, namespace: 'shop' });
    expect(slices.session).toMatchObject({ ttl: 3_600_000, namespace: 'shop', serializer });
    expect(slices.cache).toMatchObject({ namespace: 'shop', name: 'catalog', maxKeyLength: 64, serializer });
  });

  it('fills in documented defaults', () => {
    const slices = resolveLarderOptions({});
    expect(slices.cache).toMatchObject({
      namespace: 'larder',
      name: 'default',
      defaultTtl: 0,
      memory: false,
      commandTimeout: 1000,
      maxKeyLength: 1024,
      maxMemoryItems: 100_000,
      maxMemorySize: 256 * 1024 * 1024,
      maxValueSize: 4 * 1024 * 1024,
      throwOnError: false,
      resilience: { grace: 0, failSafeThrottle: 5000 },
    });
    expect(slices.connection).toEqual({
      redis: undefined,
      commandTimeout: 1000,
      logConnectionEvents: true,
      circuitBreaker: false,
    });
    expect(slices.metrics).toBeNull();
    expect(resolveLarderOptions({ memory: {} }).cache.memory).toEqual({
      maxItems: 10_000,
      ttl: 60_000,
      maxSize: 64 * 1024 * 1024,
    });
  });

  it.each<[string, LarderModuleOptions, RegExp]>([
    ['namespace with a space', { namespace: 'my app' }, /"namespace".*"my app"/],
    ['namespace with a glob', { namespace: 'a*' }, /"namespace"/],
    ['empty namespace', { namespace: '' }, /"namespace"/],
    ['bad duration string', { defaultTtl: '5 minutes' as never }, /defaultTtl.*"5 minutes".*'30s'/],
    ['negative duration', { defaultTtl: -1 }, /defaultTtl/],
    ['bad grace', { resilience: { grace: 'long' as never } }, /"resilience.grace".*"long"/],
    [
      'misspelt resilience field',
      { resilience: { grase: 1 } as never },
      /"resilience.grase".*"resilience.grace"/,
    ],
    ['zero commandTimeout', { commandTimeout: 0 }, /commandTimeout.*> 0/],
    ['non-URL redis string', { redis: 'localhost:6379' }, /"redis".*redis:\/\//],
    ['redis as a number', { redis: 6379 as never }, /"redis"/],
    [
      'a keyPrefix on the connection',
      { redis: { host: 'h', keyPrefix: 'app:' } },
      /"redis.keyPrefix".*namespace/,
    ],
    ['empty cluster nodes', { redis: { nodes: [] } }, /"redis.nodes"/],
    ['memory as true', { memory: true as never }, /"memory"/],
    ['memory.maxItems 0', { memory: { maxItems: 0 } }, /"memory.maxItems".*0/],
    ['memory.ttl bad', { memory: { ttl: 'x' as never } }, /memory.ttl/],
    ['memory.maxSize 0', { memory: { maxSize: 0 } }, /"memory.maxSize".*0/],
    ['memory.maxSize as a string', { memory: { maxSize: '1mb' as never } }, /"memory.maxSize"/],
    ['maxValueSize 0', { maxValueSize: 0 }, /"maxValueSize".*0/],
    ["maxValueSize past Redis' 512 MiB", { maxValueSize: 513 * 1024 * 1024 }, /"maxValueSize"/],
    ['maxMemorySize as a fraction', { maxMemorySize: 1.5 }, /"maxMemorySize"/],
    ['store without get/set', { store: {} as never }, /"store"/],
    ['serializer without deserialize', { serializer: { serialize: String } as never }, /"serializer"/],
    ['maxKeyLength as a string', { maxKeyLength: '10' as never }, /"maxKeyLength"/],
    ['throwOnError as a string', { throwOnError: 'yes' as never }, /"throwOnError"/],
  ])('rejects %s with E_INVALID_OPTION naming the field', (_name, options, message) => {
    let error: unknown;
    try {
      resolveLarderOptions(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'E_INVALID_OPTION' });
    expect((error as Error).message).toMatch(message);
  });
});

it('never echoes a rejected redis URL, which may hold a password', () => {
  expect(() => resolveLarderOptions({ redis: 'redis:/:s3cret@cache.internal:6379' })).toThrow(
    InvalidOptionError,
  );
  try {
    resolveLarderOptions({ redis: 'redis:/:s3cret@cache.internal:6379' });
  } catch (error) {
    expect((error as Error).message).not.toContain('s3cret');
    expect((error as Error).message).toContain('"redis"');
  }
  expect(resolveLarderOptions({ redis: 'REDIS://cache.internal:6379' }).connection.redis).toBe(
    'REDIS://cache.internal:6379',
  );
});

describe('module durations', () => {
  it('module durations below 1 ms become 1 ms, not "no expiry" or a zero lock ttl', () => {
    const resolved = resolveLarderOptions({ defaultTtl: 0.4, lock: { ttl: '0.4ms' }, memory: { ttl: 1e-9 } });
    expect(resolved.cache.defaultTtl).toBe(1);
    expect(resolved.lock.ttl).toBe(1);
    expect(resolved.cache.memory).toMatchObject({ ttl: 1 });
  });
});

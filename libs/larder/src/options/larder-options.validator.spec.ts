import { InvalidOptionError, type LarderModuleOptions } from '@larder/nestjs';
import { resolveLarderOptions } from './larder-options.validator';
import { parseDuration } from '../common/duration';

describe('resolveLarderOptions', () => {
  it('fills in documented defaults', () => {
    expect(resolveLarderOptions({})).toMatchObject({
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
    });
    expect(resolveLarderOptions({ memory: {} }).memory).toEqual({
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
  expect(resolveLarderOptions({ redis: 'REDIS://cache.internal:6379' }).redis).toBe(
    'REDIS://cache.internal:6379',
  );
});

describe('parseDuration', () => {
  it.each<[unknown, number]>([
    [250, 250],
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['42', 42],
  ])('parses %p as %p ms', (input, ms) => {
    expect(parseDuration(input, 'ttl')).toBe(ms);
  });

  it.each([['1w'], ['-5s'], [''], [NaN], [Infinity], [null], [{}], ['5 m s']])('rejects %p', (input) => {
    expect(() => parseDuration(input, 'lock.ttl')).toThrow(/Invalid lock.ttl/);
  });

  it.each<[unknown, number]>([
    [0.4, 1],
    ['0.4ms', 1],
    [1e-9, 1],
    [Number.MIN_VALUE, 1],
    ['0.0001s', 1],
    [1.4, 1],
    [1.5, 2],
    ['1.1s', 1100],
  ])('rounds %p to %p ms: a positive duration never becomes 0', (input, ms) => {
    expect(parseDuration(input, 'ttl')).toBe(ms);
    expect(parseDuration(input, 'ttl', { allowZero: true })).toBe(ms);
  });

  it('accepts 0 only where it means "no expiry"', () => {
    expect(parseDuration(0, 'ttl', { allowZero: true })).toBe(0);
    expect(() => parseDuration(0, 'ttl')).toThrow(InvalidOptionError);
    expect(Object.is(parseDuration(-0, 'ttl', { allowZero: true }), 0)).toBe(true);
  });

  it('module durations below 1 ms become 1 ms, not "no expiry" or a zero lock ttl', () => {
    const resolved = resolveLarderOptions({ defaultTtl: 0.4, lock: { ttl: '0.4ms' }, memory: { ttl: 1e-9 } });
    expect(resolved.defaultTtl).toBe(1);
    expect(resolved.lock?.ttl).toBe(1);
    expect(resolved.memory).toMatchObject({ ttl: 1 });
  });
});

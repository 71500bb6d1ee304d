import { Redis } from 'ioredis';
import type { Cache } from 'cache-manager';
import { CACHE_MANAGER, CacheService, type Serializer } from '@larder/nestjs';
import { ConnectionStateLogger } from '../redis/connection-state-logger';
import { createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';

/** Options whose effect the contract suite does not already show. */
describe('cache options', () => {
  it('defaultTtl applies to writes without a ttl, and 0 still means no expiry', async () => {
    const moduleRef = await createLarderModule({ namespace: uniqueNamespace(), defaultTtl: '1h' });
    const cache = moduleRef.get(CacheService);
    await cache.set('default', 1);
    await cache.set('forever', 1, 0);
    expect(await cache.ttl('default')).toBeGreaterThan(3_500_000);
    expect(await cache.ttl('forever')).toBe(Infinity);
    await moduleRef.close();
  });

  it('maxMemoryItems bounds the in-memory store, dropping the least recently used entry', async () => {
    const moduleRef = await createLarderModule({ namespace: uniqueNamespace(), maxMemoryItems: 3 });
    const cache = moduleRef.get(CacheService);
    for (const key of ['a', 'b', 'c']) await cache.set(key, key);
    await cache.get('a'); // a is now the most recently used
    await cache.set('d', 'd');
    expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual(['a', undefined, 'c', 'd']);
    await moduleRef.close();
  });

  it('throwOnError keeps a value the serializer refuses a caller error, not an outage', async () => {
    const moduleRef = await createLarderModule({
      namespace: uniqueNamespace(),
      redis: testRedisUrl(),
      throwOnError: true,
    });
    const cache = moduleRef.get(CacheService);
    for (const value of [Symbol('s'), 1n, () => 1]) {
      await expect(cache.set('k', value)).rejects.toMatchObject({ code: 'E_NOT_SERIALIZABLE' });
    }
    expect(cache.stats().errors).toBe(0);
    await moduleRef.close();
  });

  it('maxValueSize bounds every write, cache-manager writes included', async () => {
    const moduleRef = await createLarderModule({ namespace: uniqueNamespace(), maxValueSize: 1000 });
    const cache = moduleRef.get(CacheService);
    await cache.set('small', 'a'.repeat(900));
    await expect(cache.set('large', 'a'.repeat(1000))).rejects.toMatchObject({
      code: 'E_VALUE_TOO_LARGE',
      message: expect.stringMatching(/"large".*1\d{3} bytes.*maxValueSize \(1000\)/),
    });
    const manager = moduleRef.get<Cache>(CACHE_MANAGER);
    await expect(manager.set('manager-large', 'a'.repeat(1000))).rejects.toMatchObject({
      code: 'E_VALUE_TOO_LARGE',
    });
    expect(await cache.getMany(['small', 'large', 'manager-large'])).toEqual([
      'a'.repeat(900),
      undefined,
      undefined,
    ]);
    await moduleRef.close();
  });

  it('memory.maxSize bounds L1 by serialized bytes as well as by count; a larger value skips L1', async () => {
    const moduleRef = await createLarderModule({
      namespace: uniqueNamespace(),
      redis: testRedisUrl(),
      memory: { maxItems: 1000, maxSize: 10_000 },
    });
    const cache = moduleRef.get(CacheService);
    const evicted: string[] = [];
    cache.on('evict', (e) => evicted.push(e.key));
    for (let i = 0; i < 20; i++) await cache.set(`k${i}`, 'v'.repeat(1000));
    // Each entry serializes to 1012 bytes: nine of them fit in 10 000.
    expect(cache.stats().l1Items).toBe(9);
    expect(evicted).toHaveLength(11);
    await cache.set('huge', 'h'.repeat(20_000));
    expect(cache.stats().l1Items).toBe(9);
    const tiers: string[] = [];
    cache.on('hit', (e) => tiers.push(e.tier));
    expect(await cache.get('huge')).toBe('h'.repeat(20_000));
    expect(await cache.get('k19')).toBe('v'.repeat(1000));
    expect(tiers).toEqual(['l2', 'l1']);
    await moduleRef.close();
  });

  it('maxMemorySize bounds the in-memory store by serialized bytes, dropping the least recently used', async () => {
    const moduleRef = await createLarderModule({
      namespace: uniqueNamespace(),
      maxMemorySize: 10_000,
      maxValueSize: 5_000,
    });
    const cache = moduleRef.get(CacheService);
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    for (const key of keys) await cache.set(key, 'v'.repeat(1000));
    const kept = (await cache.getMany(keys)).filter((v) => v !== undefined);
    expect(kept).toHaveLength(9);
    expect(await cache.get('k19')).toBe('v'.repeat(1000));
    await moduleRef.close();
    await expect(createLarderModule({ maxMemorySize: 1000, maxValueSize: 2000 })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringMatching(/"maxMemorySize".*1000.*maxValueSize/),
    });
  });

  it('maxKeyLength sets the longest accepted key', async () => {
    const moduleRef = await createLarderModule({ namespace: uniqueNamespace(), maxKeyLength: 8 });
    const cache = moduleRef.get(CacheService);
    await cache.set('12345678', 1);
    await expect(cache.set('123456789', 1)).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
    await moduleRef.close();
  });

  it('a custom serializer encodes what reaches Redis and decodes what comes back', async () => {
    const base64Json: Serializer = {
      serialize: (value) => Buffer.from(JSON.stringify(value)).toString('base64'),
      deserialize: (raw) => JSON.parse(Buffer.from(raw, 'base64').toString()),
    };
    const namespace = uniqueNamespace();
    const moduleRef = await createLarderModule({ namespace, redis: testRedisUrl(), serializer: base64Json });
    const cache = moduleRef.get(CacheService);
    await cache.set('k', { hello: 'world' });
    const admin = new Redis(testRedisUrl());
    const raw = (await admin.get(`${namespace}::k`)) as string;
    admin.disconnect();
    expect(raw).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(JSON.parse(Buffer.from(raw, 'base64').toString())).toMatchObject({ value: { hello: 'world' } });
    expect(await cache.get('k')).toEqual({ hello: 'world' });
    await moduleRef.close();
  });
});

describe('ConnectionStateLogger', () => {
  it('logs each change of state once, however often the client repeats it', () => {
    const lines: string[] = [];
    const logger = {
      log: (m: string) => lines.push(`log ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: () => undefined,
    };
    const state = new ConnectionStateLogger('Redis', logger);
    state.ready();
    for (let i = 0; i < 50; i++) state.down(new Error('ECONNREFUSED'));
    state.ready();
    state.ready();
    state.closed();
    state.down(new Error('after close'));
    expect(lines).toEqual([
      'log Redis: connected',
      'warn Redis: unavailable (ECONNREFUSED); retrying in the background',
      'log Redis: connected',
    ]);
  });
});

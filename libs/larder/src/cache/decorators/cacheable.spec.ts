import { Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { createLarderModule, eventually, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { hashArguments } from './argument-hash';
import { CatalogError, CatalogService } from './catalog.fixtures';

const setups: Array<[string, () => LarderModuleOptions]> = [
  ['memory', () => ({})],
  ['Redis', () => ({ redis: testRedisUrl() })],
  ['L1 in front of Redis', () => ({ redis: testRedisUrl(), memory: { maxItems: 1000 } })],
];

describe.each(setups)('@Cacheable on %s', (_name, makeOptions) => {
  let moduleRef: TestingModule;
  let catalog: CatalogService;
  let cache: CacheService;

  beforeEach(async () => {
    moduleRef = await createLarderModule(
      { namespace: uniqueNamespace(), ...makeOptions() },
      { providers: [CatalogService] },
    );
    catalog = moduleRef.get(CatalogService);
    cache = moduleRef.get(CacheService);
  });

  afterEach(async () => {
    await moduleRef.close();
  });

  it('runs the method on a miss, then serves hits without running it; keeps this, arguments and name', async () => {
    const first = await catalog.find(1);
    expect(first).toEqual({ id: 1, name: 'product 1', version: 1 });
    expect(await catalog.find(1)).toEqual(first);
    expect(await catalog.find(1)).toEqual(first);
    expect(catalog.count('find')).toBe(1);
    expect(await catalog.find(2)).toEqual({ id: 2, name: 'product 2', version: 2 });
    expect(catalog.count('find')).toBe(2);
    expect(await cache.get('product:1')).toEqual(first);
    expect(catalog.find.name).toBe('find');
    expect(Object.keys(catalog)).not.toContain('find');
  });

  it('expires entries after ttl and runs the method again', async () => {
    await catalog.findShortLived(1);
    await catalog.findShortLived(1);
    expect(catalog.count('findShortLived')).toBe(1);
    await eventually(async () => (await cache.get('short:1')) === undefined, 5000, 'the entry to expire');
    const again = await catalog.findShortLived(1);
    expect(again.version).toBe(2);
    expect(catalog.count('findShortLived')).toBe(2);
  });

  it('builds keys from templates with nested property paths', async () => {
    await catalog.orders({ id: 'u1', name: 'Ann' }, 2);
    await catalog.orders({ id: 'u1', name: 'renamed' }, 2);
    expect(catalog.count('orders')).toBe(1);
    expect(await cache.get('user:u1:orders:2')).toEqual(['u1-order-2']);
    await catalog.orders({ id: 'u1' }, 3);
    expect(catalog.count('orders')).toBe(2);
  });

  it('rejects with E_INVALID_KEY naming Class.method when a placeholder does not resolve, without running the method', async () => {
    const call = catalog.orders({} as { id: string }, 1);
    await expect(call).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
    await expect(catalog.orders({ id: '' }, 1)).rejects.toThrow(/CatalogService\.orders/);
    expect(catalog.count('orders')).toBe(0);
  });

  it('uses a key function, and rejects an empty key from it with E_INVALID_KEY without running the method', async () => {
    await catalog.byKeyFunction(3);
    await catalog.byKeyFunction(3);
    expect(catalog.count('byKeyFunction')).toBe(1);
    expect(await cache.has('fn:3')).toBe(true);
    await expect(catalog.byKeyFunction(0)).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
    await expect(catalog.byKeyFunction(0)).rejects.toThrow(/CatalogService\.byKeyFunction/);
    expect(catalog.count('byKeyFunction')).toBe(1);
  });

  it('derives a default key ClassName.method:<hash> that does not depend on object key order', async () => {
    const first = await catalog.search({ color: 'red', size: { min: 1, max: 3 } }, 1);
    const second = await catalog.search({ size: { max: 3, min: 1 }, color: 'red' }, 1);
    expect(second).toEqual(first);
    expect(catalog.count('search')).toBe(1);
    const key = `CatalogService.search:${hashArguments([{ size: { min: 1, max: 3 }, color: 'red' }, 1], 'test')}`;
    expect(await cache.get(key)).toEqual(first);
    await catalog.search({ color: 'blue' }, 1);
    await catalog.search({ color: 'red', size: { min: 1, max: 3 } }, 2);
    expect(catalog.count('search')).toBe(3);
    // Omitted trailing arguments and explicit undefined are the same call.
    await catalog.search({ color: 'green' });
    await catalog.search({ color: 'green' }, undefined);
    expect(catalog.count('search')).toBe(4);
  });

  it('bypasses the cache entirely when condition is false, and does not store when unless is true', async () => {
    await catalog.lookup(-5);
    await catalog.lookup(-5);
    expect(catalog.count('lookup')).toBe(2);
    expect(await cache.has('lookup:-5')).toBe(false);

    expect(await catalog.lookup(5, false)).toBeNull();
    expect(await catalog.lookup(5, false)).toBeNull();
    expect(catalog.count('lookup')).toBe(4);
    expect(await cache.has('lookup:5')).toBe(false);

    const found = await catalog.lookup(5);
    expect(await catalog.lookup(5)).toEqual(found);
    expect(catalog.count('lookup')).toBe(5);
  });

  it('stores null but never undefined', async () => {
    expect(await catalog.nullable(1)).toBeNull();
    expect(await catalog.nullable(1)).toBeNull();
    expect(catalog.count('nullable')).toBe(1);
    expect(await cache.has('nullable:1')).toBe(true);

    expect(await catalog.nothing(1)).toBeUndefined();
    expect(await catalog.nothing(1)).toBeUndefined();
    expect(catalog.count('nothing')).toBe(2);
    expect(await cache.has('nothing:1')).toBe(false);
  });

  it("propagates the method's own error unchanged (same instance and stack) and never caches it", async () => {
    const misses = cache.stats().misses;
    const caught = await catalog.failing(1).catch((e: unknown) => e);
    // It went through the cache (a miss), not around it.
    expect(cache.stats().misses).toBe(misses + 1);
    expect(caught).toBeInstanceOf(CatalogError);
    expect(caught).toBe(catalog.lastError);
    expect((caught as Error).stack).toContain('CatalogService.failing');
    const again = await catalog.failing(1).catch((e: unknown) => e);
    expect(again).toBe(catalog.lastError);
    expect(again).not.toBe(caught);
    expect(catalog.count('failing')).toBe(2);
    expect(await cache.has('failing:1')).toBe(false);
  });

  it('runs the method once for 500 concurrent calls on the same key', async () => {
    let open!: () => void;
    catalog.gate = new Promise<void>((resolve) => (open = resolve));
    const calls = Array.from({ length: 500 }, () => catalog.slow(9));
    await eventually(() => catalog.count('slow') === 1, 5000, 'the one invocation to start');
    open();
    const results = await Promise.all(calls);
    expect(catalog.count('slow')).toBe(1);
    expect(new Set(results.map((r) => r.version))).toEqual(new Set([results[0].version]));
    expect(await catalog.slow(9)).toEqual(results[0]);
    expect(catalog.count('slow')).toBe(1);
  });

  it('tags entries with a function of the result', async () => {
    await catalog.byCategory('shoes');
    expect(await cache.invalidateTags(['product:2'])).toBe(1);
    await catalog.byCategory('shoes');
    expect(catalog.count('byCategory')).toBe(2);
  });

  it('stores entries in a namespace rendered from the arguments', async () => {
    await catalog.profile('u7');
    await catalog.profile('u7');
    expect(catalog.count('profile')).toBe(1);
    expect(await cache.namespace('user:u7').get('profile')).toMatchObject({ userId: 'u7' });
    expect(await cache.get('profile')).toBeUndefined();
  });

  it('returns a result the serializer refuses without storing it, and logs the failure once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      expect(await catalog.unstorable(1)).toEqual({ big: 10n });
      expect(await catalog.unstorable(1)).toEqual({ big: 10n });
      expect(catalog.count('unstorable')).toBe(2);
      expect(await cache.has('bigint:1')).toBe(false);
      const messages = warn.mock.calls
        .map(([message]) => String(message))
        .filter((m) => m.includes('CatalogService.unstorable'));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('E_NOT_SERIALIZABLE');
    } finally {
      warn.mockRestore();
    }
  });
});

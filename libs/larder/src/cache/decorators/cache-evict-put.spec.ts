import type { TestingModule } from '@nestjs/testing';
import { CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { CatalogError, CatalogService } from './catalog.fixtures';

const setups: Array<[string, () => LarderModuleOptions]> = [
  ['memory', () => ({})],
  ['Redis', () => ({ redis: testRedisUrl() })],
  ['L1 in front of Redis', () => ({ redis: testRedisUrl(), memory: { maxItems: 1000 } })],
];

describe.each(setups)('@CacheEvict and @CachePut on %s', (_name, makeOptions) => {
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

  it('evicts a key template after the method succeeds, so the next read runs the method again', async () => {
    await catalog.find(1);
    await catalog.find(2);
    await catalog.update(1);
    expect(catalog.count('update')).toBe(1);
    await catalog.find(1);
    await catalog.find(2);
    expect(catalog.count('find')).toBe(3);
  });

  it("evicts entries by tag from another method's @CacheEvict, with static and function tags", async () => {
    await catalog.find(1);
    await catalog.find(2);
    await catalog.byCategory('hats');
    expect(await catalog.invalidateAll()).toBe(7);
    await catalog.find(1);
    await catalog.find(2);
    expect(catalog.count('find')).toBe(4);
    await catalog.byCategory('hats');
    expect(catalog.count('byCategory')).toBe(1);

    await catalog.invalidateProductTag(2);
    await catalog.byCategory('hats');
    expect(catalog.count('byCategory')).toBe(2);
  });

  it('evicts all entries of a namespace with allEntries, and only them', async () => {
    await catalog.profile('u1');
    await catalog.settings('u1');
    await catalog.profile('u2');
    await catalog.find(1);
    await catalog.forgetUser('u1');
    await catalog.profile('u1');
    await catalog.settings('u1');
    await catalog.profile('u2');
    await catalog.find(1);
    expect(catalog.count('profile')).toBe(3);
    expect(catalog.count('settings')).toBe(2);
    expect(catalog.count('find')).toBe(1);
  });

  it('evicts before the method with beforeInvocation even though the method throws, and the error is unchanged', async () => {
    await catalog.find(1);
    expect(await cache.has('product:1')).toBe(true);
    const caught = await catalog.evictThenFail(1).catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(CatalogError);
    expect(caught).toBe(catalog.lastError);
    expect(await cache.has('product:1')).toBe(false);
  });

  it('does not evict after a method that throws (default)', async () => {
    await catalog.find(1);
    const caught = await catalog.failBeforeEvict(1).catch((e: unknown) => e);
    expect(caught).toBe(catalog.lastError);
    expect(await cache.has('product:1')).toBe(true);
    await catalog.find(1);
    expect(catalog.count('find')).toBe(1);
  });

  it('applies several @CacheEvict on one method, skipping one whose condition is false', async () => {
    await catalog.find(3);
    await catalog.lookup(3);
    await cache.set('other', 'kept', { tags: ['never-used'] });
    expect(await cache.has('product:3')).toBe(true);
    expect(await cache.has('lookup:3')).toBe(true);
    expect(await catalog.evictSeveral(3)).toBe('done');
    expect(await cache.has('product:3')).toBe(false);
    expect(await cache.has('lookup:3')).toBe(false);
    expect(await cache.get('other')).toBe('kept');
  });

  it('@CachePut always runs the method and overwrites the entry @Cacheable reads', async () => {
    const before = await catalog.find(1);
    const renamed = await catalog.rename(1, 'new name');
    const renamedAgain = await catalog.rename(1, 'newer name');
    expect(catalog.count('rename')).toBe(2);
    expect(renamedAgain.version).toBeGreaterThan(renamed.version);
    const read = await catalog.find(1);
    expect(read).toEqual(renamedAgain);
    expect(read).not.toEqual(before);
    expect(catalog.count('find')).toBe(1);
    // The put carried the tag, so tag invalidation still reaches the overwritten entry.
    await catalog.invalidateAll();
    expect(await cache.has('product:1')).toBe(false);
  });

  it('@CachePut skips the write when condition is false or unless is true, but always runs the method', async () => {
    const cached13 = await catalog.find(13);
    await catalog.renameIf(13, 'not written');
    expect(await catalog.find(13)).toEqual(cached13);

    const cached4 = await catalog.find(4);
    await catalog.renameIf(4, 'draft');
    expect(await catalog.find(4)).toEqual(cached4);

    await catalog.renameIf(4, 'final');
    expect((await catalog.find(4)).name).toBe('final');
    expect(catalog.count('renameIf')).toBe(3);
    expect(catalog.count('find')).toBe(2);
  });
});

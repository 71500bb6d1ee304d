import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace, UNHURRIED_TIMEOUT } from '#test/test-helpers';
import { CacheCore } from '../cache-core';
import type { KeyvCacheStore } from '../stores/keyv-cache.store';
import type { MemoryTagStore } from './memory-tag.store';

const KEYS = 2000;
const TAGS_PER_KEY = 10;
const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);
const tagsOf = (i: number) => Array.from({ length: TAGS_PER_KEY }, (_, t) => `tag${(i + t) % 50}`);

/** Writes every key with its tags; the index then holds KEYS entries and KEYS * TAGS_PER_KEY memberships. */
async function writeTagged(cache: CacheService, ttl?: number): Promise<void> {
  for (let i = 0; i < KEYS; i += 200) {
    await cache.setMany(
      keys.slice(i, i + 200).map((key, j) => ({ key, value: i + j, ttl, tags: tagsOf(i + j) })),
    );
  }
}

/**
 * The steps that used to leave members behind: del, delMany, overwrite without tags, invalidating
 * some tags (the entries' other tags must go too), clear() of a scope. After each, the index is empty.
 */
async function expectIndexReturnsToZero(cache: CacheService, size: () => Promise<number>): Promise<void> {
  await writeTagged(cache);
  expect(await size()).toBeGreaterThanOrEqual(KEYS * TAGS_PER_KEY);
  for (const key of keys.slice(0, KEYS / 2)) await cache.del(key);
  await cache.delMany(keys.slice(KEYS / 2));
  expect(await size()).toBe(0);

  await writeTagged(cache);
  for (let i = 0; i < KEYS; i += 200) {
    await cache.setMany(keys.slice(i, i + 200).map((key) => ({ key, value: 'untagged' })));
  }
  expect(await size()).toBe(0);

  await writeTagged(cache);
  const everyKeyCarriesOneOf = Array.from({ length: 50 / TAGS_PER_KEY }, (_, t) => `tag${t * TAGS_PER_KEY}`);
  expect(await cache.invalidateTags(everyKeyCarriesOneOf)).toBe(KEYS);
  expect(await size()).toBe(0);

  const scope = cache.namespace('scope').namespace('nested');
  await scope.setMany(keys.slice(0, 100).map((key, i) => ({ key, value: i, tags: tagsOf(i) })));
  expect(await size()).toBeGreaterThan(0);
  await cache.namespace('scope').clear();
  expect(await size()).toBe(0);
}

describe('tag index size on the memory store', () => {
  let moduleRef: TestingModule;
  afterEach(() => moduleRef.close());

  const memoryIndexSize = () =>
    ((moduleRef.get(CacheCore).store as KeyvCacheStore).tags as MemoryTagStore).size;

  it('returns to zero after deletes, overwrites, invalidations and clears', async () => {
    moduleRef = await createLarderModule({ namespace: uniqueNamespace() });
    await expectIndexReturnsToZero(moduleRef.get(CacheService), async () => memoryIndexSize());
  });

  it('forgets entries the store evicts or lets expire', async () => {
    moduleRef = await createLarderModule({ namespace: uniqueNamespace(), maxMemoryItems: 100 });
    const cache = moduleRef.get(CacheService);
    await writeTagged(cache);
    expect(memoryIndexSize()).toBe(100 * (TAGS_PER_KEY + 1));
    await cache.clear();
    expect(memoryIndexSize()).toBe(0);
    await writeTagged(cache, 50);
    const written = Date.now();
    await eventually(() => Date.now() > written + 80, 3000, 'the entries to expire');
    expect(memoryIndexSize()).toBe(0);
  });
});

/** Members of every tag set plus tags of every per-entry record, counted on the server itself. */
async function redisIndexSize(admin: Redis, namespace: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, found] = await admin.scan(cursor, 'MATCH', `${namespace}:#*`, 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      const type = await admin.type(key);
      if (type === 'zset') total += await admin.zcard(key);
      else if (type === 'set') total += await admin.scard(key);
      else total += 1;
    }
  } while (cursor !== '0');
  return total;
}

describe('tag index size on Redis', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  const shared: Redis[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    shared.forEach((client) => client.disconnect());
    admin.disconnect();
    await server.stop();
  });

  const setups: Array<[string, () => LarderModuleOptions]> = [
    ['@keyv/redis from a URL', () => ({ redis: server.url })],
    ['L1 in front of Redis', () => ({ redis: server.url, memory: { maxItems: 500 } })],
    [
      'a shared ioredis instance',
      () => {
        const client = new Redis(server.url);
        shared.push(client);
        return { redis: client };
      },
    ],
    [
      'a custom store with tags in Redis',
      () => ({ redis: server.url, store: new Keyv({ store: new Map() }) }),
    ],
  ];

  it.each(setups)(
    'returns to zero after deletes, overwrites, invalidations and clears: %s',
    async (_name, make) => {
      const namespace = uniqueNamespace();
      const moduleRef = await createLarderModule({ ...make(), namespace, commandTimeout: UNHURRIED_TIMEOUT });
      try {
        await expectIndexReturnsToZero(moduleRef.get(CacheService), () => redisIndexSize(admin, namespace));
      } finally {
        await moduleRef.close();
      }
    },
  );

  it('keeps the index consistent with the values under racing writes and deletes from two instances', async () => {
    const namespace = uniqueNamespace();
    const bClient = new Redis(server.url);
    shared.push(bClient);
    // 400 calls at once on a loaded machine: one that timed out would be a skipped write or delete
    // (fail open), and what is checked is the index's consistency, not the calls' speed.
    const commandTimeout = UNHURRIED_TIMEOUT;
    const [aRef, bRef] = await Promise.all([
      createLarderModule({ redis: server.url, namespace, commandTimeout }),
      createLarderModule({ redis: bClient, namespace, commandTimeout }),
    ]);
    const a = aRef.get(CacheService);
    const b = bRef.get(CacheService);
    const racers = Array.from({ length: 20 }, (_, k) => `race${k}`);
    await Promise.all(
      Array.from({ length: 400 }, (_, i) => {
        const key = racers[i % racers.length];
        const cache = i % 2 ? a : b;
        if (i % 3 === 0) return cache.del(key);
        return cache.set(key, i, { tags: i % 5 === 0 ? [] : ['red', `t${i % 4}`] });
      }),
    );
    // Every live entry is in exactly the tag sets its record lists, and nothing else is indexed.
    for (const key of racers) {
      const tags = (await admin.smembers(`${namespace}:#tags-of:{t:${namespace}}:${key}`)).sort();
      const exists = (await admin.exists(`${namespace}::${key}`)) === 1;
      if (!exists) expect(tags).toEqual([]);
      for (const tag of ['red', 't0', 't1', 't2', 't3']) {
        const score = await admin.zscore(`${namespace}:#tag:{t:${namespace}}:${tag}`, key);
        expect([tag, score !== null]).toEqual([tag, tags.includes(tag)]);
      }
    }
    await a.delMany(racers);
    expect(await redisIndexSize(admin, namespace)).toBe(0);
    await Promise.all([aRef.close(), bRef.close()]);
  });
});

import KeyvRedis, { createClient } from '@keyv/redis';
import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { CacheModule, CacheService, type LarderModuleOptions } from '../../libs/larder/src';

/** The value every cache case reads and writes: a small JSON object of about 200 bytes once encoded. */
export const PRODUCT = {
  id: 4711,
  sku: 'ESP-MCH-0042',
  name: 'Espresso machine, dual boiler',
  price: 1249.9,
  currency: 'EUR',
  stock: 17,
  tags: ['kitchen', 'coffee', 'appliance'],
  updatedAt: '2025-01-31T12:00:00.000Z',
};

/** TTL of every write in the cache cases (ms): long enough that nothing expires during a run. */
export const TTL_MS = 300_000;

/**
 * One way of caching a value in Redis, reduced to what the cases measure. `get` resolves to the
 * decoded value (or undefined); `set` writes with TTL_MS.
 */
export interface CacheClient {
  name: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts Larder as users do: a Nest module importing CacheModule.forRoot(options). */
export async function larderModule(options: LarderModuleOptions): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheModule.forRoot({ logConnectionEvents: false, ...options })],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

/** Raw ioredis: GET + JSON.parse, JSON.stringify + SET PX. The baseline every other client is held to. */
function rawIoredis(url: string): CacheClient {
  const redis = new Redis(url);
  return {
    name: 'raw ioredis GET/SET + JSON',
    get: async (key) => {
      const text = await redis.get(`bench-raw:${key}`);
      return text === null ? undefined : JSON.parse(text);
    },
    set: (key, value) => redis.set(`bench-raw:${key}`, JSON.stringify(value), 'PX', TTL_MS),
    close: async () => void redis.disconnect(),
  };
}

/** Raw node-redis (the client @keyv/redis is built on), same commands and encoding. */
async function rawNodeRedis(url: string): Promise<CacheClient> {
  const client = createClient({ url });
  await client.connect();
  return {
    name: 'raw node-redis GET/SET + JSON',
    get: async (key) => {
      const text = await client.get(`bench-node:${key}`);
      return text === null ? undefined : JSON.parse(String(text));
    },
    set: (key, value) => client.set(`bench-node:${key}`, JSON.stringify(value), { PX: TTL_MS }),
    close: async () => void client.destroy(),
  };
}

/** cache-manager v7 over Keyv over @keyv/redis, used directly (what @nestjs/cache-manager users run). */
async function cacheManager(url: string): Promise<CacheClient> {
  const store = new KeyvRedis(url, { namespace: 'bench-cm' });
  const cache = createCache({ stores: [new Keyv({ store, namespace: 'bench-cm', useKeyPrefix: false })] });
  await cache.get('warm-up-connection');
  return {
    name: 'cache-manager v7 + Keyv + @keyv/redis',
    get: (key) => cache.get(key),
    set: (key, value) => cache.set(key, value, TTL_MS),
    close: async () => void (await cache.disconnect()),
  };
}

/** BentoCache with a Redis L2 only (no memory tier, no bus). */
function bentoRedis(url: string): CacheClient {
  const connection = new Redis(url);
  const bento = new BentoCache({
    default: 'redis',
    prefix: 'bench-bento',
    stores: { redis: bentostore().useL2Layer(redisDriver({ connection })) },
  });
  return {
    name: 'bentocache (Redis only)',
    get: (key) => bento.get({ key }),
    set: (key, value) => bento.set({ key, value, ttl: TTL_MS }),
    close: async () => {
      await bento.disconnectAll();
      connection.disconnect();
    },
  };
}

/** Larder CacheService from a module; `shared` is an ioredis connection Larder must leave open. */
async function larder(name: string, options: LarderModuleOptions, shared?: Redis): Promise<CacheClient> {
  const moduleRef = await larderModule(options);
  const cache = moduleRef.get(CacheService);
  return {
    name,
    get: (key) => cache.get(key),
    set: (key, value) => cache.set(key, value, TTL_MS),
    close: async () => {
      await moduleRef.close();
      shared?.disconnect();
    },
  };
}

/**
 * Every contender of the Redis get/set case, raw ioredis first: raw node-redis, cache-manager,
 * bentocache, and Larder on its two Redis setups (a URL: values through @keyv/redis; a shared
 * ioredis instance: values over that connection).
 */
export async function redisCacheClients(url: string): Promise<CacheClient[]> {
  const shared = new Redis(url);
  return [
    rawIoredis(url),
    await rawNodeRedis(url),
    await cacheManager(url),
    bentoRedis(url),
    await larder('Larder CacheService (URL: @keyv/redis)', { redis: url, namespace: 'bench-larder-url' }),
    await larder(
      'Larder CacheService (shared ioredis)',
      { redis: shared, namespace: 'bench-larder-shared' },
      shared,
    ),
  ];
}

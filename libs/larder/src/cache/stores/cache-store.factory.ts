import type { RedisClientOptions } from '@keyv/redis';
import type { LoggerService } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { systemClock, type LarderClock } from '../../common/clock';
import type { ConnectionOptions } from '../../redis/redis-options';
import type { CacheOptions } from '../cache-options';
import { ConnectionStateLogger } from '../../redis/connection-state-logger';
import { isRedisInstance } from '../../redis/is-cluster';
import { isClusterConfig } from '../../redis/redis-connection.factory';
import type { RedisCoordinator } from '../../redis/redis-coordinator';
import { cacheRedisKeys, KEY_SEPARATOR } from '../cache-keys';
import { IoredisKeyvStore } from './ioredis-keyv.store';
import { KeyvCacheStore } from './keyv-cache.store';
import { MemoryKeyvStore } from './memory-keyv.store';
import { MemoryTagStore } from '../tags/memory-tag.store';
import { RedisTagStore } from '../tags/redis-tag.store';
import { RedisCacheStore, type ScriptRunner } from './redis-cache.store';
import { keyvCodec } from './keyv-codec';
import { ConnectedKeyvRedis, ValueStoreConnection } from './value-store-connection';
import type { CacheStore } from './cache-store';

/**
 * node-redis options for @keyv/redis, from the same `redis` option the coordination connection
 * uses. Only a URL or plain host/port options map one to one; sentinel, cluster and shared
 * instances use the ioredis connection for values instead (see `createCacheStore`).
 */
function nodeRedisOptions(redis: string | RedisOptions, commandTimeout: number): RedisClientOptions {
  // Reconnection (with reconnectDelay) is ValueStoreConnection's, so that close() can cancel it.
  const socketDefaults = { connectTimeout: Math.max(commandTimeout, 2000) };
  // No offline queue: while Redis is away a command fails at once instead of queueing without bound.
  const common = { disableOfflineQueue: true, commandOptions: undefined };
  if (typeof redis === 'string') return { ...common, url: redis, socket: socketDefaults };
  return {
    ...common,
    username: redis.username,
    password: redis.password,
    database: redis.db,
    socket: { ...socketDefaults, host: redis.host, port: redis.port },
  } as RedisClientOptions;
}

/** The ioredis options that map one to one onto node-redis; anything else keeps values on ioredis. */
const PORTABLE_OPTIONS = new Set(['host', 'port', 'username', 'password', 'db']);

/**
 * @keyv/redis for a URL or plain host/port options; the ioredis connection for everything else
 * (a shared instance, cluster, sentinels, TLS objects, unix sockets, ...), so values and
 * coordination always reach the same server with the same settings.
 */
function usesKeyvRedis(redis: ConnectionOptions['redis']): redis is string | RedisOptions {
  if (redis === undefined || isRedisInstance(redis) || isClusterConfig(redis)) return false;
  return typeof redis === 'string' || Object.keys(redis).every((key) => PORTABLE_OPTIONS.has(key));
}

function wrapStore(store: NonNullable<CacheOptions['store']>, options: CacheOptions): Keyv {
  if (store instanceof Keyv) return store;
  return new Keyv({
    store: store as KeyvStoreAdapter,
    namespace: options.namespace,
    throwOnErrors: true,
    ...keyvCodec(
      options.serializer,
      options.maxValueSize,
      options.memory !== false,
      options.compression.codecs,
    ),
  });
}

/** Lua scripts over @keyv/redis' own node-redis client, so writes pipeline on the connection reads use. */
function nodeRedisScripts(client: ValueStoreConnection['client']): ScriptRunner {
  return async (script, keys, args) => {
    const rest = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await client.sendCommand(['EVALSHA', script.sha, ...rest]);
    } catch (error) {
      if (!String((error as Error | null)?.message).startsWith('NOSCRIPT')) throw error;
      return client.sendCommand(['EVAL', script.lua, ...rest]);
    }
  };
}

/** Builds where cache values live, with their tag index: the `store` option, else Redis, else process memory. */
export function createCacheStore(
  options: CacheOptions,
  connection: ConnectionOptions,
  redis: RedisCoordinator | null,
  logger?: LoggerService,
  clock: LarderClock = systemClock,
): CacheStore {
  const codec = keyvCodec(
    options.serializer,
    options.maxValueSize,
    options.memory !== false,
    options.compression.codecs,
  );
  // Larder's own stores lay out keys themselves (`<namespace>::<key>`, or none in memory), and a
  // store error must reach Larder as a rejection it can turn into a miss or a typed error.
  const ownKeyv = (store: KeyvStoreAdapter) =>
    new Keyv({ store, namespace: options.namespace, useKeyPrefix: false, throwOnErrors: true, ...codec });
  const keys = cacheRedisKeys(options.namespace);
  let cacheStore: CacheStore;
  if (options.store) {
    // Tags sit in Redis when it is configured beside a custom store, so every instance shares them.
    cacheStore = new KeyvCacheStore(
      'custom',
      wrapStore(options.store, options),
      !(options.store instanceof Keyv),
      redis ? new RedisTagStore(redis, keys) : new MemoryTagStore(clock),
      undefined,
      clock,
    );
  } else if (redis && usesKeyvRedis(connection.redis)) {
    const valueConnection = new ValueStoreConnection(
      nodeRedisOptions(connection.redis, options.commandTimeout),
      new ConnectionStateLogger('Redis value store', logger),
    );
    const store = new ConnectedKeyvRedis(valueConnection.client, {
      namespace: options.namespace,
      keyPrefixSeparator: KEY_SEPARATOR,
      throwOnErrors: true,
    });
    cacheStore = new RedisCacheStore(
      ownKeyv(store),
      redis,
      keys,
      nodeRedisScripts(valueConnection.client),
      () => valueConnection.close(),
      () => valueConnection.ready(),
    );
  } else if (redis) {
    cacheStore = new RedisCacheStore(
      ownKeyv(new IoredisKeyvStore(redis.client)),
      redis,
      keys,
      (script, scriptKeys, args) => redis.eval(script, scriptKeys, args),
      () => Promise.resolve(),
    );
  } else {
    // The store is this module's own, so its keys need no namespace prefix.
    const tags = new MemoryTagStore(clock);
    const memory = new MemoryKeyvStore(
      options.maxMemoryItems,
      options.maxMemorySize,
      (key) => tags.forgetNow([key]),
      clock,
    );
    cacheStore = new KeyvCacheStore('memory', ownKeyv(memory), true, tags, memory, clock);
  }
  // Errors are handled where each call is awaited; this listener only keeps an emitter with no
  // listener from turning a store error into a crash.
  cacheStore.keyv.on('error', () => undefined);
  return cacheStore;
}

import KeyvRedis from '@keyv/redis';
import type { Keyv } from 'keyv';
import { InvalidArgumentError } from '../../errors';
import type { LuaScript } from '../../redis/lua-script';
import { toTypedError, type RedisCoordinator } from '../../redis/redis-coordinator';
import { withTimeout } from '../../redis/with-timeout';
import { scanAndUnlink, unlinkKeys } from '../../redis/scan-unlink';
import type { CacheRedisKeys } from '../cache-keys';
import { RedisTagStore } from '../tags/redis-tag.store';
import { ENTRY_DELETE, ENTRY_SET, ENTRY_TAKE } from '../tags/tag.scripts';
import { INCREMENT } from './cache.scripts';
import type { EncodedValue } from './encoded-value';
import type { Removal, CacheStore } from './cache-store';

/** Runs a Lua script over the connection that holds the values. */
export type ScriptRunner = (
  script: LuaScript,
  keys: string[],
  args: Array<string | number>,
) => Promise<unknown>;

/**
 * Cache values in Redis (read through @keyv/redis or the shared ioredis connection), with the tag
 * index beside them (layout in cache-keys.ts). On a single Redis every write, delete and
 * invalidation changes value and index in one script on the values' own connection, as one
 * command: a write without tags stays one round trip. On a cluster the values' slots and the
 * index slot differ, so value commands and an index script run side by side, not atomically.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis' as const;
  readonly usesLarderSerializer = true;
  /** The index alone, for a cluster (where it cannot change in the values' scripts) and for clear(). */
  private readonly index: RedisTagStore;
  private readonly cluster: boolean;

  constructor(
    readonly keyv: Keyv,
    private readonly redis: RedisCoordinator,
    private readonly keys: CacheRedisKeys,
    private readonly runScript: ScriptRunner,
    private readonly closeStore: () => Promise<void>,
    private readonly whenReady: () => Promise<unknown> = () => Promise.resolve(),
  ) {
    this.index = new RedisTagStore(redis, keys);
    this.cluster = redis.isCluster;
  }

  async ready(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([this.whenReady().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }

  private key(key: string): string {
    return this.keys.values + key;
  }

  async write(key: string, entry: EncodedValue, ttl: number, tags: string[]): Promise<void> {
    const { records, tagSets } = this.keys;
    if (this.cluster) {
      const value = this.key(key);
      await Promise.all([
        this.redis.call('SET', (client) =>
          ttl > 0 ? client.set(value, entry.payload, 'PX', ttl) : client.set(value, entry.payload),
        ),
        this.index.retag(key, tags, ttl),
      ]);
      return;
    }
    await this.runScript(
      ENTRY_SET,
      [this.key(key), records + key, ...tags.map((tag) => tagSets + tag)],
      [entry.payload, ttl, key, tagSets, ...tags],
    );
  }

  async deleteMany(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (this.cluster) {
      const [removed] = await Promise.all([this.unlink(keys), this.index.forget(keys)]);
      return removed;
    }
    const { records, tagSets } = this.keys;
    const declared = [...keys.map((key) => this.key(key)), ...keys.map((key) => records + key)];
    return Number(await this.runScript(ENTRY_DELETE, declared, [tagSets, ...keys]));
  }

  async invalidateTags(tags: string[]): Promise<Removal> {
    const { records, tagSets, values } = this.keys;
    if (this.cluster) {
      // Index first: once it resolves, no entry written with these tags before the call survives.
      const keys = await this.index.take(tags);
      return { keys, removed: await this.unlink(keys) };
    }
    const declared = tags.map((tag) => tagSets + tag);
    const [removed, ...keys] = (await this.runScript(ENTRY_TAKE, declared, [tagSets, records, values])) as [
      number,
      ...string[],
    ];
    return { keys, removed: Number(removed) };
  }

  async clearPrefix(prefix: string): Promise<number> {
    // Each SCAN and UNLINK round trip gets its own bound: a large namespace takes many of them.
    const [removed] = await Promise.all([
      scanAndUnlink(this.redis.client, this.key(prefix), (what, run) => this.redis.call(what, run)),
      this.index.clear(prefix),
    ]);
    return removed;
  }

  async increment(key: string, by: number, ttl: number): Promise<number> {
    try {
      return Number(await this.redis.eval(INCREMENT, [this.key(key)], [by, ttl]));
    } catch (error) {
      if (String((error as Error).message).includes('LARDER_NOT_INTEGER')) {
        throw new InvalidArgumentError(`Cannot increment "${key}": it holds a value that is not an integer`);
      }
      throw error;
    }
  }

  async ttl(key: string): Promise<number | undefined> {
    const ms = await this.redis.call('PTTL', (client) => client.pttl(this.key(key)));
    if (ms === -2) return undefined;
    return ms === -1 ? Infinity : ms;
  }

  private unlink(keys: string[]): Promise<number> {
    return this.redis.call('UNLINK', (client) =>
      unlinkKeys(
        client,
        keys.map((k) => this.key(k)),
      ),
    );
  }

  /**
   * PING over the connection holding the values: @keyv/redis' own node-redis client, or the
   * coordination connection when values share it. Bounded by `commandTimeout` like every call.
   */
  async ping(): Promise<number> {
    const store: unknown = this.keyv.store;
    if (!(store instanceof KeyvRedis)) return this.redis.ping();
    const client = store.client as unknown as { ping(): Promise<unknown> };
    const started = performance.now();
    try {
      await withTimeout(client.ping(), this.redis.commandTimeout, 'Redis PING (value store)');
    } catch (error) {
      throw toTypedError('PING (value store)', error);
    }
    return performance.now() - started;
  }

  close(): Promise<void> {
    return this.closeStore();
  }
}

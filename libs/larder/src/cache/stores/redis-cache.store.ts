import KeyvRedis from '@keyv/redis';
import type { Keyv, KeyvStoreAdapter } from 'keyv';
import { InvalidArgumentError, StoreUnavailableError } from '../../errors';
import type { LuaScript } from '../../redis/lua-script';
import { toTypedError, type RedisCoordinator } from '../../redis/redis-coordinator';
import { withTimeout } from '../../redis/with-timeout';
import { groupBySlot } from '../../redis/key-slot';
import { scanAndUnlink, unlinkKeys, unlinkPerSlot } from '../../redis/scan-unlink';
import type { CacheRedisKeys } from '../cache-keys';
import { RedisTagStore } from '../tags/redis-tag.store';
import { ENTRY_DELETE, ENTRY_SET, ENTRY_TAKE } from '../tags/tag.scripts';
import { INCREMENT, RETIME } from './cache.scripts';
import { BARE_INTEGER, storeTtl, type EncodedValue, type StoredEnvelope } from './encoded-value';
import type { Removal, CacheStore, Renewal } from './cache-store';
import { keyspaceStats, type KeyspaceLimits } from '../../redis/keyspace-stats';
import type { StoreStats } from '../store-stats';

/** Reads of a retime whose compare-and-set lost to another write; each lost round means a write won. */
const MAX_RETIME_ATTEMPTS = 16;

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

  batches(keys: string[]): number[][] | undefined {
    return this.cluster ? groupBySlot(keys.map((key) => this.key(key))) : undefined;
  }

  async write(key: string, entry: EncodedValue, ttl: number, tags: string[], absent = false): Promise<void> {
    const { records, tagSets } = this.keys;
    if (absent && tags.length === 0) {
      // No entry, so no tags to forget (a record expires with its entry and goes with its delete):
      // one SET on the values' own connection instead of a script that also reads the record.
      await (this.keyv.store as KeyvStoreAdapter).set(key, entry.payload, ttl > 0 ? ttl : undefined);
      return;
    }
    if (this.cluster) {
      const value = this.key(key);
      const set = () =>
        this.redis.call('SET', (client) =>
          ttl > 0 ? client.set(value, entry.payload, 'PX', ttl) : client.set(value, entry.payload),
        );
      if (tags.length > 0) {
        // Index first: a value written while its tags could not be recorded would outlive their invalidation.
        await this.index.retag(key, tags, ttl);
        await set();
        return;
      }
      // Untagged, the index only forgets the tags the entry had: when that fails the value is
      // still written, and an old tag left behind can at worst delete it on invalidation (a miss,
      // never a stale read). A hung index shard still holds the write up to commandTimeout.
      await Promise.all([set(), this.index.retag(key, tags, ttl).catch(() => undefined)]);
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
      // A tag membership left behind by the index's shard being down only names a key that is gone.
      const [removed] = await Promise.all([
        this.unlink(keys),
        this.index.forget(keys).catch(() => undefined),
      ]);
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
      const { removed, unreached, cause } = await this.unlinkBySlot(keys);
      if (unreached.length > 0) {
        // The entries of a shard that is down outlive this call: record them under these tags
        // again, so that invalidating them once the shard is back still finds them.
        await Promise.allSettled(unreached.map((key) => this.index.retag(key, tags, 0)));
        throw unreachedError(unreached.length, keys.length, removed, cause);
      }
      return { keys, removed };
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

  async retime(key: string, renew: Renewal): Promise<boolean> {
    const valueKey = this.key(key);
    for (let attempt = 0; attempt < MAX_RETIME_ATTEMPTS; attempt++) {
      const payload = await this.redis.call('GET', (client) => client.get(valueKey));
      if (payload === null) return false;
      const entry = await renew((await this.keyv.deserializeData(payload)) as StoredEnvelope | undefined);
      if (!entry) return false;
      // A counter stays a bare integer (INCRBY needs it); only its lifetime changes.
      const next = BARE_INTEGER.test(payload) ? payload : entry.payload;
      const ttl = storeTtl(entry);
      const outcome = Number(await this.runScript(RETIME, [valueKey], [payload, next, ttl]));
      if (outcome === 0) return false;
      if (outcome === 1) {
        await this.index.retime(key, ttl);
        return true;
      }
    }
    throw new StoreUnavailableError(
      `cache expire of "${key}" lost to ${MAX_RETIME_ATTEMPTS} concurrent writes; nothing was changed`,
    );
  }

  async stats(prefix: string, limits: KeyspaceLimits): Promise<StoreStats> {
    // Each SCAN, INFO and MEMORY USAGE round trip gets its own bound, as for clear().
    const { keysEstimated, ...figures } = await keyspaceStats(
      this.redis.client,
      this.key(prefix),
      limits,
      (what, run) => this.redis.call(what, run),
    );
    void keysEstimated; // bytes are sampled, so a Redis figure is always an estimate
    return { kind: 'redis', ...figures, estimate: true };
  }

  async ttl(key: string): Promise<number | undefined> {
    const ms = await this.redis.call('PTTL', (client) => client.pttl(this.key(key)));
    if (ms === -2) return undefined;
    return ms === -1 ? Infinity : ms;
  }

  /** UNLINK of values; on a cluster per slot (see unlinkPerSlot), failing when a key was not reached. */
  private async unlink(keys: string[]): Promise<number> {
    if (!this.cluster) {
      const full = keys.map((k) => this.key(k));
      return this.redis.call('UNLINK', (client) => unlinkKeys(client, full));
    }
    const { removed, unreached, cause } = await this.unlinkBySlot(keys);
    if (unreached.length > 0) throw unreachedError(unreached.length, keys.length, removed, cause);
    return removed;
  }

  /** See unlinkPerSlot; `unreached` as cache keys. */
  private async unlinkBySlot(
    keys: string[],
  ): Promise<{ removed: number; unreached: string[]; cause?: unknown }> {
    const outcome = await unlinkPerSlot(
      keys.map((k) => this.key(k)),
      (what, run) => this.redis.call(what, run),
      this.redis.client,
    );
    return { ...outcome, unreached: outcome.unreached.map((i) => keys[i]) };
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

/** A delete that could not reach every key: E_STORE_UNAVAILABLE, never a count over keys still there. */
function unreachedError(
  unreached: number,
  total: number,
  removed: number,
  cause: unknown,
): StoreUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailableError(
    `Redis UNLINK did not reach ${unreached} of ${total} keys (${removed} removed): ${reason}`,
    { cause },
  );
}

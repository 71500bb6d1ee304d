import type { RedisCoordinator } from '../../redis/redis-coordinator';
import { scanAndUnlink } from '../../redis/scan-unlink';
import type { CacheRedisKeys } from '../cache-keys';
import type { TagStore } from './tag-store';
import { INDEX_FORGET, INDEX_RETAG, INDEX_RETIME, INDEX_TAKE } from './tag.scripts';

/**
 * Tag index in Redis, in the one slot of `{t:<namespace>}`, changed by one script per operation.
 * Used beside values the index scripts cannot write (Redis Cluster, a custom store); on a single
 * Redis, RedisCacheStore writes values and index together instead.
 */
export class RedisTagStore implements TagStore {
  constructor(
    private readonly redis: RedisCoordinator,
    private readonly keys: CacheRedisKeys,
  ) {}

  async retag(key: string, tags: string[], ttl: number): Promise<void> {
    const { records, tagSets } = this.keys;
    await this.redis.eval(
      INDEX_RETAG,
      [records + key, ...tags.map((tag) => tagSets + tag)],
      [ttl, key, tagSets, ...tags],
    );
  }

  async retime(key: string, ttl: number): Promise<void> {
    const { records, tagSets } = this.keys;
    await this.redis.eval(INDEX_RETIME, [records + key], [ttl, key, tagSets]);
  }

  async forget(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const { records, tagSets } = this.keys;
    await this.redis.eval(
      INDEX_FORGET,
      keys.map((key) => records + key),
      [tagSets, ...keys],
    );
  }

  async take(tags: string[]): Promise<string[]> {
    const { records, tagSets } = this.keys;
    return (await this.redis.eval(
      INDEX_TAKE,
      tags.map((tag) => tagSets + tag),
      [tagSets, records],
    )) as string[];
  }

  async clear(prefix: string): Promise<void> {
    // Each SCAN and UNLINK round trip gets its own bound, as for values.
    const roundTrip = <T>(what: string, run: () => Promise<T>) => this.redis.call(what, run);
    if (prefix === '') {
      // One SCAN for the whole index, which also takes the tag sets of the previous layout.
      await scanAndUnlink(this.redis.client, this.keys.index, roundTrip);
      return;
    }
    await scanAndUnlink(this.redis.client, this.keys.tagSets + prefix, roundTrip);
    await scanAndUnlink(this.redis.client, this.keys.records + prefix, roundTrip);
  }
}

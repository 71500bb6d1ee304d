import { defineLuaScript } from '../redis/lua-script';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import { scanAndUnlink } from '../redis/scan-unlink';

/** Remembers which keys carry which tag, so `invalidateTags()` can remove a group of keys. */
export interface TagIndex {
  /** Records that `key` carries `tags`; `ttl` (ms, 0 = none) bounds how long the record must live. */
  add(tags: string[], key: string, ttl: number): Promise<void>;
  /** Forgets `tags` and returns the keys that carried them (deduplicated). */
  take(tags: string[]): Promise<string[]>;
  /** Forgets every tag. */
  clear(): Promise<void>;
}

/**
 * Adds the key to each tag's sorted set, scored by the key's expiry (epoch ms from the server
 * clock; +inf without one), and drops members whose keys have expired, so a tag written forever
 * with short-lived keys stays the size of its live keys. The set itself expires with its
 * longest-lived member.
 */
const TAG_ADD = defineLuaScript(
  'tag-add',
  `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
local expires = '+inf'
if ttl > 0 then expires = string.format('%d', now + ttl) end
for _, tagKey in ipairs(KEYS) do
  redis.call('ZADD', tagKey, expires, ARGV[1])
  redis.call('ZREMRANGEBYSCORE', tagKey, '-inf', string.format('(%d', now))
  local last = redis.call('ZRANGE', tagKey, -1, -1, 'WITHSCORES')
  if last[2] == 'inf' then redis.call('PERSIST', tagKey) else redis.call('PEXPIREAT', tagKey, last[2]) end
end
return 1`,
);

/** Reads and deletes tag sets in one step, so a key tagged meanwhile lands in a fresh set. */
const TAG_TAKE = defineLuaScript(
  'tag-take',
  `local members = {}
for _, tagKey in ipairs(KEYS) do
  for _, m in ipairs(redis.call('ZRANGE', tagKey, 0, -1)) do members[#members + 1] = m end
  redis.call('DEL', tagKey)
end
return members`,
);

/** Tag index in Redis, next to the values, shared by every instance. */
export class RedisTagIndex implements TagIndex {
  constructor(
    private readonly redis: RedisCoordinator,
    private readonly tagPrefix: string,
  ) {}

  private tagKeys(tags: string[]): string[] {
    return tags.map((tag) => `${this.tagPrefix}${tag}`);
  }

  async add(tags: string[], key: string, ttl: number): Promise<void> {
    // On a cluster each tag set may sit in its own slot, so each gets its own call.
    const groups = this.redis.isCluster ? this.tagKeys(tags).map((k) => [k]) : [this.tagKeys(tags)];
    await Promise.all(groups.map((keys) => this.redis.eval(TAG_ADD, keys, [key, ttl])));
  }

  async take(tags: string[]): Promise<string[]> {
    const groups = this.redis.isCluster ? this.tagKeys(tags).map((k) => [k]) : [this.tagKeys(tags)];
    const results = await Promise.all(groups.map((keys) => this.redis.eval(TAG_TAKE, keys, [])));
    return [...new Set((results as string[][]).flat())];
  }

  async clear(): Promise<void> {
    await scanAndUnlink(this.redis.client, this.tagPrefix, (what, run) => this.redis.call(what, run));
  }
}

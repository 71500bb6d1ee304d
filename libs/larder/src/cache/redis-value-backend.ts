import KeyvRedis from '@keyv/redis';
import type { Keyv } from 'keyv';
import { InvalidArgumentError } from '../errors';
import { defineLuaScript } from '../redis/lua-script';
import { toTypedError, type RedisCoordinator } from '../redis/redis-coordinator';
import { withTimeout } from '../redis/with-timeout';
import { scanAndUnlink, unlinkKeys } from '../redis/scan-unlink';
import { KEY_SEPARATOR } from './ioredis-keyv.store';
import type { ValueBackend } from './value-backend';

/**
 * Atomic increment. A value written by `set` (a JSON envelope holding an integer) is first turned
 * into a bare integer, keeping its TTL; a new counter gets the TTL in ARGV[2] (0 = none).
 */
const INCREMENT = defineLuaScript(
  'increment',
  `local raw = redis.call('GET', KEYS[1])
if raw and not string.match(raw, '^%-?%d+$') then
  local ok, doc = pcall(cjson.decode, raw)
  if not ok or type(doc) ~= 'table' or type(doc.value) ~= 'number' or doc.value % 1 ~= 0 then
    return redis.error_reply('LARDER_NOT_INTEGER')
  end
  redis.call('SET', KEYS[1], string.format('%d', doc.value), 'KEEPTTL')
end
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if not raw and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n`,
);

/** Cache values in Redis (through @keyv/redis or the shared ioredis connection), laid out as `<namespace>::<key>`. */
export class RedisValueBackend implements ValueBackend {
  readonly kind = 'redis' as const;
  readonly usesLarderSerializer = true;

  constructor(
    readonly keyv: Keyv,
    private readonly redis: RedisCoordinator,
    private readonly namespace: string,
    private readonly closeStore: () => Promise<void>,
    private readonly whenReady: () => Promise<unknown> = () => Promise.resolve(),
  ) {}

  async ready(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([this.whenReady().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }

  private key(key: string): string {
    return `${this.namespace}${KEY_SEPARATOR}${key}`;
  }

  clearPrefix(prefix: string): Promise<number> {
    // Each SCAN and UNLINK round trip gets its own bound: a large namespace takes many of them.
    return scanAndUnlink(this.redis.client, this.key(prefix), (what, run) => this.redis.call(what, run));
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

  deleteMany(keys: string[]): Promise<number> {
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

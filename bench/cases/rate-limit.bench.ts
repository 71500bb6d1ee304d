import { NestFactory } from '@nestjs/core';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { CacheModule, RateLimitService, type RateLimitRule } from '../../libs/larder/src';
import { compare, type BenchCase, type Contender } from '../bench-kit';

/** The counter every hand-written Redis rate limiter starts with (baseline side): INCR, expiry on the first hit. */
const INCR_PEXPIRE = `local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return c`;

type RawClient = Redis & { rlIncr(key: string, windowMs: number): Promise<number> };

/** Limits high enough that nothing is refused: the tables measure the cost of the check itself. */
const LIMIT = 1_000_000_000;
const CLIENTS = 1000;

/** Rotates over CLIENTS client keys, as traffic from many clients would. */
function clients(prefix: string): () => string {
  let i = 0;
  return () => `${prefix}${(i = (i + 1) % CLIENTS)}`;
}

/**
 * One rate-limit check per op: a raw Lua INCR + PEXPIRE (baseline), RateLimitService.consume
 * (sliding window, the default; then the other algorithms and two rules in one call), and
 * rate-limiter-flexible's RateLimiterRedis and the Redis storage of @nestjs/throttler
 * (@nest-lab/throttler-storage-redis). The HTTP cost of the guards is in http.bench.ts.
 */
const rateLimitBench: BenchCase = async ({ redisUrl, watch }) => {
  const raw = new Redis(redisUrl) as RawClient;
  raw.defineCommand('rlIncr', { numberOfKeys: 1, lua: INCR_PEXPIRE });
  const flexClient = new Redis(redisUrl, { enableOfflineQueue: false });
  const flexible = new RateLimiterRedis({
    storeClient: flexClient,
    points: LIMIT,
    duration: 60,
    keyPrefix: 'bench-rl-flex',
  });
  const throttlerStorage = new ThrottlerStorageRedisService(redisUrl);
  const ctx = await NestFactory.createApplicationContext(
    CacheModule.forRoot({ redis: redisUrl, namespace: 'bench-rl', logConnectionEvents: false }),
    { logger: false },
  );
  const service = ctx.get(RateLimitService);
  const sliding: RateLimitRule = { name: 'sw', limit: LIMIT, window: '1m' };
  const fixed: RateLimitRule = { name: 'fw', limit: LIMIT, window: '1m', algorithm: 'fixed-window' };
  const bucket: RateLimitRule = { name: 'tb', limit: LIMIT, window: '1m', algorithm: 'token-bucket' };
  const hourly: RateLimitRule = { name: 'hourly', limit: LIMIT, window: '1h' };
  let refused = 0;
  const check = (allowed: boolean) => {
    if (!allowed) refused++;
  };

  const checks = (concurrency: number, extra: boolean): Contender[] => {
    const rawKey = clients('bench-rl-raw:');
    const key = clients('ip:10.0.0.');
    const list: Contender[] = [
      {
        name: 'raw ioredis Lua INCR + PEXPIRE',
        concurrency,
        op: async () => check((await raw.rlIncr(rawKey(), 60_000)) <= LIMIT),
      },
      {
        name: 'RateLimitService.consume (sliding window)',
        concurrency,
        op: async () => check((await service.consume(key(), sliding)).allowed),
      },
      {
        name: 'rate-limiter-flexible RateLimiterRedis.consume',
        concurrency,
        op: () => flexible.consume(key()),
      },
      {
        name: '@nestjs/throttler Redis storage increment',
        concurrency,
        op: async () =>
          check(!(await throttlerStorage.increment(key(), 60_000, LIMIT, 60_000, 'bench')).isBlocked),
      },
    ];
    if (extra) {
      list.push(
        {
          name: 'RateLimitService.consume (fixed window)',
          concurrency,
          op: async () => check((await service.consume(key(), fixed)).allowed),
        },
        {
          name: 'RateLimitService.consume (token bucket)',
          concurrency,
          op: async () => check((await service.consume(key(), bucket)).allowed),
        },
        {
          name: 'RateLimitService.consumeAll (2 sliding rules, 1 round trip)',
          concurrency,
          op: async () => {
            const k = key();
            check(
              (
                await service.consumeAll([
                  { key: k, rule: sliding },
                  { key: k, rule: hourly },
                ])
              ).allowed,
            );
          },
        },
      );
    }
    return list;
  };

  try {
    const tables = [
      await compare('Rate limit check, sequential', checks(1, true), { watch }),
      await compare('Rate limit check, 50 concurrent callers', checks(50, false), { watch }),
    ];
    if (refused > 0)
      throw new Error(
        `${refused} checks were refused under a limit of ${LIMIT}: the figures are not comparable`,
      );
    tables[0].note =
      'All checks are atomic Lua scripts over 1000 rotating client keys; nothing is refused. The baseline counts a fixed window ' +
      'the naive way (INCR even when over the limit); Larder also reports remaining/reset/retry and never counts refused requests.';
    return tables;
  } finally {
    raw.disconnect();
    flexClient.disconnect();
    throttlerStorage.onModuleDestroy();
    await ctx.close();
  }
};

export default rateLimitBench;

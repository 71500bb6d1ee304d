import type { AddressInfo } from 'node:net';
import { Controller, Get, type INestApplication, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import {
  CacheModule,
  RateLimit,
  RateLimitGuard,
  RateLimitService,
  type RateLimitRule,
} from '../../libs/larder/src';
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

@Controller()
class PlainController {
  @Get('plain')
  plain() {
    return { ok: true };
  }
}

@Controller()
@UseGuards(RateLimitGuard)
class LimitedController {
  @RateLimit({ name: 'bench', limit: LIMIT, window: '1m' })
  @Get('limited')
  limited() {
    return { ok: true };
  }
}

async function httpApp(redisUrl: string | undefined): Promise<{ app: INestApplication; base: string }> {
  @Module({
    imports: [
      CacheModule.forRoot({ redis: redisUrl, namespace: 'bench-rl-http', logConnectionEvents: false }),
    ],
    controllers: [PlainController, LimitedController],
  })
  class BenchHttpModule {}
  const app = await NestFactory.create(BenchHttpModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}` };
}

async function get(url: string): Promise<void> {
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== 200)
    throw new Error(`GET ${url} answered ${res.status}: the figures are not comparable`);
}

/**
 * One rate-limit check per op: a raw Lua INCR + PEXPIRE (baseline), RateLimitService.consume
 * (sliding window, the default; then the other algorithms and two rules in one call), and
 * rate-limiter-flexible's RateLimiterRedis; then the HTTP cost of RateLimitGuard on a route.
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

  const redisHttp = await httpApp(redisUrl);
  const memoryHttp = await httpApp(undefined);
  const routes = (concurrency: number): Contender[] => [
    { name: 'GET /plain (no guard)', concurrency, op: () => get(`${redisHttp.base}/plain`) },
    {
      name: 'GET /limited (RateLimitGuard, Redis, sliding window)',
      concurrency,
      op: () => get(`${redisHttp.base}/limited`),
    },
    {
      name: 'GET /limited (RateLimitGuard, memory backend)',
      concurrency,
      op: () => get(`${memoryHttp.base}/limited`),
    },
  ];

  try {
    const tables = [
      await compare('Rate limit check, sequential', checks(1, true), { watch }),
      await compare('Rate limit check, 50 concurrent callers', checks(50, false), { watch }),
      await compare(
        'HTTP route with and without RateLimitGuard (Express, keep-alive), sequential',
        routes(1),
        { watch },
      ),
      await compare(
        'HTTP route with and without RateLimitGuard (Express, keep-alive), 10 concurrent',
        routes(10),
        { watch },
      ),
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
    await ctx.close();
    await redisHttp.app.close();
    await memoryHttp.app.close();
  }
};

export default rateLimitBench;

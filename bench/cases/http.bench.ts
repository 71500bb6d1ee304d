import { compare, type BenchCase, type Contender } from '../bench-kit';
import { httpContender, startHttpServers } from '../support/http-load';

/** Milliseconds per HTTP round and rounds per contender: autocannon needs longer rounds than an in-process loop to settle. */
const ROUND_MS = Number(process.env.BENCH_HTTP_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);

/**
 * Requests/s of an Express route with and without a rate-limit guard, loaded by autocannon from
 * this process while the apps run in a child process: no guard (baseline), Larder's
 * RateLimitGuard on Redis and on its memory backend, and @nestjs/throttler's ThrottlerGuard with
 * @nest-lab/throttler-storage-redis and with its default in-memory storage. One client, so
 * each guard counts a single key (all requests come from 127.0.0.1).
 */
const httpBench: BenchCase = async ({ redisUrl, watch }) => {
  const servers = await startHttpServers(redisUrl);
  const { urls } = servers;
  const routes = (connections: number): Contender[] => [
    httpContender('GET /plain (no guard)', `${urls.larderRedis}/plain`, connections),
    httpContender(
      'Larder RateLimitGuard, Redis (sliding window)',
      `${urls.larderRedis}/limited`,
      connections,
    ),
    httpContender(
      '@nestjs/throttler ThrottlerGuard, Redis storage',
      `${urls.throttlerRedis}/limited`,
      connections,
    ),
    httpContender('Larder RateLimitGuard, memory backend', `${urls.larderMemory}/limited`, connections),
    httpContender(
      '@nestjs/throttler ThrottlerGuard, in-memory storage',
      `${urls.throttlerMemory}/limited`,
      connections,
    ),
  ];
  const options = { watch, rounds: ROUNDS, roundMs: ROUND_MS, warmupMs: 1000 };
  try {
    const tables = [
      await compare(
        'HTTP requests/s with a rate-limit guard (Express, autocannon), 1 connection',
        routes(1),
        options,
      ),
      await compare(
        'HTTP requests/s with a rate-limit guard (Express, autocannon), 10 connections',
        routes(10),
        options,
      ),
    ];
    tables[0].note =
      'autocannon runs in the bench process, the apps in a child process, Redis in its own; on 2 cores the three share the CPU, ' +
      'so compare ratios. @nestjs/throttler counts with a fixed-window-style Lua script sent as EVAL each request; Larder uses a ' +
      'sliding window by EVALSHA.';
    return tables;
  } finally {
    await servers.stop();
  }
};

export default httpBench;

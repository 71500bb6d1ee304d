import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import Redlock from 'redlock';
import { Mutex } from 'redis-semaphore';
import { CacheModule, LockService } from '../../libs/larder/src';
import { compare, type BenchCase, type Contender } from '../bench-kit';

/** The compare-and-delete every hand-written Redis lock uses (baseline side). */
const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** SET NX PX plus a fence in one script, hand-written on raw ioredis: shows what the fence itself costs Redis. */
const ACQUIRE_WITH_FENCE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end return false`;

type RawClient = Redis & {
  unlock(key: string, token: string): Promise<number>;
  lockFenced(key: string, fenceKey: string, token: string, ttl: number): Promise<number | null>;
};

/** Keys handed out one per caller at a time, so concurrent callers never contend. */
function keyPool(prefix: string, size: number): { take(): string; give(key: string): void } {
  const free = Array.from({ length: size }, (_, i) => `${prefix}${i}`);
  return { take: () => free.pop()!, give: (key) => void free.push(key) };
}

/**
 * Acquire + release of an uncontended lock: raw ioredis `SET NX PX` + compare-and-delete Lua
 * (the baseline, no fence) against LockService (one script each way, which also issues a fence),
 * redlock (single instance, no retries) and redis-semaphore's Mutex (no auto-refresh).
 */
const lockBench: BenchCase = async ({ redisUrl, watch }) => {
  const raw = new Redis(redisUrl) as RawClient;
  raw.defineCommand('unlock', { numberOfKeys: 1, lua: COMPARE_AND_DELETE });
  raw.defineCommand('lockFenced', { numberOfKeys: 2, lua: ACQUIRE_WITH_FENCE });
  const app = await NestFactory.createApplicationContext(
    CacheModule.forRoot({ redis: redisUrl, namespace: 'bench-lock', logConnectionEvents: false }),
    { logger: false },
  );
  const locks = app.get(LockService);
  const redlock = new Redlock([raw], { retryCount: 0 });
  let refused = 0;

  const contenders = (concurrency: number): Contender[] => {
    const rawKeys = keyPool('bench-raw:lock:', concurrency);
    const fencedKeys = keyPool('bench-raw-fenced:', concurrency);
    const larderKeys = keyPool('k', concurrency);
    const redlockKeys = keyPool('bench-redlock:', concurrency);
    const semaphoreKeys = keyPool('bench-semaphore:', concurrency);
    return [
      {
        name: 'raw ioredis SET NX PX + compare-and-delete',
        concurrency,
        op: async () => {
          const key = rawKeys.take();
          const token = randomUUID();
          if ((await raw.set(key, token, 'PX', 10_000, 'NX')) === 'OK') await raw.unlock(key, token);
          else refused++;
          rawKeys.give(key);
        },
      },
      {
        name: 'raw ioredis fenced-acquire Lua + compare-and-delete',
        concurrency,
        op: async () => {
          const key = fencedKeys.take();
          const lockKey = `{${key}}`;
          const token = randomUUID();
          if ((await raw.lockFenced(lockKey, `${lockKey}:fence`, token, 10_000)) !== null)
            await raw.unlock(lockKey, token);
          else refused++;
          fencedKeys.give(key);
        },
      },
      {
        name: 'LockService acquire + release (with fence)',
        concurrency,
        op: async () => {
          const key = larderKeys.take();
          const lock = await locks.acquire(key, { ttl: 10_000 });
          if (lock) await lock.release();
          else refused++;
          larderKeys.give(key);
        },
      },
      {
        name: 'redlock 5 acquire + release (one instance)',
        concurrency,
        op: async () => {
          const key = redlockKeys.take();
          const lock = await redlock.acquire([key], 10_000);
          await lock.release();
          redlockKeys.give(key);
        },
      },
      {
        name: 'redis-semaphore Mutex acquire + release',
        concurrency,
        op: async () => {
          const key = semaphoreKeys.take();
          const mutex = new Mutex(raw, key, {
            lockTimeout: 10_000,
            acquireTimeout: 1000,
            refreshInterval: 0,
          });
          if (await mutex.tryAcquire()) await mutex.release();
          else refused++;
          semaphoreKeys.give(key);
        },
      },
      {
        name: 'LockService withLock (with fence)',
        concurrency,
        op: async () => {
          const key = larderKeys.take();
          await locks.withLock(key, () => undefined, { ttl: 10_000 });
          larderKeys.give(key);
        },
      },
    ];
  };

  try {
    const tables = [
      await compare('Lock acquire + release, sequential', contenders(1), { watch }),
      await compare('Lock acquire + release, 50 concurrent callers (distinct keys)', contenders(50), {
        watch,
      }),
    ];
    if (refused > 0)
      throw new Error(`${refused} uncontended acquires were refused: the figures are not comparable`);
    return tables;
  } finally {
    raw.disconnect();
    await app.close();
  }
};

export default lockBench;

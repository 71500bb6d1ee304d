import type { TestingModule } from '@nestjs/testing';
import {
  CacheService,
  LockService,
  RateLimitService,
  SessionService,
  type RateLimitRule,
} from '../../libs/larder/src';
import { PRODUCT, TTL_MS } from './cache-clients';

/** The operations the capacity model prices, by the names docs/capacity.md uses. */
export const OPERATIONS = [
  'cache get (hit)',
  'cache set',
  'getOrSet miss',
  'lock acquire + release',
  'rate-limit check',
  'session get',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * The mixed workload of the 1-versus-3-masters check, 20 requests' worth of operations: a read-heavy
 * web service (12 cache reads, 2 writes, 1 cold load, 3 rate-limit checks, 1 session read, 1 lock).
 */
export const MIX: Operation[] = [
  ...Array<Operation>(12).fill('cache get (hit)'),
  ...Array<Operation>(2).fill('cache set'),
  'getOrSet miss',
  ...Array<Operation>(3).fill('rate-limit check'),
  'session get',
  'lock acquire + release',
];

/** Distinct keys per operation, so a cluster's load spreads over every master. */
const KEYS = 500;
const LIMIT = 1_000_000_000;

/**
 * Each operation as a function on `moduleRef`'s services, on keys prepared here (cache values
 * written, sessions created); a wrong answer throws, so a broken setup cannot pass as fast.
 */
export async function capacityOps(moduleRef: TestingModule): Promise<Record<Operation, () => Promise<void>>> {
  const cache = moduleRef.get(CacheService);
  const locks = moduleRef.get(LockService);
  const limits = moduleRef.get(RateLimitService);
  const sessions = moduleRef.get(SessionService);
  for (let i = 0; i < KEYS; i++) await cache.set(`p${i}`, PRODUCT, TTL_MS);
  const ids = await Promise.all(
    Array.from({ length: 50 }, async () => (await sessions.create({ cart: ['sku-1'] })).id),
  );
  let n = 0;
  const next = () => (n = (n + 1) % 1_000_000_000);
  const rule: RateLimitRule = { name: 'sw', limit: LIMIT, window: '1m' };
  return {
    'cache get (hit)': async () => {
      if ((await cache.get<typeof PRODUCT>(`p${next() % KEYS}`))?.id !== PRODUCT.id)
        throw new Error('cache get missed');
    },
    'cache set': async () => void (await cache.set(`w${next() % KEYS}`, PRODUCT, TTL_MS)),
    'getOrSet miss': async () =>
      void (await cache.getOrSet(`cold:${process.pid}:${next()}`, async () => PRODUCT, { ttl: 60_000 })),
    'lock acquire + release': async () => {
      const lock = await locks.acquire(`job${next()}`, { ttl: 10_000 });
      if (!lock) throw new Error('lock refused');
      await lock.release();
    },
    'rate-limit check': async () => {
      if (!(await limits.consume(`ip:${next() % KEYS}`, rule)).allowed) throw new Error('rate limit refused');
    },
    'session get': async () => {
      if (!(await sessions.get(ids[next() % ids.length]))) throw new Error('session missing');
    },
  };
}

import type { CacheService, LarderModuleOptions } from '@larder/nestjs';
import { eventually, testRedisUrl, UNHURRIED_TIMEOUT } from '#test/test-helpers';

/**
 * The three places a cached value can live, each resilience behaviour is checked on all of them.
 * Those are the loader's failures and timeouts, not Redis': a Redis call that timed out on a
 * starved machine would be a miss or a stale serve of its own, so Redis gets a long bound.
 */
export const RESILIENCE_SETUPS: Array<[string, () => LarderModuleOptions]> = [
  ['memory', () => ({})],
  ['Redis', () => ({ redis: testRedisUrl(), commandTimeout: UNHURRIED_TIMEOUT })],
  [
    'L1 in front of Redis',
    () => ({ redis: testRedisUrl(), memory: { maxItems: 100 }, commandTimeout: UNHURRIED_TIMEOUT }),
  ],
];

/** Waits until `key` reads as a miss: its ttl has passed (grace may still keep it for getOrSet). */
export async function pastTtl(cache: CacheService, key: string): Promise<void> {
  await eventually(async () => (await cache.get(key)) === undefined, 5000, `${key} to pass its ttl`);
}

import type { CacheService, LarderModuleOptions } from '@larder/nestjs';
import { eventually, testRedisUrl } from '#test/test-helpers';

/** The three places a cached value can live, each resilience behaviour is checked on all of them. */
export const RESILIENCE_SETUPS: Array<[string, () => LarderModuleOptions]> = [
  ['memory', () => ({})],
  ['Redis', () => ({ redis: testRedisUrl() })],
  ['L1 in front of Redis', () => ({ redis: testRedisUrl(), memory: { maxItems: 100 } })],
];

/** Waits until `key` reads as a miss: its ttl has passed (grace may still keep it for getOrSet). */
export async function pastTtl(cache: CacheService, key: string): Promise<void> {
  await eventually(async () => (await cache.get(key)) === undefined, 5000, `${key} to pass its ttl`);
}

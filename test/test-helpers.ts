// The harness side of the tests: where the test Redis is. Modules, namespaces and waiting come
// from the library's own testing entry point, which applications use the same way.
import type { ModuleMetadata } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { LARDER_CACHE_STORE, LARDER_REDIS, type Duration, type LarderModuleOptions } from '@larder/nestjs';
import type { CacheStore } from '@larder/nestjs/cache/stores/cache-store';
import type { RedisCoordinator } from '@larder/nestjs/redis/redis-coordinator';
import { startLarder } from '@larder/nestjs/testing';

export {
  closeLarderModules as closeLeftoverModules,
  eventually,
  uniqueNamespace,
} from '@larder/nestjs/testing';

/** The Redis every test may use (see global-setup.ts). */
export function testRedisUrl(): string {
  const url = process.env.LARDER_TEST_REDIS_URL;
  if (!url)
    throw new Error(
      'LARDER_TEST_REDIS_URL is not set: run the tests through jest (globalSetup starts Redis).',
    );
  return url;
}

/** `startLarder` typed as the TestingModule it is, for specs that also start HTTP apps from it. */
export async function createLarderModule(
  options: LarderModuleOptions,
  metadata: ModuleMetadata = {},
): Promise<TestingModule> {
  return (await startLarder(options, metadata)) as TestingModule;
}

/**
 * The command timeout for a spec whose subject is not how Larder copes with a slow or failing
 * Redis. On a CI machine starved of CPU a reply can wait seconds before this process reads it; at
 * the default 1 s that is a timeout, which the breaker counts toward opening, the cache turns into
 * a miss and a rate limit hands to the insurance limiter, so such a spec would be testing the
 * machine. The boot also waits up to this long for the connection to be ready. Specs about
 * timeouts and the breaker set their own, short, bounds.
 */
export const UNHURRIED_TIMEOUT: Duration = '15s';

/**
 * Waits until a module's Redis connections (coordination and cache values) can take commands. The
 * boot gives them only `commandTimeout`, which fault specs keep short to measure their bounds; on
 * a loaded machine connecting can take longer, and the calls a test makes before breaking Redis
 * would then fail for a reason that is not its subject.
 */
export async function untilConnected(moduleRef: TestingModule, ms = 15_000): Promise<void> {
  const redis = moduleRef.get<RedisCoordinator | null>(LARDER_REDIS);
  const store = moduleRef.get<CacheStore>(LARDER_CACHE_STORE);
  const [ready] = await Promise.all([redis?.waitUntilReady(ms) ?? true, store.ready?.(ms)]);
  if (!ready) throw new Error(`The module's Redis connection was not ready within ${ms} ms`);
}

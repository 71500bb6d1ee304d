import { hasRedisServer, HOW_TO_GET_REDIS, startRedisServer, type RedisServerHandle } from './redis-server';

declare global {
  var __LARDER_REDIS__: RedisServerHandle | undefined;
}

/**
 * Jest globalSetup: uses REDIS_URL when set, otherwise starts a private redis-server for the run.
 * Tests read the address from LARDER_TEST_REDIS_URL and isolate themselves by namespace; they
 * never flush a database, so pointing REDIS_URL at a shared Redis is safe.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) {
    process.env.LARDER_TEST_REDIS_URL = process.env.REDIS_URL;
    return;
  }
  if (!hasRedisServer()) throw new Error(HOW_TO_GET_REDIS);
  globalThis.__LARDER_REDIS__ = await startRedisServer();
  process.env.LARDER_TEST_REDIS_URL = globalThis.__LARDER_REDIS__.url;
}

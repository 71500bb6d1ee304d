import { hasRedisServer, HOW_TO_GET_REDIS, startRedisServer, type RedisServerHandle } from './redis-server';
import { startSharedTopologies, type SharedTopologies } from './topology/shared-topologies';

declare global {
  var __LARDER_REDIS__: RedisServerHandle | undefined;
  var __LARDER_TOPOLOGIES__: SharedTopologies | undefined;
}

/**
 * Uses REDIS_URL when set, otherwise starts a private redis-server for the run. Tests read the
 * address from LARDER_TEST_REDIS_URL and isolate themselves by namespace; they never flush a
 * database, so pointing REDIS_URL at a shared Redis is safe.
 */
async function startSingleServer(): Promise<void> {
  if (process.env.REDIS_URL) {
    process.env.LARDER_TEST_REDIS_URL = process.env.REDIS_URL;
    return;
  }
  if (!hasRedisServer()) throw new Error(HOW_TO_GET_REDIS);
  globalThis.__LARDER_REDIS__ = await startRedisServer();
  process.env.LARDER_TEST_REDIS_URL = globalThis.__LARDER_REDIS__.url;
}

/**
 * Jest globalSetup: the single Redis and, in parallel, the shared 3-master cluster and Sentinel
 * group (see test/topology/README.md).
 */
export default async function globalSetup(): Promise<void> {
  const [, topologies] = await Promise.all([startSingleServer(), startSharedTopologies()]);
  globalThis.__LARDER_TOPOLOGIES__ = topologies;
}

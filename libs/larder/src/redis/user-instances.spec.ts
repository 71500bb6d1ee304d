import { Cluster, Redis } from 'ioredis';
import { CacheService, InvalidOptionError, LockService } from '@larder/nestjs';
import { createLarderModule, uniqueNamespace, UNHURRIED_TIMEOUT } from '#test/test-helpers';
import { testClusterNodes, testSentinel } from '#test/topology/shared-topologies';
import { resolveConnectionOptions } from './redis-options';
import { isCluster } from './is-cluster';

/**
 * The application's own ioredis clients (a Cluster, a Sentinel-backed Redis), on the shared
 * 3-master cluster and Sentinel group: accepted at boot, used for every service, never closed.
 */
describe("the application's own ioredis client", () => {
  const clients: Array<Redis | Cluster> = [];

  afterAll(() => {
    for (const client of clients) client.disconnect();
  });

  function own<T extends Redis | Cluster>(client: T): T {
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  async function servesAndStaysOpen(client: Redis | Cluster): Promise<void> {
    const moduleRef = await createLarderModule({
      redis: client,
      namespace: uniqueNamespace(),
      throwOnError: true,
      // The client may still be connecting (its calls wait in its offline queue), on a loaded machine
      // for longer than the default 1 s: what is checked is that Larder uses it, not how fast.
      commandTimeout: UNHURRIED_TIMEOUT,
    });
    const cache = moduleRef.get(CacheService);
    // Keys of one call in several slots (of several masters on the cluster).
    const entries = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: i }));
    await cache.setMany(entries);
    expect(await cache.getMany(entries.map((e) => e.key))).toEqual(entries.map((e) => e.value));
    const lock = await moduleRef.get(LockService).acquire('job', { ttl: '5s' });
    expect(lock).not.toBeNull();
    expect(await lock?.release()).toBe(true);
    await moduleRef.close();
    // Shared: Larder closed none of it.
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
  }

  it('accepts a Cluster instance, runs the services on it and leaves it open', async () => {
    const cluster = own(new Cluster(testClusterNodes()));
    expect(isCluster(cluster)).toBe(true);
    await servesAndStaysOpen(cluster);
  });

  it('accepts a Sentinel-backed Redis instance, runs the services on it and leaves it open', async () => {
    const redis = own(new Redis(testSentinel()));
    expect(isCluster(redis)).toBe(false);
    await servesAndStaysOpen(redis);
  });

  it('still rejects a Cluster instance with a keyPrefix, naming the option', () => {
    const cluster = own(new Cluster(testClusterNodes(), { keyPrefix: 'app:', lazyConnect: true }));
    expect(() => resolveConnectionOptions({ redis: cluster })).toThrow(InvalidOptionError);
    expect(() => resolveConnectionOptions({ redis: cluster })).toThrow(/"redis.keyPrefix"/);
  });
});

import { Redis } from 'ioredis';
import { CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';

describe('the invalidation bus across an outage', () => {
  let server: RedisServerHandle;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server.stop().catch(() => undefined);
  });

  /** How many SUBSCRIBE commands the server ran since it started. */
  async function subscribeCalls(admin: Redis): Promise<number> {
    const stats = await admin.info('commandstats');
    return Number(/cmdstat_subscribe:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  }

  it('subscribes again once per connection, drops L1 when that is confirmed, and carries messages again', async () => {
    const namespace = uniqueNamespace();
    const options: LarderModuleOptions = {
      redis: server.url,
      namespace,
      commandTimeout: 200,
      memory: { ttl: '1h' },
    };
    const [aRef, bRef] = await Promise.all([createLarderModule(options), createLarderModule(options)]);
    const [a, b] = [aRef.get(CacheService), bRef.get(CacheService)];
    await a.set('k', 'before');
    expect(await b.get('k')).toBe('before'); // B now holds it in L1, A too (its own write)

    // The restarted server is empty: only dropping the L1 copies makes both instances see that.
    await server.stop();
    await server.restart();
    await eventually(
      async () => (await a.get('k')) === undefined && (await b.get('k')) === undefined,
      15_000,
      'both instances to drop their L1 copies once subscribed again',
    );
    const admin = new Redis(server.url);
    try {
      // One SUBSCRIBE per subscriber connection; ioredis' own re-subscribe would double it.
      expect(await subscribeCalls(admin)).toBe(2);
      expect(await admin.pubsub('NUMSUB', `${namespace}::#invalidate`)).toEqual([
        `${namespace}::#invalidate`,
        2,
      ]);
      await eventually(
        async () => {
          await a.set('k', 'v1');
          return (await b.get('k')) === 'v1';
        },
        15_000,
        'values to flow again (B now holds v1 in L1)',
      );
      // B holds v1 in L1 for an hour, so it can only read v2 once a message of the bus dropped that
      // copy. The write is repeated because on a starved machine the write or its PUBLISH can
      // outlast the 200 ms commandTimeout (kept for the outage above), and the bus resends nothing.
      await eventually(
        async () => {
          await a.set('k', 'v2');
          return (await b.get('k')) === 'v2';
        },
        15_000,
        "B's L1 copy to be dropped by the bus",
      );
    } finally {
      admin.disconnect();
      await Promise.all([aRef.close(), bRef.close()]);
    }
  });
});

import { Redis } from 'ioredis';
import { CacheService } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';

/** Redis-specific guarantees, on a private server so command and connection counts are exact. */
describe('CacheService on Redis', () => {
  let server: RedisServerHandle;
  let admin: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin.disconnect();
    await server.stop();
  });

  const connections = async () =>
    String(await admin.client('LIST'))
      .trim()
      .split('\n').length;

  /**
   * The commands clients sent while `run` ran, seen through MONITOR: round trips, not the commands
   * scripts run inside Redis (which INFO commandstats counts too).
   */
  async function clientCommands(run: () => Promise<unknown>, withScripts = false): Promise<string[]> {
    // A connection of its own in monitor mode, duplicated from the ready admin client: a fresh client
    // here would send its own ready check (INFO) whenever its handshake ends, which on a slow machine
    // is after MONITOR started, and the count would include it.
    const monitor = await admin.monitor();
    const seen: string[] = [];
    const marker = `marker-${uniqueNamespace()}`;
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (withScripts || source !== 'lua') seen.push(args.join(' '));
    });
    try {
      await run();
      await admin.echo(marker);
      await eventually(() => seen.some((c) => c.endsWith(marker)), 5000, 'MONITOR to catch up');
      return seen.filter((c) => !c.endsWith(marker));
    } finally {
      monitor.disconnect();
    }
  }

  it('getOrSet on a cold key costs 2 Redis commands (GET, then a bare SET) for 1000 concurrent callers', async () => {
    for (const redis of [server.url, new Redis(server.url)]) {
      const moduleRef = await createLarderModule({ redis, namespace: uniqueNamespace() });
      const cache = moduleRef.get(CacheService);
      // Let both connections finish their handshakes (CLIENT SETINFO ...) and load the write script.
      try {
        await cache.set('warm-up', 1);
        let calls = 0;
        const commands = await clientCommands(
          () =>
            Promise.all(
              Array.from({ length: 1000 }, () =>
                cache.getOrSet('stampede', async () => {
                  calls++;
                  await new Promise((r) => setTimeout(r, 50));
                  return 'value';
                }),
              ),
            ),
          true,
        );
        expect(calls).toBe(1);
        // Counted with the commands scripts run: the key held no entry, so it has no tags to forget.
        expect(commands.map((c) => c.split(' ')[0].toUpperCase())).toEqual(['GET', 'SET']);
      } finally {
        await moduleRef.close();
        if (typeof redis !== 'string') redis.disconnect();
      }
    }
  });

  it('getOrSet over an entry that is there past its ttl still replaces its tags', async () => {
    for (const redis of [server.url, new Redis(server.url)]) {
      const moduleRef = await createLarderModule({ redis, namespace: uniqueNamespace() });
      const cache = moduleRef.get(CacheService);
      try {
        await cache.set('k', 'old', { ttl: 20, grace: '1m', tags: ['t'] });
        await eventually(async () => (await cache.get('k')) === undefined, 2000, 'the ttl to pass');
        expect(await cache.getOrSet('k', async () => 'new', { ttl: '1m' })).toBe('new');
        expect(await cache.invalidateTags(['t'])).toBe(0);
        expect(await cache.get('k')).toBe('new');
      } finally {
        await moduleRef.close();
        if (typeof redis !== 'string') redis.disconnect();
      }
    }
  });

  it('a write or a delete without tags is one round trip; so is a tagged one', async () => {
    const moduleRef = await createLarderModule({ redis: server.url, namespace: uniqueNamespace() });
    const cache = moduleRef.get(CacheService);
    await cache.set('warm-up', 1, { tags: ['t'] });
    await cache.del('warm-up');
    expect(await clientCommands(() => cache.set('k', 1))).toHaveLength(1);
    expect(await clientCommands(() => cache.set('k', 1, { tags: ['a', 'b'] }))).toHaveLength(1);
    expect(await clientCommands(() => cache.del('k'))).toHaveLength(1);
    expect(await clientCommands(() => cache.get('k'))).toHaveLength(1);
    await moduleRef.close();
  });

  it('expire never writes an old value back over a concurrent set (compare-and-set), on both value connections', async () => {
    for (const redis of [server.url, new Redis(server.url)]) {
      const moduleRef = await createLarderModule({ redis, namespace: uniqueNamespace() });
      const cache = moduleRef.get(CacheService);
      for (let i = 0; i < 30; i++) {
        await Promise.all([
          cache.expire('race', '1h'),
          cache.set('race', { i }, '1m'),
          cache.expire('race', '1h'),
        ]);
        expect(await cache.get('race')).toEqual({ i });
      }
      expect(await cache.ttl('race')).toBeGreaterThan(60_000);
      await moduleRef.close();
      if (typeof redis !== 'string') redis.disconnect();
    }
  });

  it('clear() removes only its namespace and scope, whatever characters a prefix holds', async () => {
    const ns = uniqueNamespace();
    const moduleRef = await createLarderModule({ redis: server.url, namespace: ns });
    const neighbourRef = await createLarderModule({ redis: server.url, namespace: `${ns}-other` });
    const cache = moduleRef.get(CacheService);
    const neighbour = neighbourRef.get(CacheService);
    await admin.set(`${ns}x::foreign`, '1');
    await neighbour.set('kept', 1);
    await cache.set('ab:1', 'not in scope a*');
    await cache.namespace('a*').set('1', 'in scope a*');
    expect(await cache.namespace('a*').clear()).toBe(1);
    expect(await cache.get('ab:1')).toBe('not in scope a*');
    expect(await cache.clear()).toBe(1);
    expect(await neighbour.get('kept')).toBe(1);
    expect(await admin.get(`${ns}x::foreign`)).toBe('1');
    await admin.del(`${ns}x::foreign`);
    await Promise.all([moduleRef.close(), neighbourRef.close()]);
  });

  it('stores values as <namespace>::<entry> and the tag index outside that space, in one slot', async () => {
    const ns = uniqueNamespace();
    const moduleRef = await createLarderModule({ redis: server.url, namespace: ns });
    await moduleRef.get(CacheService).set('k', { a: 1 }, { ttl: '1m', tags: ['t'] });
    expect(JSON.parse((await admin.get(`${ns}::k`)) as string)).toMatchObject({ value: { a: 1 } });
    const scoped = moduleRef.get(CacheService).namespace('user').namespace('a:b/c');
    await scoped.set('@k', 'scoped');
    expect(await admin.get(`${ns}::@user/@a:b%2Fc/@@k`)).toBe('{"value":"scoped"}');
    const tagSet = `${ns}:#tag:{t:${ns}}:t`;
    expect(await admin.zrange(tagSet, 0, -1)).toEqual(['k']);
    expect(await admin.pttl(tagSet)).toBeGreaterThan(50_000);
    expect(await admin.smembers(`${ns}:#tags-of:{t:${ns}}:k`)).toEqual(['t']);
    expect(await admin.pttl(`${ns}:#tags-of:{t:${ns}}:k`)).toBeGreaterThan(50_000);
    // The previous layout kept tag sets at <namespace>:#tag:<tag>; clearing the root takes them too.
    await admin.zadd(`${ns}:#tag:legacy`, '+inf', 'old-entry');
    await moduleRef.get(CacheService).clear();
    const [, left] = await admin.scan('0', 'MATCH', `${ns}*`, 'COUNT', 10_000);
    expect(left).toEqual([]);
    await moduleRef.close();
  });

  it('drops expired keys from a tag set as the tag keeps being written', async () => {
    const ns = uniqueNamespace();
    const moduleRef = await createLarderModule({ redis: server.url, namespace: ns });
    const cache = moduleRef.get(CacheService);
    for (let i = 0; i < 20; i++) await cache.set(`short:${i}`, i, { ttl: 30, tags: ['search'] });
    await cache.set('long', 'kept', { ttl: '1h', tags: ['search'] });
    await eventually(async () => (await cache.get('short:19')) === undefined, 3000, 'short keys to expire');
    // Each write to the tag prunes members past their expiry (by the server clock, which may run a
    // few ms behind the key's own expiry), so keep writing until the set holds only live keys.
    await eventually(
      async () => {
        await cache.set('another', 'x', { ttl: '1m', tags: ['search'] });
        return (await admin.zrange(`${ns}:#tag:{t:${ns}}:search`, 0, -1)).sort().join() === 'another,long';
      },
      3000,
      'expired members to be pruned',
    );
    expect(await admin.pttl(`${ns}:#tag:{t:${ns}}:search`)).toBeGreaterThan(3_500_000);
    await cache.set('forever', 'x', { tags: ['search'] });
    expect(await admin.pttl(`${ns}:#tag:{t:${ns}}:search`)).toBe(-1);
    expect(await cache.invalidateTags(['search'])).toBe(3);
    await moduleRef.close();
  });

  it('uses a shared ioredis instance for values without opening connections, and leaves it open', async () => {
    const shared = new Redis(server.url);
    await shared.ping();
    const baseline = await connections();
    const ns = uniqueNamespace();
    const moduleRef = await createLarderModule({ redis: shared, namespace: ns });
    await moduleRef.get(CacheService).set('k', 'v');
    expect(await connections()).toBe(baseline);
    expect(await shared.get(`${ns}::k`)).toBe('{"value":"v"}');
    await moduleRef.close();
    expect(shared.status).toBe('ready');
    expect(await shared.ping()).toBe('PONG');
    shared.disconnect();
    await eventually(
      async () => (await connections()) === baseline - 1,
      5000,
      'the shared connection to close',
    );
  });

  it('closes the connections it opened when the app shuts down', async () => {
    const baseline = await connections();
    const moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace(),
      memory: {},
    });
    await moduleRef.get(CacheService).set('k', 'v');
    // coordination (ioredis) + values (@keyv/redis) + L1 invalidation subscriber (which connects in the background)
    await eventually(async () => (await connections()) === baseline + 3, 5000, 'three connections');
    await moduleRef.close();
    await eventually(async () => (await connections()) === baseline, 5000, 'connections to close');
  });

  it('keeps L1 tiers of two instances coherent through the invalidation bus', async () => {
    const ns = uniqueNamespace();
    const options = { redis: server.url, namespace: ns, memory: { maxItems: 100, ttl: '1h' } } as const;
    const [aRef, bRef] = await Promise.all([createLarderModule(options), createLarderModule(options)]);
    // Both listen once the module is up: a write right after boot cannot slip past B unheard.
    expect(await admin.pubsub('NUMSUB', `${ns}::#invalidate`)).toEqual([`${ns}::#invalidate`, 2]);
    const a = aRef.get(CacheService);
    const b = bRef.get(CacheService);
    await a.set('flag', 'v1');
    expect(await b.get('flag')).toBe('v1');
    expect(await b.get('flag')).toBe('v1');
    expect(b.stats().l1Hits).toBe(1);
    await a.set('flag', 'v2');
    await eventually(async () => (await b.get('flag')) === 'v2', 5000, 'instance B to drop its L1 copy');
    await a.namespace('scope').set('x', 1);
    expect(await b.namespace('scope').get('x')).toBe(1);
    await a.namespace('scope').clear();
    await eventually(
      async () => (await b.namespace('scope').get('x')) === undefined,
      5000,
      'scope clear to reach B',
    );
    await Promise.all([aRef.close(), bRef.close()]);
  });

  it('returns the stored object itself from L1 (documented: treat cached objects as immutable)', async () => {
    const moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace(),
      memory: {},
    });
    const cache = moduleRef.get(CacheService);
    const value = { n: 1 };
    await cache.set('obj', value);
    expect(await cache.get('obj')).toBe(value);
    await moduleRef.close();
  });
});

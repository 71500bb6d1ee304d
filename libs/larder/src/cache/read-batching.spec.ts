import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, CommandTimeoutError, type LarderModuleOptions } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';

const COMMAND_TIMEOUT = 200;

/** Tick-level read batching (`batchReads`) on its own server, so INFO commandstats counts only these calls. */
describe('batched reads on Redis', () => {
  let server: RedisServerHandle;
  let admin: Redis;
  const shared: Redis[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin.disconnect();
    for (const client of shared) client.disconnect();
    await server.stop();
  });

  /** Calls of each read command since the last `CONFIG RESETSTAT`. */
  async function readCommands(): Promise<{ get: number; mget: number }> {
    const info = await admin.info('commandstats');
    const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
    return { get: calls('get'), mget: calls('mget') };
  }

  const setups: Array<[string, () => LarderModuleOptions['redis']]> = [
    ['a URL (values through @keyv/redis)', () => server.url],
    [
      'a shared ioredis instance',
      () => {
        const client = new Redis(server.url);
        shared.push(client);
        return client;
      },
    ],
  ];

  describe.each(setups)('on %s', (_name, redis) => {
    let moduleRef: TestingModule;
    let cache: CacheService;
    let namespace: string;

    async function start(options: Partial<LarderModuleOptions> = {}): Promise<void> {
      namespace = uniqueNamespace();
      moduleRef = await createLarderModule({
        redis: redis(),
        namespace,
        // Not a fault test unless it says so: a generous bound on a loaded machine, writes that say when they fail.
        commandTimeout: '5s',
        throwOnError: true,
        ...options,
      });
      cache = moduleRef.get(CacheService);
    }

    afterEach(async () => {
      await moduleRef.close();
    });

    it('sends the gets of one tick as one MGET, each caller getting its own value, counted per key', async () => {
      await start();
      const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
      await cache.setMany(keys.filter((_, i) => i % 3 !== 0).map((key) => ({ key, value: { key } })));
      const events: string[] = [];
      cache.on('hit', (e) => events.push(`hit ${e.key}`));
      cache.on('miss', (e) => events.push(`miss ${e.key}`));
      await admin.config('RESETSTAT');
      const values = await Promise.all(keys.map((key) => cache.get(key)));
      expect(values).toEqual(keys.map((key, i) => (i % 3 === 0 ? undefined : { key })));
      // Each caller has its own copy, as an unbatched read would give it.
      expect(values[1]).not.toBe(await cache.get('k1'));
      expect(await readCommands()).toEqual({ get: 1, mget: 1 });
      expect(cache.stats()).toMatchObject({ hits: 41, misses: 20, errors: 0 });
      expect(events.sort()).toEqual(
        [...keys.map((key, i) => `${i % 3 === 0 ? 'miss' : 'hit'} ${key}`), 'hit k1'].sort(),
      );
    });

    it('splits a large tick into MGETs of at most 100 keys, and batches getOrSet reads too', async () => {
      await start();
      const keys = Array.from({ length: 250 }, (_, i) => `k${i}`);
      await admin.config('RESETSTAT');
      const loaded = await Promise.all(keys.map((key) => cache.getOrSet(key, () => Promise.resolve(key))));
      expect(loaded).toEqual(keys);
      expect(await readCommands()).toEqual({ get: 0, mget: 3 });
    });

    it('reads a lone get with GET, and every get with GET when batchReads is false', async () => {
      await start({ batchReads: false });
      await cache.set('k', 'v');
      await admin.config('RESETSTAT');
      expect(await cache.get('k')).toBe('v');
      expect(await Promise.all(Array.from({ length: 10 }, () => cache.get('k')))).toEqual(
        Array(10).fill('v'),
      );
      expect(await readCommands()).toEqual({ get: 11, mget: 0 });
    });

    it('gives a batch that Redis does not answer one timeout toward the breaker and each caller its own policy', async () => {
      await start({
        commandTimeout: COMMAND_TIMEOUT,
        throwOnError: false,
        circuitBreaker: { failures: 3, cooldown: '1m' },
      });
      await cache.set('k', 'v');
      const errors: string[] = [];
      cache.on('error', (e) => {
        if (e.operation !== 'get') return; // getOrSet's write of the loaded value times out too
        expect(e.error).toBeInstanceOf(CommandTimeoutError);
        errors.push(e.key ?? '');
      });
      await admin.client('PAUSE', 600, 'ALL');
      try {
        const [plain, loaded, another] = await Promise.all([
          cache.get('k'),
          cache.getOrSet('k', () => Promise.resolve('from loader')),
          cache.get('other'),
        ]);
        expect([plain, loaded, another]).toEqual([undefined, 'from loader', undefined]);
        expect(errors.sort()).toEqual(['k', 'k', 'other']);
        // One failure for the batch of three reads, one for the write: unbatched, the three reads
        // alone would have opened it.
        expect(cache.stats().breaker).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
      } finally {
        await eventually(async () => (await admin.ping()) === 'PONG', 5000, 'the pause to end');
      }
    });

    it('fails only the caller of an entry that does not decode; the others get theirs', async () => {
      await start();
      await cache.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ]);
      await admin.set(`${namespace}::broken`, '{not json');
      const errors: Array<string | undefined> = [];
      cache.on('error', (e) => errors.push(e.key));
      const values = await Promise.all(['a', 'broken', 'b'].map((key) => cache.get(key)));
      expect(values).toEqual([1, undefined, 2]);
      expect(errors).toEqual(['broken']);
      expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, errors: 1 });
    });

    it('reads a key of another Redis type as a miss in a batch, where a lone GET takes the error path', async () => {
      await start({ throwOnError: false });
      await cache.set('a', 1);
      // MGET answers nil for a key that holds a hash; GET answers WRONGTYPE (README, batchReads).
      await admin.hset(`${namespace}::hash`, 'field', 'value');
      const errors: Array<string | undefined> = [];
      cache.on('error', (e) => errors.push(e.key));
      expect(await Promise.all([cache.get('a'), cache.get('hash')])).toEqual([1, undefined]);
      expect(errors).toEqual([]);
      expect(await cache.get('hash')).toBeUndefined();
      expect(errors).toEqual(['hash']);
    });
  });
});

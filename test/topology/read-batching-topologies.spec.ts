import { Redis, Cluster, type Command } from 'ioredis';
import { CacheService, type LarderModuleOptions } from '@larder/nestjs';
import { keySlot } from '@larder/nestjs/redis/key-slot';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { testClusterNodes, testSentinel } from './shared-topologies';

/**
 * Tick-level read batching on the shared cluster and Sentinel group, as options and as the
 * application's own client: a tick's gets spread over many slots (one MGET per slot on a cluster)
 * and over one hash-tagged slot each come back to their own callers.
 */
const SPREAD = Array.from({ length: 40 }, (_, i) => `k${i}`);
const TAGGED = Array.from({ length: 40 }, (_, i) => `{user:7}:${i}`);

describe.each([
  ['Redis Cluster as options', (): LarderModuleOptions['redis'] => ({ nodes: testClusterNodes() })],
  ['Redis Cluster as the application’s client', () => new Cluster(testClusterNodes())],
  ['Sentinel as options', (): LarderModuleOptions['redis'] => testSentinel()],
  ['Sentinel as the application’s client', () => new Redis(testSentinel())],
])('batched reads on %s', (_name, redis) => {
  it('answers each caller of a tick with its own entry, across slots and within one', async () => {
    const client = redis();
    const namespace = uniqueNamespace();
    // Not a fault test: a generous deadline, and writes that say when they fail, on a loaded machine.
    const moduleRef = await createLarderModule({
      redis: client,
      namespace,
      commandTimeout: '5s',
      throwOnError: true,
    });
    try {
      const cache = moduleRef.get(CacheService);
      expect(new Set(SPREAD.map((key) => keySlot(`${namespace}::${key}`))).size).toBeGreaterThan(20);
      const keys = [...SPREAD, ...TAGGED];
      await cache.setMany(keys.filter((_, i) => i % 4 !== 0).map((key) => ({ key, value: `v ${key}` })));
      // On the application's own client, what the reads sent is visible: record each MGET's keys.
      const mgets: string[][] = [];
      if (client instanceof Redis || client instanceof Cluster) {
        const send = client.sendCommand.bind(client);
        client.sendCommand = (command: Command) => {
          if (command.name === 'mget') mgets.push(command.args.map(String));
          return send(command);
        };
      }
      const values = await Promise.all(keys.map((key) => cache.get(key)));
      expect(values).toEqual(keys.map((key, i) => (i % 4 === 0 ? undefined : `v ${key}`)));
      expect(cache.stats()).toMatchObject({ hits: 60, misses: 20, errors: 0 });
      if (client instanceof Cluster) {
        // One MGET per slot: the hash-tagged keys together, none crossing a slot.
        expect(mgets.every((args) => new Set(args.map(keySlot)).size === 1)).toBe(true);
        expect(mgets.map((args) => args.length)).toContain(TAGGED.length);
      } else if (client instanceof Redis) {
        expect(mgets.map((args) => args.length)).toEqual([keys.length]);
      }
    } finally {
      await moduleRef.close();
      if (client instanceof Redis || client instanceof Cluster) client.disconnect();
    }
  }, 60_000);
});

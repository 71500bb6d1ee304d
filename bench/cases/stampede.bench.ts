import KeyvRedis from '@keyv/redis';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache } from 'cache-manager';
import { Redis } from 'ioredis';
import { Keyv } from 'keyv';
import { CacheService, type LarderModuleOptions } from '../../libs/larder/src';
import { commandCount, figures, type BenchCase, type BenchTable, type Figures } from '../bench-kit';
import { larderModule, PRODUCT, TTL_MS } from '../support/cache-clients';

const CALLERS = 1000;
const LOADER_MS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** A getOrSet-style call: the cached value for `key`, or `loader`'s result stored and returned. */
type GetOrSet = (key: string, loader: () => Promise<unknown>) => Promise<unknown>;

interface Stampeder {
  name: string;
  getOrSet: GetOrSet;
  close(): Promise<void>;
}

interface Totals {
  loads: number;
  commands: number;
  wallMs: number;
  latencies: number[];
}

/** Fires CALLERS concurrent calls at one cold key; counts loader runs, Redis commands and time. */
async function stampede(s: Stampeder, key: string, watch: Redis, into: Totals): Promise<void> {
  let loads = 0;
  const loader = async () => {
    loads++;
    await new Promise((resolve) => setTimeout(resolve, LOADER_MS));
    return PRODUCT;
  };
  const before = await commandCount(watch);
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      const value = await s.getOrSet(key, loader);
      into.latencies.push((performance.now() - started) * 1000);
      return value;
    }),
  );
  into.wallMs += performance.now() - started;
  // The INFO call of the second commandCount counts once; leave it out.
  into.commands += (await commandCount(watch)) - 1 - before;
  into.loads += loads;
  if (results.some((r) => (r as typeof PRODUCT)?.id !== PRODUCT.id))
    throw new Error(`Invalid benchmark: ${s.name} returned a wrong value to a caller`);
}

async function larder(name: string, options: LarderModuleOptions, shared?: Redis): Promise<Stampeder> {
  const moduleRef = await larderModule(options);
  const cache = moduleRef.get(CacheService);
  return {
    name,
    getOrSet: (key, loader) => cache.getOrSet(key, loader, { ttl: TTL_MS }),
    close: async () => {
      await moduleRef.close();
      shared?.disconnect();
    },
  };
}

async function stampeders(url: string): Promise<Stampeder[]> {
  const raw = new Redis(url);
  const cm = createCache({
    stores: [new Keyv({ store: new KeyvRedis(url), namespace: 'bench-stampede-cm', useKeyPrefix: false })],
  });
  await cm.get('warm-up-connection');
  const bentoConnection = new Redis(url);
  const bento = new BentoCache({
    default: 'redis',
    prefix: 'bench-stampede-bento',
    stores: { redis: bentostore().useL2Layer(redisDriver({ connection: bentoConnection })) },
  });
  const shared = new Redis(url);
  return [
    {
      name: 'raw ioredis cache-aside (GET, load, SET PX)',
      getOrSet: async (key, loader) => {
        const text = await raw.get(`bench-stampede-raw:${key}`);
        if (text !== null) return JSON.parse(text);
        const value = await loader();
        await raw.set(`bench-stampede-raw:${key}`, JSON.stringify(value), 'PX', TTL_MS);
        return value;
      },
      close: async () => void raw.disconnect(),
    },
    {
      name: 'cache-manager v7 wrap',
      getOrSet: (key, loader) => cm.wrap(key, loader, TTL_MS),
      close: async () => void (await cm.disconnect()),
    },
    {
      name: 'bentocache getOrSet (Redis only)',
      getOrSet: (key, loader) => bento.getOrSet({ key, factory: loader, ttl: TTL_MS }),
      close: async () => {
        await bento.disconnectAll();
        bentoConnection.disconnect();
      },
    },
    await larder('Larder getOrSet (URL: @keyv/redis)', { redis: url, namespace: 'bench-stampede-url' }),
    await larder(
      'Larder getOrSet (shared ioredis)',
      { redis: shared, namespace: 'bench-stampede-shared' },
      shared,
    ),
  ];
}

function stampedeNote(rows: Figures[], totals: Totals[]): string {
  const lines = [
    `One op = one stampede: ${CALLERS} concurrent getOrSet calls on a cold key whose loader takes ${LOADER_MS} ms; ` +
      `ops/s = stampedes per second (1 / wall time), p50/p99 = each caller's wait, Redis cmds/op = commands per stampede. ` +
      `${ROUNDS} rounds, a fresh key each. Goal for Larder: 1 loader call and <= 2 Redis commands per stampede. ` +
      "Larder's are a GET and a bare SET: a write after a read that found no entry has no tags to forget, so it " +
      'skips the tag-keeping script (whose inner SET and SMEMBERS INFO commandstats would count as 2 more).',
    '',
    '| contender | loader calls / stampede | Redis cmds / stampede | wall ms / stampede |',
    '|---|---:|---:|---:|',
  ];
  rows.forEach((row, i) => {
    const t = totals[i];
    lines.push(
      `| ${row.name} | ${(t.loads / ROUNDS).toFixed(1)} | ${(t.commands / ROUNDS).toFixed(1)} | ${(t.wallMs / ROUNDS).toFixed(1)} |`,
    );
  });
  return lines.join('\n');
}

/**
 * A cache stampede: 1000 callers ask for the same cold key at once. A hand-written cache-aside
 * on raw ioredis (the baseline) runs the loader for every caller; cache-manager `wrap`,
 * bentocache `getOrSet` and Larder `getOrSet` are expected to run it once.
 */
const stampedeBench: BenchCase = async ({ redisUrl, watch }) => {
  const contenders = await stampeders(redisUrl);
  const fresh = (): Totals => ({ loads: 0, commands: 0, wallMs: 0, latencies: [] });
  const totals = contenders.map(fresh);
  const runId = Date.now().toString(36);
  try {
    for (const s of contenders) await stampede(s, `warm-up:${runId}`, watch, fresh());
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < contenders.length; i++) {
        await stampede(contenders[i], `report:${runId}:${round}`, watch, totals[i]);
      }
    }
    // One op = one stampede: ROUNDS of them, each taking its whole wall time.
    const rows = figures(
      contenders.map((s, i) => ({
        name: s.name,
        ops: ROUNDS,
        elapsed: totals[i].wallMs,
        latencies: totals[i].latencies,
        commands: totals[i].commands,
      })),
    );
    const table: BenchTable = {
      title: `getOrSet stampede: ${CALLERS} concurrent callers, cold key, ${LOADER_MS} ms loader`,
      rows,
      note: stampedeNote(rows, totals),
    };
    return [table];
  } finally {
    for (const s of contenders) await s.close();
  }
};

export default stampedeBench;

import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import {
  CacheService,
  LockService,
  RateLimitService,
  type LarderModuleOptions,
  type RateLimitRule,
} from '../../libs/larder/src';
import { compare, type BenchCase, type BenchTable, type Contender } from '../bench-kit';
import { startBenchCluster } from '../support/bench-cluster';
import { larderModule, PRODUCT, TTL_MS } from '../support/cache-clients';

const COMPARE_AND_DELETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const INCR_PEXPIRE = `local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return c`;
/** Distinct keys per table, so the load spreads over every master's slots. */
const KEYS = 1000;
const LIMIT = 1_000_000_000;

type RawCluster = Cluster & {
  unlock(key: string, token: string): Promise<number>;
  rlIncr(key: string, windowMs: number): Promise<number>;
};

/** Cycles over KEYS key names `<prefix><i>`. */
function keys(prefix: string): () => string {
  let i = 0;
  return () => `${prefix}${(i = (i + 1) % KEYS)}`;
}

/**
 * Larder on a 3-master Redis Cluster (no replicas; the harness's bootstrap) against raw ioredis
 * Cluster doing the same work by hand: cache get and set of a ~200-byte JSON value, lock
 * acquire + release (raw: SET NX PX + compare-and-delete, no fence) and a rate-limit check (raw:
 * Lua INCR + PEXPIRE; Larder: one sliding-window rule), one caller and 50. Larder is started
 * with `{ nodes }` and with the application's own Cluster instance.
 */
const clusterBench: BenchCase = async () => {
  const { cluster, watch, stop } = await startBenchCluster(3);
  const nodes = cluster.startupNodes();
  const raw = new Cluster(nodes) as RawCluster;
  raw.defineCommand('unlock', { numberOfKeys: 1, lua: COMPARE_AND_DELETE });
  raw.defineCommand('rlIncr', { numberOfKeys: 1, lua: INCR_PEXPIRE });
  const shared = new Cluster(nodes);
  const base: LarderModuleOptions = { redis: { nodes }, namespace: 'bench-cluster' };
  const viaNodes = await larderModule(base);
  const viaShared = await larderModule({ redis: shared, namespace: 'bench-cluster-shared' });
  const cacheOf = (m: typeof viaNodes) => m.get(CacheService);
  const locks = viaNodes.get(LockService);
  const limits = viaNodes.get(RateLimitService);
  const rule: RateLimitRule = { name: 'sw', limit: LIMIT, window: '1m' };
  let wrong = 0;
  const expectProduct = (value: unknown) => {
    if ((value as typeof PRODUCT | undefined)?.id !== PRODUCT.id) wrong++;
  };
  const tables: BenchTable[] = [];
  try {
    const rawKey = keys('bench-cluster-raw:');
    const key = keys('p');
    for (let i = 0; i < KEYS; i++) {
      const k = rawKey();
      await raw.set(k, JSON.stringify(PRODUCT), 'PX', TTL_MS);
      await cacheOf(viaNodes).set(key(), PRODUCT, TTL_MS);
      await cacheOf(viaShared).set(`p${i + 1 === KEYS ? 0 : i + 1}`, PRODUCT, TTL_MS);
    }
    for (const concurrency of [1, 50]) {
      const callers = concurrency === 1 ? 'one caller' : `${concurrency} concurrent callers`;
      const get = (name: string, read: (k: string) => Promise<unknown>, next: () => string): Contender => ({
        name,
        concurrency,
        op: async () => expectProduct(await read(next())),
      });
      tables.push(
        await compare(
          `Cluster (3 masters): cache get hit, ${callers}`,
          [
            get(
              'raw ioredis Cluster GET + JSON',
              async (k) => JSON.parse((await raw.get(k)) ?? 'null'),
              keys('bench-cluster-raw:'),
            ),
            get('Larder CacheService ({ nodes })', (k) => cacheOf(viaNodes).get(k), keys('p')),
            get('Larder CacheService (shared Cluster)', (k) => cacheOf(viaShared).get(k), keys('p')),
          ],
          { watch },
        ),
      );
      const setKey = keys('w');
      tables.push(
        await compare(
          `Cluster (3 masters): cache set, ${callers}`,
          [
            {
              name: 'raw ioredis Cluster SET PX + JSON',
              concurrency,
              op: () => raw.set(`bench-cluster-raw:${setKey()}`, JSON.stringify(PRODUCT), 'PX', TTL_MS),
            },
            {
              name: 'Larder CacheService ({ nodes })',
              concurrency,
              op: () => cacheOf(viaNodes).set(setKey(), PRODUCT, TTL_MS),
            },
            {
              name: 'Larder CacheService (shared Cluster)',
              concurrency,
              op: () => cacheOf(viaShared).set(setKey(), PRODUCT, TTL_MS),
            },
          ],
          { watch },
        ),
      );
      // One key per caller at a time (a counter per contender), so callers never contend.
      let rawLock = 0;
      let larderLock = 0;
      tables.push(
        await compare(
          `Cluster (3 masters): lock acquire + release, ${callers} (distinct keys)`,
          [
            {
              name: 'raw ioredis Cluster SET NX PX + compare-and-delete',
              concurrency,
              op: async () => {
                const k = `bench-cluster-lock:${rawLock++}`;
                const token = randomUUID();
                if ((await raw.set(k, token, 'PX', 10_000, 'NX')) === 'OK') await raw.unlock(k, token);
                else wrong++;
              },
            },
            {
              name: 'LockService acquire + release (with fence)',
              concurrency,
              op: async () => {
                const lock = await locks.acquire(`k${larderLock++ % KEYS}`, { ttl: 10_000 });
                if (lock) await lock.release();
                else wrong++;
              },
            },
          ],
          { watch },
        ),
      );
      const rlRaw = keys('bench-cluster-rl:');
      const rlKey = keys('ip:10.0.');
      tables.push(
        await compare(
          `Cluster (3 masters): rate-limit check, ${callers}`,
          [
            {
              name: 'raw ioredis Cluster Lua INCR + PEXPIRE',
              concurrency,
              op: async () => void ((await raw.rlIncr(rlRaw(), 60_000)) > LIMIT && wrong++),
            },
            {
              name: 'RateLimitService.consume (sliding window)',
              concurrency,
              op: async () => void (!(await limits.consume(rlKey(), rule)).allowed && wrong++),
            },
          ],
          { watch },
        ),
      );
    }
    if (wrong > 0)
      throw new Error(`Invalid benchmark: ${wrong} wrong answers or refused locks on the cluster`);
    tables[0].note =
      `A 3-master cluster without replicas, started for this case; ${KEYS} keys per table spread over all slots. ` +
      'Redis cmds/op sums INFO commandstats over the masters. On a cluster each command goes to its slot’s master, ' +
      'so concurrent callers are pipelined per master, not over one connection: compare the ratios with the single-Redis tables.';
    return tables;
  } finally {
    await viaNodes.close();
    await viaShared.close();
    raw.disconnect();
    shared.disconnect();
    await stop();
  }
};

export default clusterBench;

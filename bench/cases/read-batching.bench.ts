import { Redis } from 'ioredis';
import { CacheService, type LarderModuleOptions } from '../../libs/larder/src';
import { compare, type BenchCase, type BenchTable, type Contender } from '../bench-kit';
import { larderModule, PRODUCT, TTL_MS } from '../support/cache-clients';

const KEY = 'product:4711';

/**
 * What `batchReads` costs and brings: a Redis get hit with it off (the baseline) and on, one
 * caller and 50 concurrent callers, on a URL and on a shared ioredis instance. A lone caller's
 * read still goes out as a plain GET; the row shows what the tick's wait costs it.
 */
const readBatchingBench: BenchCase = async ({ redisUrl, watch }) => {
  const shared = new Redis(redisUrl);
  const setups: Array<[string, LarderModuleOptions['redis']]> = [
    ['URL', redisUrl],
    ['shared ioredis', shared],
  ];
  const modules = [];
  const contenders: Array<Contender & { concurrency: number }> = [];
  let misses = 0;
  try {
    for (const [setup, redis] of setups) {
      for (const batchReads of [false, true]) {
        const moduleRef = await larderModule({ redis, namespace: 'bench-batch', batchReads });
        modules.push(moduleRef);
        const cache = moduleRef.get(CacheService);
        await cache.set(KEY, PRODUCT, TTL_MS);
        for (const concurrency of [1, 50]) {
          contenders.push({
            name: `Larder get (${setup}, batchReads: ${batchReads})`,
            concurrency,
            op: async () => {
              if ((await cache.get(KEY)) === undefined) misses++;
            },
          });
        }
      }
    }
    const tables: BenchTable[] = [];
    for (const [setup] of setups) {
      for (const concurrency of [1, 50]) {
        const rows = contenders.filter((c) => c.concurrency === concurrency && c.name.includes(`(${setup},`));
        const callers = concurrency === 1 ? 'one caller' : `${concurrency} concurrent callers`;
        tables.push(
          await compare(`Redis get hit with batchReads off and on (${setup}), ${callers}`, rows, { watch }),
        );
      }
    }
    if (misses > 0) throw new Error(`Invalid benchmark: ${misses} gets missed a warm key`);
    tables[0].note =
      'The first row reads with `batchReads: false` (one GET per get); the second batches the gets of one tick into ' +
      'one MGET (at most 100 keys). With one caller each read is alone in its tick and still a GET: the ratio is ' +
      "what waiting for the tick's end costs it.";
    return tables;
  } finally {
    for (const moduleRef of modules) await moduleRef.close();
    shared.disconnect();
  }
};

export default readBatchingBench;

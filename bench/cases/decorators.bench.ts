import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { Cacheable, CacheModule, CacheService, type LarderModuleOptions } from '../../libs/larder/src';
import { compare, type BenchCase, type BenchTable, type Contender } from '../bench-kit';

const PRODUCT = { id: 1, name: 'Espresso machine', price: 249.9, tags: ['kitchen', 'coffee'] };

@Injectable()
class ProductService {
  loads = 0;

  @Cacheable({ key: 'product:{0}', ttl: '5m' })
  async find(id: number): Promise<typeof PRODUCT> {
    this.loads++;
    return { ...PRODUCT, id };
  }

  @Cacheable({ ttl: '5m' })
  async findByDefaultKey(id: number): Promise<typeof PRODUCT> {
    this.loads++;
    return { ...PRODUCT, id };
  }
}

async function start(options: LarderModuleOptions): Promise<INestApplicationContext> {
  @Module({
    imports: [CacheModule.forRoot({ logConnectionEvents: false, ...options })],
    providers: [ProductService],
  })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, { logger: false });
}

/** How much slower (+) or faster (-) the decorator row is than the direct getOrSet row. */
function overheadNote(table: BenchTable): BenchTable {
  const direct = table.rows[1].opsPerSec;
  const decorated = table.rows[2].opsPerSec;
  const pct = ((direct / decorated - 1) * 100).toFixed(1);
  return {
    ...table,
    note: `@Cacheable (template key) vs direct getOrSet: ${decorated / direct >= 1 ? 'no overhead' : `${pct}% slower`} (ops/s ratio ${(decorated / direct).toFixed(2)}x; goal >= 0.91x).`,
  };
}

/**
 * The decorator's overhead on a warm hit: a `@Cacheable` method against calling
 * `CacheService.getOrSet` directly on the same warm key, on the memory store, on Redis, and with
 * L1 in front of Redis. Each table starts with raw ioredis GET + JSON.parse of a warm key as the
 * common baseline; the figure that matters is the decorator row against the getOrSet row.
 */
const decoratorsBench: BenchCase = async ({ redisUrl, watch }) => {
  const raw = new Redis(redisUrl);
  const rawKey = 'bench-decorators-raw:product:1';
  await raw.set(rawKey, JSON.stringify({ value: PRODUCT, expires: null }), 'PX', 300_000);
  const setups: Array<[string, LarderModuleOptions]> = [
    ['memory store', {}],
    ['Redis', { redis: redisUrl }],
    ['L1 memory in front of Redis', { redis: redisUrl, memory: { maxItems: 1000 } }],
  ];
  const tables: BenchTable[] = [];
  try {
    for (const [label, options] of setups) {
      const app = await start({ ...options, namespace: `bench-decorators-${tables.length}` });
      try {
        const cache = app.get(CacheService);
        const products = app.get(ProductService);
        const load = async () => ({ ...PRODUCT, id: 1 });
        await products.find(1);
        await products.findByDefaultKey(1);
        const contenders = (concurrency: number): Contender[] => [
          {
            name: 'raw ioredis GET + JSON.parse (warm key)',
            concurrency,
            op: async () => JSON.parse((await raw.get(rawKey)) as string),
          },
          {
            name: 'CacheService.getOrSet (warm key)',
            concurrency,
            op: () => cache.getOrSet(`product:${1}`, load, { ttl: '5m' }),
          },
          { name: "@Cacheable({ key: 'product:{0}' }) method", concurrency, op: () => products.find(1) },
          {
            name: '@Cacheable() method, default key (argument hash)',
            concurrency,
            op: () => products.findByDefaultKey(1),
          },
        ];
        tables.push(overheadNote(await compare(`Warm hit, ${label}, sequential`, contenders(1), { watch })));
        if (options.redis)
          tables.push(
            overheadNote(
              await compare(`Warm hit, ${label}, 50 concurrent callers`, contenders(50), { watch }),
            ),
          );
        if (products.loads !== 2)
          throw new Error(`the methods ran ${products.loads} times instead of 2: the hits were not warm`);
      } finally {
        await app.close();
      }
    }
    return tables;
  } finally {
    await raw.del(rawKey);
    raw.disconnect();
  }
};

export default decoratorsBench;

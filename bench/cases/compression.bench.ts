import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, type LarderModuleOptions } from '../../libs/larder/src';
import { cacheRedisKeys, entryKey } from '../../libs/larder/src/cache/cache-keys';
import { compare, type BenchCase, type BenchTable, type Contender } from '../bench-kit';
import { larderModule } from '../support/cache-clients';

const KEY = 'catalog';
const RAW_KEY = 'bench-compression:raw';

/** A ~100 KB JSON value: a product catalog page, repetitive as real API payloads are. */
const CATALOG = {
  page: 1,
  items: Array.from({ length: 470 }, (_, id) => ({
    id,
    sku: `SKU-${String(id).padStart(6, '0')}`,
    name: `Product ${id}`,
    description: `A sturdy product number ${id}, shipped in ${1 + (id % 5)} days from warehouse ${id % 7}.`,
    price: { amount: 1999 + id, currency: 'EUR' },
    tags: ['catalog', `category-${id % 12}`],
    inStock: id % 3 !== 0,
  })),
};

interface Setup {
  name: string;
  compression: LarderModuleOptions['compression'];
}

const SETUPS: Setup[] = [
  { name: 'Larder, no compression', compression: false },
  { name: 'Larder, brotli', compression: { algorithm: 'brotli' } },
  { name: 'Larder, gzip', compression: { algorithm: 'gzip' } },
];

/**
 * A ~100 KB JSON value on Redis (URL setup, values through @keyv/redis): get and set latency
 * without compression, with brotli and with gzip, raw ioredis GET/SET + JSON as the first row;
 * the bytes Redis holds for each (STRLEN and MEMORY USAGE) are in the notes.
 */
const compressionBench: BenchCase = async ({ redisUrl, watch }) => {
  const raw = new Redis(redisUrl);
  const modules: TestingModule[] = [];
  try {
    const caches = [];
    for (const [i, setup] of SETUPS.entries()) {
      const namespace = `bench-compression-${i}`;
      const moduleRef = await larderModule({ redis: redisUrl, namespace, compression: setup.compression });
      modules.push(moduleRef);
      const cache = moduleRef.get(CacheService);
      await cache.set(KEY, CATALOG);
      caches.push({ ...setup, cache, redisKey: cacheRedisKeys(namespace).values + entryKey('', KEY) });
    }
    const payload = JSON.stringify(CATALOG);
    await raw.set(RAW_KEY, payload);
    const wrong: string[] = [];
    const check = (name: string, value: unknown) => {
      if ((value as typeof CATALOG | undefined)?.items?.length !== CATALOG.items.length) wrong.push(name);
    };
    const getRows: Contender[] = [
      {
        name: 'raw ioredis GET + JSON.parse',
        op: async () => check('raw', JSON.parse((await raw.get(RAW_KEY))!)),
      },
      ...caches.map((c) => ({
        name: `${c.name}: get`,
        op: async () => check(c.name, await c.cache.get(KEY)),
      })),
    ];
    const setRows: Contender[] = [
      { name: 'raw ioredis JSON.stringify + SET', op: () => raw.set(RAW_KEY, JSON.stringify(CATALOG)) },
      ...caches.map((c) => ({ name: `${c.name}: set`, op: () => c.cache.set(KEY, CATALOG) })),
    ];
    const tables: BenchTable[] = [
      await compare(`A ~${Math.round(payload.length / 1024)} KB JSON value: get`, getRows, { watch }),
      await compare(`A ~${Math.round(payload.length / 1024)} KB JSON value: set`, setRows, { watch }),
    ];
    if (wrong.length > 0) throw new Error(`wrong answers: ${[...new Set(wrong)].join(', ')}`);
    const sizes = [
      `raw JSON ${await raw.strlen(RAW_KEY)} B (MEMORY USAGE ${await raw.memory('USAGE', RAW_KEY)} B)`,
    ];
    for (const c of caches) {
      sizes.push(
        `${c.name} ${await raw.strlen(c.redisKey)} B (MEMORY USAGE ${await raw.memory('USAGE', c.redisKey)} B)`,
      );
    }
    tables[0].note = `Redis bytes (STRLEN of the stored value): ${sizes.join('; ')}.`;
    tables[1].note =
      "A compressed set serializes, compresses on libuv's thread pool and writes base64 (docs/compression.md); " +
      'brotli runs at quality 4.';
    return tables;
  } finally {
    await Promise.all(modules.map(async (m) => (await m.get(CacheService).clear(), m.close())));
    await raw.del(RAW_KEY);
    raw.disconnect();
  }
};

export default compressionBench;

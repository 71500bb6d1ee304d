import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import {
  CacheModule,
  CacheService,
  LarderHealthIndicator,
  type LarderModuleOptions,
} from '../../libs/larder/src';
import { compare, type BenchCase, type Contender } from '../bench-kit';

async function larderApp(options: LarderModuleOptions) {
  const app = await NestFactory.createApplicationContext(
    CacheModule.forRoot({ logConnectionEvents: false, ...options }),
    { logger: false },
  );
  return { app, cache: app.get(CacheService), health: app.get(LarderHealthIndicator) };
}

/**
 * What Prometheus metrics cost on the hot paths: the same cache read with metrics off (nothing
 * subscribed, no event payload built) and on (every read builds its event and updates a counter,
 * and a store read a histogram); plus the health check against a raw PING.
 */
const metricsBench: BenchCase = async ({ redisUrl, watch }) => {
  const raw = new Redis(redisUrl);
  await raw.set('bench-metrics:raw', JSON.stringify({ value: { id: 1, name: 'widget' } }));
  const base = { redis: redisUrl, memory: { maxItems: 1000 } } as const;
  const off = await larderApp({ ...base, namespace: 'bench-metrics-off' });
  const on = await larderApp({
    ...base,
    namespace: 'bench-metrics-on',
    metrics: { registry: new Registry() },
  });
  const noL1 = { redis: redisUrl } as const;
  const offL2 = await larderApp({ ...noL1, namespace: 'bench-metrics-off-l2' });
  const onL2 = await larderApp({
    ...noL1,
    namespace: 'bench-metrics-on-l2',
    metrics: { registry: new Registry() },
  });
  for (const { cache } of [off, on, offL2, onL2]) await cache.set('product:1', { id: 1, name: 'widget' });
  let missing = 0;
  const check = (value: unknown) => {
    if (value === undefined || value === null) missing++;
  };
  const rawGet: Contender = {
    name: 'raw ioredis GET + JSON.parse',
    op: async () => check(JSON.parse((await raw.get('bench-metrics:raw'))!)),
  };
  try {
    const tables = [
      await compare(
        'Redis get hit (no L1): metrics off vs on',
        [
          rawGet,
          {
            name: 'CacheService.get, metrics off',
            op: async () => check(await offL2.cache.get('product:1')),
          },
          { name: 'CacheService.get, metrics on', op: async () => check(await onL2.cache.get('product:1')) },
        ],
        { watch },
      ),
      await compare('L1 hit: metrics off vs on', [
        rawGet,
        {
          name: 'CacheService.get (L1 hit), metrics off',
          op: async () => check(await off.cache.get('product:1')),
        },
        {
          name: 'CacheService.get (L1 hit), metrics on',
          op: async () => check(await on.cache.get('product:1')),
        },
      ]),
      await compare(
        'Health check',
        [
          { name: 'raw ioredis PING', op: () => raw.ping() },
          {
            name: 'LarderHealthIndicator.isHealthy (2 connections)',
            op: async () => {
              if ((await off.health.isHealthy('larder')).larder.status !== 'up') missing++;
            },
          },
        ],
        { watch },
      ),
    ];
    if (missing > 0) throw new Error(`${missing} operations found no value: the benchmark is invalid`);
    tables[1].note =
      'The raw GET row is only the reference every table starts with; compare the two L1 rows with each other. ' +
      'With metrics on, an L1 hit builds its event payload and increments a labelled counter.';
    tables[2].note =
      'The health check PINGs the coordination connection and the @keyv/redis connection in parallel.';
    return tables;
  } finally {
    raw.disconnect();
    await Promise.all([off, on, offL2, onL2].map(({ app }) => app.close()));
  }
};

export default metricsBench;

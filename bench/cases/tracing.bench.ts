import { NestFactory } from '@nestjs/core';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { CacheModule, CacheService, type LarderModuleOptions } from '../../libs/larder/src';
import { compare, type BenchCase, type BenchTable, type Contender } from '../bench-kit';

async function cacheOf(options: LarderModuleOptions) {
  const app = await NestFactory.createApplicationContext(
    CacheModule.forRoot({ logConnectionEvents: false, ...options }),
    { logger: false },
  );
  return { app, cache: app.get(CacheService) };
}

/**
 * What tracing costs on the hottest path, an L1 hit, and on a Redis hit: tracing off (the
 * service's own method) against tracing on, first with no tracer provider registered (the api's
 * no-op tracer), then with a recording SDK provider and the async-hooks context manager, as an
 * application with tracing set up has (spans recorded, none exported: exporting is the app's cost).
 */
const tracingBench: BenchCase = async ({ redisUrl, watch }) => {
  const setups = {
    'L1 hit': { redis: redisUrl, memory: { maxItems: 1000 } },
    'Redis hit (no L1)': { redis: redisUrl },
  } as const;
  const apps: Array<Awaited<ReturnType<typeof cacheOf>>> = [];
  const start = async (options: LarderModuleOptions) => {
    const started = await cacheOf(options);
    apps.push(started);
    await started.cache.set('product:1', { id: 1, name: 'widget' });
    return started.cache;
  };
  let missing = 0;
  const read = (cache: CacheService) => async () => {
    if ((await cache.get('product:1')) === undefined) missing++;
  };
  const provider = new BasicTracerProvider();
  const tables: BenchTable[] = [];
  try {
    const caches: Record<string, { off: CacheService; on: CacheService }> = {};
    for (const [name, options] of Object.entries(setups)) {
      const namespace = `bench-tracing-${Object.keys(caches).length}`;
      caches[name] = {
        off: await start({ ...options, namespace: `${namespace}-off` }),
        on: await start({ ...options, namespace: `${namespace}-on`, tracing: true }),
      };
    }
    const table = async (title: string, provided: string) => {
      for (const [name, { off, on }] of Object.entries(caches)) {
        const contenders: Contender[] = [
          { name: `CacheService.get (${name}), tracing off`, op: read(off) },
          { name: `CacheService.get (${name}), tracing on, ${provided}`, op: read(on) },
        ];
        tables.push(
          await compare(`${title}: ${name}`, contenders, name.startsWith('Redis') ? { watch } : {}),
        );
      }
    };
    await table('Tracing, no tracer provider', 'no provider');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    await table('Tracing, recording SDK provider', 'SDK provider');
    if (missing > 0) throw new Error(`${missing} reads found no value: the benchmark is invalid`);
    tables[tables.length - 1].note =
      'With a provider, each traced get starts, fills and ends one recorded span and runs inside its context ' +
      '(AsyncLocalStorage); an L1 hit also builds the hit event the span reads its tier from.';
    return tables;
  } finally {
    await Promise.all(apps.map(({ app }) => app.close()));
    await provider.shutdown();
    trace.disable();
    context.disable();
  }
};

export default tracingBench;

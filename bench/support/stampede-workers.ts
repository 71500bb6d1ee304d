/**
 * One application process of the cross-process stampede case (bench/cases/stampede-processes.bench.ts),
 * run with `node -r @swc-node/register bench/support/stampede-workers.ts <redisUrl> <runId> <callers> <loaderMs>`.
 * It hosts one Larder module per contender (each its own namespace, shared by every process),
 * prints `ready`, then for each line `<contender> <key>` on stdin fires `callers` concurrent
 * `getOrSet` calls on that cold key and prints one JSON line: the callers' latencies (µs) and the
 * lock counters of that stampede. The loader INCRs `bench-spx-loads:<key>`, so the parent counts
 * loader runs across processes, then waits `loaderMs`.
 */
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { CacheService, type GetOrSetOptions, type LarderModuleOptions } from '../../libs/larder/src';
import { larderModule, PRODUCT, TTL_MS } from './cache-clients';
import { runAsProcess } from './serve-apps';

/** The contenders: module options and call options, by name. */
const STAMPEDE_SETUPS: Record<string, { module: LarderModuleOptions; call: GetOrSetOptions }> = {
  plain: { module: {}, call: { ttl: TTL_MS } },
  lock: { module: {}, call: { ttl: TTL_MS, lock: true } },
  'lock-l1': { module: { memory: { maxItems: 1000 } }, call: { ttl: TTL_MS, lock: true } },
};

async function main(): Promise<void> {
  const [url, runId, callers, loaderMs] = process.argv.slice(2);
  const counter = new Redis(url);
  const caches = new Map<string, CacheService>();
  const modules = [];
  for (const [name, setup] of Object.entries(STAMPEDE_SETUPS)) {
    const moduleRef = await larderModule({
      ...setup.module,
      redis: url,
      namespace: `bench-spx-${name}-${runId}`,
    });
    modules.push(moduleRef);
    caches.set(name, moduleRef.get(CacheService));
  }
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [name, key] = line.split(' ');
    const cache = caches.get(name)!;
    const loader = async () => {
      await counter.incr(`bench-spx-loads:${key}`);
      await new Promise((resolve) => setTimeout(resolve, Number(loaderMs)));
      return PRODUCT;
    };
    const before = cache.stats();
    const started = performance.now();
    const latencies: number[] = [];
    const results = await Promise.all(
      Array.from({ length: Number(callers) }, async () => {
        const value = await cache.getOrSet(key, loader, STAMPEDE_SETUPS[name].call);
        latencies.push((performance.now() - started) * 1000);
        return value;
      }),
    );
    const after = cache.stats();
    const wrong = results.filter((r) => (r as typeof PRODUCT)?.id !== PRODUCT.id).length;
    const lockWaits = after.lockWaits - before.lockWaits;
    const lockFallbacks = after.lockFallbacks - before.lockFallbacks;
    process.stdout.write(`${JSON.stringify({ latencies, wrong, lockWaits, lockFallbacks })}\n`);
  }
  for (const moduleRef of modules) await moduleRef.close();
  counter.disconnect();
  process.exit(0);
}

runAsProcess(main);

/**
 * A separate application process for the stampede tests (test/stampede-processes.spec.ts), run
 * with `node -r @swc-node/register test/stampede-worker.ts <mode>`. Settings come from environment
 * variables: LARDER_TEST_REDIS_URL, STAMPEDE_NAMESPACE, STAMPEDE_KEY, STAMPEDE_COUNTER (a Redis key
 * the loader INCRs, so loader runs are counted across processes) and, for `burst`,
 * STAMPEDE_CALLERS, STAMPEDE_LOADER_MS and STAMPEDE_L1 ('1': L1 on).
 *
 * - `burst`: prints `ready`, waits for a line on stdin, then fires STAMPEDE_CALLERS concurrent
 *   `getOrSet(key, loader, { lock })` calls and prints one JSON line
 *   `{ answered, wrong, lockWaits, lockFallbacks }`.
 * - `hold`: one `getOrSet` with `lock` whose loader INCRs, prints `loading` and never returns:
 *   the process holds the key's load lock until it is killed.
 */
import { once } from 'node:events';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheModule, CacheService } from '@larder/nestjs';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main(mode: string): Promise<void> {
  const url = env('LARDER_TEST_REDIS_URL');
  const key = env('STAMPEDE_KEY');
  const counter = new Redis(url);
  const app = await NestFactory.createApplicationContext(
    CacheModule.forRoot({
      redis: url,
      namespace: env('STAMPEDE_NAMESPACE'),
      memory: process.env.STAMPEDE_L1 === '1' ? { maxItems: 100 } : false,
      logConnectionEvents: false,
      commandTimeout: '5s',
    }),
    { logger: false },
  );
  const cache = app.get(CacheService);
  const lock = { wait: '30s' } as const;

  if (mode === 'hold') {
    const loader = async () => {
      await counter.incr(env('STAMPEDE_COUNTER'));
      process.stdout.write('loading\n');
      return new Promise<never>(() => undefined);
    };
    void cache.getOrSet(key, loader, { ttl: '1m', lock }).catch(() => undefined);
    setInterval(() => undefined, 60_000);
    return;
  }

  const loaderMs = Number(env('STAMPEDE_LOADER_MS'));
  const loader = async () => {
    const run = await counter.incr(env('STAMPEDE_COUNTER'));
    await new Promise((resolve) => setTimeout(resolve, loaderMs));
    return { price: 42, run };
  };
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  const results = await Promise.all(
    Array.from({ length: Number(env('STAMPEDE_CALLERS')) }, () =>
      cache.getOrSet(key, loader, { ttl: '1m', lock }),
    ),
  );
  const { lockWaits, lockFallbacks } = cache.stats();
  const wrong = results.filter((r) => r?.price !== 42).length;
  process.stdout.write(`${JSON.stringify({ answered: results.length, wrong, lockWaits, lockFallbacks })}\n`);
  counter.disconnect();
  await app.close();
  process.stdin.destroy();
}

main(process.argv[2] ?? 'burst').catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * A separate process for the lock tests (test/lock-processes.spec.ts), run with
 * `node -r @swc-node/register test/lock-worker.ts <mode>`. Settings come from environment variables:
 * LARDER_TEST_REDIS_URL, LOCK_NAMESPACE, LOCK_KEY and, for `count`, LOCK_ITERATIONS.
 *
 * - `count`: LOCK_ITERATIONS critical sections, each a read–sleep–write of a shared Redis counter
 *   under the lock; prints one JSON line `{ sections: [{ value, fence, inside }] }` at the end.
 * - `hold`: takes the lock with autoExtend, prints `held <fence>` and then idles until killed.
 */
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheModule, LockService } from '@larder/nestjs';
import { UNHURRIED_TIMEOUT } from './test-helpers';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(mode: string): Promise<void> {
  const url = env('LARDER_TEST_REDIS_URL');
  const namespace = env('LOCK_NAMESPACE');
  const key = env('LOCK_KEY');
  // Exclusion is the subject, not outages: eight processes on a starved machine can each wait
  // seconds for a reply, and a breaker opened by such timeouts would refuse the lock outright.
  const app = await NestFactory.createApplicationContext(
    CacheModule.forRoot({
      redis: url,
      namespace,
      logConnectionEvents: false,
      commandTimeout: UNHURRIED_TIMEOUT,
      circuitBreaker: false,
    }),
    { logger: false },
  );
  const locks = app.get(LockService);

  if (mode === 'hold') {
    const lock = await locks.acquireOrThrow(key, { ttl: Number(env('LOCK_TTL')), autoExtend: true });
    process.stdout.write(`held ${lock.fence}\n`);
    setInterval(() => undefined, 60_000);
    return;
  }

  const redis = new Redis(url);
  const counterKey = `${namespace}:counter`;
  const insideKey = `${namespace}:inside`;
  const sections: Array<{ value: number; fence: number; inside: number }> = [];
  const iterations = Number(env('LOCK_ITERATIONS'));
  for (let i = 0; i < iterations; i++) {
    await locks.withLock(
      key,
      async (lock) => {
        // How many processes are inside right now, by Redis' own count: must always be 1.
        const inside = await redis.incr(insideKey);
        const value = Number((await redis.get(counterKey)) ?? 0);
        await sleep(1);
        await redis.set(counterKey, value + 1);
        await redis.decr(insideKey);
        sections.push({ value, fence: lock.fence, inside });
      },
      { ttl: '10s', wait: '60s', retryDelay: 4 },
    );
  }
  process.stdout.write(`${JSON.stringify({ sections })}\n`);
  redis.disconnect();
  await app.close();
}

main(process.argv[2] ?? 'count').catch((error) => {
  console.error(error);
  process.exit(1);
});

import type { TestingModule } from '@nestjs/testing';
import {
  CacheService,
  type BreakerTransition,
  type CircuitBreakerModuleOptions,
} from '../../libs/larder/src';
import { startRedisServer } from '../../test/redis-server';
import { compare, type BenchCase } from '../bench-kit';
import { larderModule } from '../support/cache-clients';

/** Short, so the rows without a breaker finish rounds; every call there waits this long. */
const COMMAND_TIMEOUT = 250;
const CALLERS = 50;

/** Resolves once the breaker of `cache` is open, after sending reads at the paused server one at a time. */
async function openBreaker(cache: CacheService): Promise<void> {
  const opened = new Promise<void>((resolve) => {
    const listener = (t: BreakerTransition) => {
      if (t.state !== 'open') return;
      cache.off('breaker', listener);
      resolve();
    };
    cache.on('breaker', listener);
  });
  // One after another: reads started in the same tick share one batched MGET (batchReads), and one
  // failed command counts once toward the breaker however many callers it carried.
  for (let i = 0; i < 10 && cache.stats().breaker?.state !== 'open'; i++) await cache.get(`warm-up:${i}`);
  await opened;
}

/**
 * What `get` costs while Redis does not answer (SIGSTOP on a server of its own, so the run's shared
 * Redis is never paused): with the circuit breaker open, against the same module without one,
 * where every call waits for `commandTimeout`. The cooldown is longer than the run, so the breaker
 * stays open throughout (no probe lands in a round).
 */
const outageBench: BenchCase = async () => {
  const server = await startRedisServer();
  const modules: TestingModule[] = [];
  try {
    const start = async (circuitBreaker: CircuitBreakerModuleOptions | false) => {
      const moduleRef = await larderModule({
        redis: server.url,
        namespace: 'bench-outage',
        commandTimeout: COMMAND_TIMEOUT,
        circuitBreaker,
      });
      modules.push(moduleRef);
      return moduleRef.get(CacheService);
    };
    const guarded = await start({ cooldown: '10m' });
    const unguarded = await start(false);
    await guarded.set('product:1', { id: 1 });
    server.pause();
    await openBreaker(guarded);
    const table = await compare('Cache get while Redis is paused (SIGSTOP)', [
      { name: 'get, breaker open', op: () => guarded.get('product:1') },
      { name: 'get, breaker open', concurrency: CALLERS, op: () => guarded.get('product:1') },
      {
        name: `get, no breaker (commandTimeout ${COMMAND_TIMEOUT}ms)`,
        concurrency: CALLERS,
        op: () => unguarded.get('product:1'),
      },
    ]);
    if (guarded.stats().breaker?.state !== 'open') throw new Error('the breaker closed during the run');
    const open = table.rows[0];
    const waiting = table.rows[2];
    table.note =
      `With the breaker open a get is a miss in ${open.p50Us.toFixed(1)} µs (p99 ${open.p99Us.toFixed(1)} µs; ` +
      `goal p99 < 2 ms); without it every get waits for commandTimeout (p99 ${(waiting.p99Us / 1000).toFixed(0)} ms here, ` +
      "1 s with the default). Both are misses: neither reaches Redis' data.";
    return [table];
  } finally {
    server.resume();
    await Promise.all(modules.map((m) => m.close()));
    await server.stop();
  }
};

export default outageBench;

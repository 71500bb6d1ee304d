import { LockService } from '@larder/nestjs';
import { eventually, testRedisUrl, uniqueNamespace } from './test-helpers';
import { outputOf } from './worker-process';
import { useWorkerProcesses } from './worker-processes-fixture';

const PROCESSES = 8;
const ITERATIONS = 200;

interface Section {
  value: number;
  fence: number;
  inside: number;
}

describe('LockService across processes (real Redis)', () => {
  const processes = useWorkerProcesses();
  /** Starts test/lock-worker.ts in its own Node process. */
  const worker = (mode: 'count' | 'hold', env: Record<string, string>) =>
    processes.start('lock-worker.ts', mode, env);

  it(`${PROCESSES} processes x ${ITERATIONS} read-sleep-write sections: exclusive, none lost, fences rising`, async () => {
    const namespace = uniqueNamespace('lock-mx');
    const env = { LOCK_NAMESPACE: namespace, LOCK_KEY: 'counter', LOCK_ITERATIONS: String(ITERATIONS) };
    const runs = Array.from({ length: PROCESSES }, () => outputOf(worker('count', env)));
    const sections: Section[] = (await Promise.all(runs)).flatMap(
      (out) => (JSON.parse(out.trim()) as { sections: Section[] }).sections,
    );
    const total = PROCESSES * ITERATIONS;

    expect(Number(await processes.raw.get(`${namespace}:counter`))).toBe(total);
    expect(sections).toHaveLength(total);
    // No two grants overlapped: every section saw itself alone inside, by Redis' own count.
    expect(sections.filter((s) => s.inside !== 1)).toEqual([]);
    // Each section read a distinct counter value, so the values give the grant order...
    const inGrantOrder = [...sections].sort((a, b) => a.value - b.value);
    expect(inGrantOrder.map((s) => s.value)).toEqual(Array.from({ length: total }, (_, i) => i));
    // ...and the fences must rise strictly in that order.
    const outOfOrder = inGrantOrder.filter((s, i) => i > 0 && s.fence <= inGrantOrder[i - 1].fence);
    expect(outOfOrder).toEqual([]);
    await processes.raw.del(
      `${namespace}:counter`,
      `${namespace}:inside`,
      `${namespace}:lock:{counter}:fence`,
    );
  }, 60_000);

  it('a lock whose holder was killed with SIGKILL is freed by its ttl', async () => {
    const namespace = uniqueNamespace('lock-kill');
    const ttl = 2500;
    const moduleRef = await processes.createModule({ redis: testRedisUrl(), namespace });
    const locks = moduleRef.get(LockService);
    const holder = worker('hold', { LOCK_NAMESPACE: namespace, LOCK_KEY: 'job', LOCK_TTL: String(ttl) });
    let printed = '';
    holder.stdout!.on('data', (d) => (printed += d));
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    await eventually(() => printed.startsWith('held '), 20_000, 'the worker to hold the lock');
    const heldFence = Number(printed.trim().split(' ')[1]);

    // Alive, the holder keeps renewing past its ttl.
    await new Promise((r) => setTimeout(r, ttl + 300));
    expect(await locks.acquire('job')).toBeNull();

    holder.kill('SIGKILL');
    await exited;
    const killedAt = performance.now();
    expect(await locks.isLocked('job')).toBe(true);
    const lock = await locks.acquire('job', { wait: ttl + 2000, retryDelay: 50 });
    expect(lock).not.toBeNull();
    expect(lock!.fence).toBe(heldFence + 1);
    expect(performance.now() - killedAt).toBeLessThan(ttl + 1500);
    await lock!.release();
  }, 40_000);
});

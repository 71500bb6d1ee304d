import type { ChildProcess } from 'node:child_process';
import { CacheService, LARDER_LOCK_STORE, type CacheEventMap, type LockStore } from '@larder/nestjs';
import { eventually, testRedisUrl, uniqueNamespace } from './test-helpers';
import { outputOf } from './worker-process';
import { useWorkerProcesses } from './worker-processes-fixture';

const PROCESSES = 4;
const CALLERS = 250;
const LOADER_MS = 200;

interface BurstReport {
  answered: number;
  wrong: number;
  lockWaits: number;
  lockFallbacks: number;
}

/** Resolves once `child` has printed a line starting with `line`. */
function printed(child: ChildProcess, line: string): Promise<void> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.split('\n').some((l) => l.startsWith(line))) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before printing "${line}"`)));
  });
}

describe('getOrSet with lock across processes (real Redis)', () => {
  const processes = useWorkerProcesses();

  it.each([
    ['without L1', '0'],
    ['with L1', '1'],
  ])(
    `${PROCESSES} processes x ${CALLERS} callers on one cold key, ${LOADER_MS} ms loader: it runs once in all (%s)`,
    async (_name, l1) => {
      const namespace = uniqueNamespace('stampede-px');
      const counter = `${namespace}:loads`;
      const env = {
        STAMPEDE_NAMESPACE: namespace,
        STAMPEDE_KEY: 'price:espresso',
        STAMPEDE_COUNTER: counter,
        STAMPEDE_CALLERS: String(CALLERS),
        STAMPEDE_LOADER_MS: String(LOADER_MS),
        STAMPEDE_L1: l1,
      };
      const workers = Array.from({ length: PROCESSES }, () =>
        processes.start('stampede-worker.ts', 'burst', env, 'pipe'),
      );
      const reports = workers.map(outputOf);
      // Every process booted and connected before any calls: the calls then start together.
      await Promise.all(workers.map((w) => printed(w, 'ready')));
      for (const w of workers) w.stdin!.write('go\n');
      const outcomes: BurstReport[] = (await Promise.all(reports)).map((out) =>
        JSON.parse(out.trim().split('\n').at(-1)!),
      );

      expect(Number(await processes.raw.get(counter))).toBe(1);
      expect(outcomes.map((o) => [o.answered, o.wrong])).toEqual(Array(PROCESSES).fill([CALLERS, 0]));
      expect(outcomes.map((o) => o.lockFallbacks)).toEqual(Array(PROCESSES).fill(0));
      // The processes did meet on the cold key: some of them waited for the one that loaded.
      const waited = outcomes.reduce((sum, o) => sum + o.lockWaits, 0);
      expect(waited).toBeGreaterThanOrEqual(1);
      expect(waited).toBeLessThanOrEqual(PROCESSES - 1);
      await processes.raw.del(counter);
    },
    120_000,
  );

  it('a holder killed with SIGKILL mid-load: another process takes the key over within wait', async () => {
    const namespace = uniqueNamespace('stampede-kill');
    const counter = `${namespace}:loads`;
    const env = { STAMPEDE_NAMESPACE: namespace, STAMPEDE_KEY: 'report', STAMPEDE_COUNTER: counter };
    const holder = processes.start('stampede-worker.ts', 'hold', env);
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    await printed(holder, 'loading');

    const moduleRef = await processes.createModule({ redis: testRedisUrl(), namespace });
    const cache = moduleRef.get(CacheService);
    const fallbacks: Array<CacheEventMap['lock-fallback']> = [];
    cache.on('lock-fallback', (e) => fallbacks.push(e));
    const lease = jest.spyOn(moduleRef.get<Required<LockStore>>(LARDER_LOCK_STORE), 'lease');
    const loader = async () => ({ run: await processes.raw.incr(counter) });
    // A wait far longer than the lock's few seconds: only the takeover ends it in time.
    const value = cache.getOrSet('report', loader, { ttl: '1m', lock: { wait: '60s' } });
    await eventually(() => lease.mock.results.length > 0, 10_000, 'a load lock attempt');
    expect(await lease.mock.results[0].value).toBe(false);

    holder.kill('SIGKILL');
    await exited;
    expect(await value).toEqual({ run: 2 });
    expect(fallbacks).toEqual([expect.objectContaining({ key: 'report', reason: 'takeover' })]);
    expect(cache.stats()).toMatchObject({ lockWaits: 0, lockFallbacks: 1 });
    await processes.raw.del(counter);
  }, 90_000);
});

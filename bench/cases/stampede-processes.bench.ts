import { commandCount, figures, type BenchCase, type BenchTable } from '../bench-kit';
import { startLineWorker } from '../support/line-worker';

const PROCESSES = 4;
const CALLERS = 250;
const LOADER_MS = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** The contenders, by the names bench/support/stampede-workers.ts hosts them under. */
const CONTENDERS: Array<[worker: string, name: string]> = [
  ['plain', 'Larder getOrSet, in-process single-flight only'],
  ['lock', 'Larder getOrSet, lock: true'],
  ['lock-l1', 'Larder getOrSet, lock: true, L1 on'],
];

interface Reply {
  latencies: number[];
  wrong: number;
  lockWaits: number;
  lockFallbacks: number;
}

interface Totals {
  loads: number;
  commands: number;
  wallMs: number;
  waits: number;
  fallbacks: number;
  latencies: number[];
}

function note(totals: Totals[]): string {
  const lines = [
    `One op = one cold key: ${PROCESSES} application processes, each with ${CALLERS} concurrent getOrSet callers ` +
      `(${PROCESSES * CALLERS} in all), started together; the loader takes ${LOADER_MS} ms and INCRs a Redis counter, ` +
      `so its runs are counted across processes. Redis cmds/op leaves those INCRs (and the INFO calls) out. ` +
      `${ROUNDS} rounds, a fresh key each. Goal for lock: 1 loader call per cold key.`,
    '',
    '| contender | loader calls / cold key | Redis cmds / cold key | waited for another process / cold key | ran the loader after waiting / cold key |',
    '|---|---:|---:|---:|---:|',
  ];
  CONTENDERS.forEach(([, name], i) => {
    const t = totals[i];
    const per = (n: number) => (n / ROUNDS).toFixed(1);
    lines.push(`| ${name} | ${per(t.loads)} | ${per(t.commands)} | ${per(t.waits)} | ${per(t.fallbacks)} |`);
  });
  return lines.join('\n');
}

/**
 * A stampede across processes: the same cold key asked for by every instance at once. Without
 * `lock` each process runs the loader once (single-flight is per process); with it, once in all.
 */
const stampedeProcessesBench: BenchCase = async ({ redisUrl, watch }) => {
  const runId = Date.now().toString(36);
  const args = [redisUrl, runId, String(CALLERS), String(LOADER_MS)];
  const workers = await Promise.all(
    Array.from({ length: PROCESSES }, () => startLineWorker<Reply>('stampede-workers.ts', args)),
  );
  const totals: Totals[] = CONTENDERS.map(() => ({
    loads: 0,
    commands: 0,
    wallMs: 0,
    waits: 0,
    fallbacks: 0,
    latencies: [],
  }));
  const stampede = async (worker: string, key: string, into?: Totals) => {
    const before = await commandCount(watch);
    const started = performance.now();
    const replies = await Promise.all(workers.map((w) => w.ask(`${worker} ${key}`)));
    const wallMs = performance.now() - started;
    const commands = (await commandCount(watch)) - 1 - before;
    const loads = Number(await watch.get(`bench-spx-loads:${key}`));
    if (replies.some((r) => r.wrong > 0))
      throw new Error(`Invalid benchmark: ${worker} returned a wrong value`);
    if (!into) return;
    into.loads += loads;
    into.commands += commands - loads;
    into.wallMs += wallMs;
    for (const r of replies) {
      into.waits += r.lockWaits;
      into.fallbacks += r.lockFallbacks;
      into.latencies.push(...r.latencies);
    }
  };
  try {
    for (const [worker] of CONTENDERS) await stampede(worker, `warm-up:${runId}:${worker}`);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < CONTENDERS.length; i++) {
        await stampede(CONTENDERS[i][0], `report:${runId}:${CONTENDERS[i][0]}:${round}`, totals[i]);
      }
    }
    // One op = one cold key: ROUNDS of them, each taking its whole wall time.
    const rows = figures(
      CONTENDERS.map(([, name], i) => ({
        name,
        ops: ROUNDS,
        elapsed: totals[i].wallMs,
        latencies: totals[i].latencies,
        commands: totals[i].commands,
      })),
    );
    const title = `getOrSet stampede across ${PROCESSES} processes: ${CALLERS} callers each, cold key, ${LOADER_MS} ms loader`;
    const table: BenchTable = { title, rows, note: note(totals) };
    return [table];
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
};

export default stampedeProcessesBench;

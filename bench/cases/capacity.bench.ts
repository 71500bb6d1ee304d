import { cpus } from 'node:os';
import {
  compare,
  figures,
  type BenchCase,
  type BenchTable,
  type Contender,
  type Figures,
} from '../bench-kit';
import { startBenchCluster, type BenchCluster } from '../support/bench-cluster';
import { larderModule } from '../support/cache-clients';
import { startLineWorker, type LineWorker } from '../support/line-worker';
import { capacityOps, MIX, OPERATIONS, type Operation } from '../support/capacity-ops';
import { sampleServers, serverDelta, totals, type ServerSample } from '../support/server-cost';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400);
/** Callers of the per-operation measurement: enough that the server reads several commands per wake-up. */
const CALLERS = 50;
/** Application processes of the 1-versus-3-masters check, and concurrent callers in each. */
const PROCESSES = 4;
const PROCESS_CALLERS = 25;

interface Cost {
  op: Operation;
  ops: number;
  delta: ServerSample;
}

/** Per operation: Redis commands, execution µs (commandstats) and server CPU µs (used_cpu), on the bench's single Redis. */
async function measureCosts(
  redisUrl: string,
  watch: BenchContextWatch,
): Promise<{ table: BenchTable; costs: Cost[] }> {
  const moduleRef = await larderModule({ redis: redisUrl, namespace: 'bench-capacity' });
  try {
    const ops = await capacityOps(moduleRef);
    const measured = [];
    const costs: Cost[] = [];
    for (const op of OPERATIONS) {
      const run = async (ms: number, latencies: number[]) => {
        const deadline = performance.now() + ms;
        let n = 0;
        await Promise.all(
          Array.from({ length: CALLERS }, async () => {
            while (performance.now() < deadline) {
              const t = performance.now();
              await ops[op]();
              latencies.push((performance.now() - t) * 1000);
              n++;
            }
          }),
        );
        return n;
      };
      await run(Math.min(200, ROUND_MS), []);
      const latencies: number[] = [];
      const before = await sampleServers([watch]);
      const started = performance.now();
      const n = await run(ROUNDS * ROUND_MS, latencies);
      const elapsed = performance.now() - started;
      const delta = serverDelta(before, await sampleServers([watch]));
      costs.push({ op, ops: n, delta });
      measured.push({
        name: `Larder ${op} (x${CALLERS})`,
        ops: n,
        elapsed,
        latencies,
        commands: totals(delta).calls,
      });
    }
    const table: BenchTable = {
      title: `Capacity: server cost per operation, single Redis, ${CALLERS} concurrent callers`,
      rows: figures(measured),
      note: costNote(costs),
    };
    return { table, costs };
  } finally {
    await moduleRef.close();
  }
}

type BenchContextWatch = Parameters<BenchCase>[0]['watch'];

function costNote(costs: Cost[]): string {
  const lines = [
    'Ratios are to a cache get. Per operation, from INFO commandstats and INFO cpu deltas over the round: ' +
      'each command as calls per op × µs per call (commands run inside a Lua script count as commands, as Redis ' +
      "counts them, and their time is also inside the script's evalsha time); server CPU is used_cpu_user + used_cpu_sys, " +
      'which adds reading, parsing and replying to the execution time.',
    '',
    '| operation | Redis commands per op (calls × µs per call) | server CPU µs per op | ops/s one core can serve |',
    '|---|---|---:|---:|',
  ];
  for (const { op, ops, delta } of costs) {
    const calls = [...delta.commands]
      .sort((a, b) => b[1].calls - a[1].calls)
      .map(([name, c]) => `${name} ${(c.calls / ops).toFixed(2)} × ${(c.usec / c.calls).toFixed(2)}`)
      .join(', ');
    const cpu = delta.cpuUs / ops;
    lines.push(`| ${op} | ${calls} | ${cpu.toFixed(2)} | ${Math.round(1e6 / cpu)} |`);
  }
  return lines.join('\n');
}

/** Server CPU µs per operation of MIX, priced from the per-operation costs. */
function mixCpuUs(costs: Cost[]): number {
  const per = new Map(costs.map((c) => [c.op, c.delta.cpuUs / c.ops]));
  return MIX.reduce((sum, op) => sum + per.get(op)!, 0) / MIX.length;
}

type Worker = LineWorker<{ ops: number }>;

interface Run {
  ops: number;
  wallMs: number;
  delta?: ServerSample;
}

/** The mixed workload from every worker on one cluster, its server cost summed over rounds. */
function mixedOn(name: string, target: BenchCluster, workers: Worker[], into: Run): Contender {
  return {
    name,
    run: async (ms) => {
      const before = await sampleServers(target.watch);
      const started = performance.now();
      const replies = await Promise.all(workers.map((w) => w.ask(`${ms} ${name}`)));
      const elapsed = performance.now() - started;
      const delta = serverDelta(before, await sampleServers(target.watch));
      const ops = replies.reduce((sum, r) => sum + r.ops, 0);
      into.ops += ops;
      into.wallMs += elapsed;
      into.delta = into.delta ? addSamples(into.delta, delta) : delta;
      return { ops, elapsed, latencies: [] };
    },
  };
}

function addSamples(a: ServerSample, b: ServerSample): ServerSample {
  const commands = new Map(a.commands);
  for (const [name, c] of b.commands) {
    const x = commands.get(name) ?? { calls: 0, usec: 0 };
    commands.set(name, { calls: x.calls + c.calls, usec: x.usec + c.usec });
  }
  return { commands, cpuUs: a.cpuUs + b.cpuUs };
}

function checkNote(predictedCpuUs: number, rows: Figures[], runs: Array<[string, Run, number]>): string {
  const lines = [
    `The mixed workload (per 20 requests: ${MIX.length} operations, 12 cache gets, 2 sets, 1 getOrSet miss, ` +
      `3 rate-limit checks, 1 session get, 1 lock) from ${PROCESSES} application processes with ${PROCESS_CALLERS} ` +
      `callers each, on a cluster of 1 and of 3 masters (no replicas), interleaved rounds; this machine has ${cpus().length} cores. ` +
      `p50/p99 are not measured here (0). Priced from the table above, the mix costs ${predictedCpuUs.toFixed(2)} µs of server CPU per operation, ` +
      `so one master saturates one core at ${Math.round(1e6 / predictedCpuUs)} ops/s.`,
    '',
    '| cluster | ops/s | server CPU µs per op (measured) | CPU of one master, % of a core | model: ops/s at one full core per master |',
    '|---|---:|---:|---:|---:|',
  ];
  runs.forEach(([name, run, masters], i) => {
    const cpuPerOp = run.delta!.cpuUs / run.ops;
    const busy = run.delta!.cpuUs / masters / (run.wallMs * 1000);
    const ceiling = (masters * 1e6) / predictedCpuUs;
    lines.push(
      `| ${name} | ${Math.round(rows[i].opsPerSec)} | ${cpuPerOp.toFixed(2)} | ${(busy * 100).toFixed(0)} | ${Math.round(ceiling)} |`,
    );
  });
  return lines.join('\n');
}

/**
 * The figures behind docs/capacity.md: what each operation costs Redis (commands, execution
 * time, server CPU) on the bench's single Redis, and a check of the model on a mixed workload
 * from several processes on a 1-master against a 3-master cluster in the same run.
 */
const capacityBench: BenchCase = async ({ redisUrl, watch }) => {
  const { table, costs } = await measureCosts(redisUrl, watch);
  const clusters = [await startBenchCluster(1), await startBenchCluster(3)];
  const targets = {
    '1 master': clusters[0].cluster.startupNodes(),
    '3 masters': clusters[1].cluster.startupNodes(),
  };
  const args = [JSON.stringify(targets), String(PROCESS_CALLERS)];
  const workers = await Promise.all(
    Array.from({ length: PROCESSES }, () => startLineWorker<{ ops: number }>('capacity-workers.ts', args)),
  );
  try {
    const runs: Run[] = [
      { ops: 0, wallMs: 0 },
      { ops: 0, wallMs: 0 },
    ];
    const roundMs = Math.max(ROUND_MS, 1000);
    const check = await compare(
      `Capacity check: mixed workload from ${PROCESSES} processes, 1 master against 3 masters`,
      [
        mixedOn('1 master', clusters[0], workers, runs[0]),
        mixedOn('3 masters', clusters[1], workers, runs[1]),
      ],
      { roundMs, warmupMs: roundMs },
    );
    // The warm-up round is in `runs` too: CPU per op and utilisation are ratios, so it only adds samples;
    // ops/s in the note is the table's, measured rounds only.
    check.note = checkNote(mixCpuUs(costs), check.rows, [
      ['1 master', runs[0], 1],
      ['3 masters', runs[1], 3],
    ]);
    return [table, check];
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    for (const c of clusters) await c.stop();
  }
};

export default capacityBench;

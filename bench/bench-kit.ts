import { Redis } from 'ioredis';

/** What one round of one contender measured: operations, wall time (ms) and latencies (µs). */
export interface RoundResult {
  ops: number;
  elapsed: number;
  latencies: number[];
}

/**
 * One contender in a comparison: an async operation run `concurrency` at a time, or a `run`
 * that drives a round itself (an external load generator) and reports what it measured.
 */
export type Contender = {
  name: string;
  /** Callers issuing `op` at once (default 1); with `run`, only shown in the name. */
  concurrency?: number;
} & ({ op: () => Promise<unknown> } | { run: (ms: number) => Promise<RoundResult> });

/** Measured figures of one contender over all rounds. */
export interface Figures {
  name: string;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
  /** Redis commands per operation (INFO commandstats delta), when a Redis was watched. */
  commandsPerOp?: number;
  /** opsPerSec relative to the first contender (the baseline) of the same table. */
  ratio: number;
}

/** A finished comparison: the first row is the baseline the ratios refer to. */
export interface BenchTable {
  title: string;
  rows: Figures[];
  note?: string;
}

export interface BenchOptions {
  /** Interleaved rounds per contender (default from BENCH_ROUNDS or 5). */
  rounds?: number;
  /** Milliseconds per round (default from BENCH_ROUND_MS or 400). */
  roundMs?: number;
  /** A Redis (or every master of a cluster) whose command counters are read before and after each round. */
  watch?: Redis | Redis[];
  /** Milliseconds of the one warm-up round per contender (default: 200, or roundMs if shorter). */
  warmupMs?: number;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400);

/**
 * Total commands the server (or every server given) has executed, from INFO commandstats; the
 * INFO calls themselves count once per server.
 */
export async function commandCount(redis: Redis | Redis[]): Promise<number> {
  let total = 0;
  for (const server of Array.isArray(redis) ? redis : [redis]) {
    const info = await server.info('commandstats');
    for (const match of info.matchAll(/calls=(\d+)/g)) total += Number(match[1]);
  }
  return total;
}

function serverCount(watch: Redis | Redis[]): number {
  return Array.isArray(watch) ? watch.length : 1;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** One round of `c`: `op` with `concurrency` callers for `ms`, or the contender's own `run`. */
async function round(c: Contender, ms: number): Promise<RoundResult> {
  if ('run' in c) return c.run(ms);
  const latencies: number[] = [];
  const deadline = performance.now() + ms;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      await c.op();
      latencies.push((performance.now() - t) * 1000);
    }
  };
  await Promise.all(Array.from({ length: c.concurrency ?? 1 }, worker));
  return { ops: latencies.length, elapsed: performance.now() - started, latencies };
}

/** What one contender measured over all its rounds: operations, wall time (ms), latencies (µs), commands. */
export interface Measured extends RoundResult {
  name: string;
  /** Redis commands executed over all rounds, when a Redis was watched. */
  commands?: number;
}

/**
 * A table's rows from what each contender measured: ops/s, p50/p99 and commands per operation, and
 * the ratio of each row's ops/s to the first row's (the baseline).
 */
export function figures(measured: Measured[]): Figures[] {
  const rows = measured.map((m) => {
    const sorted = Float64Array.from(m.latencies).sort();
    return {
      name: m.name,
      opsPerSec: (m.ops / m.elapsed) * 1000,
      p50Us: percentile(sorted, 0.5),
      p99Us: percentile(sorted, 0.99),
      commandsPerOp: m.commands === undefined ? undefined : m.commands / m.ops,
      ratio: 0,
    };
  });
  for (const row of rows) row.ratio = row.opsPerSec / rows[0].opsPerSec;
  return rows;
}

/**
 * Compares contenders: a warm-up, then `rounds` rounds in which every contender runs once, in
 * turn, so drift on a shared machine hits all of them alike. Ratios are to the first contender.
 */
export async function compare(
  title: string,
  contenders: Contender[],
  options: BenchOptions = {},
): Promise<BenchTable> {
  const rounds = options.rounds ?? ROUNDS;
  const roundMs = options.roundMs ?? ROUND_MS;
  for (const c of contenders) await round(c, options.warmupMs ?? Math.min(200, roundMs));
  const totals = contenders.map(() => ({ ops: 0, elapsed: 0, latencies: [] as number[], commands: 0 }));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const before = options.watch ? await commandCount(options.watch) : 0;
      const result = await round(contenders[i], roundMs);
      // The INFO call itself counts once per server; leave it out.
      const after = options.watch ? (await commandCount(options.watch)) - serverCount(options.watch) : 0;
      totals[i].ops += result.ops;
      totals[i].elapsed += result.elapsed;
      totals[i].commands += after - before;
      for (const l of result.latencies) totals[i].latencies.push(l);
    }
  }
  const rows = figures(
    contenders.map((c, i) => ({
      name: c.concurrency && c.concurrency > 1 ? `${c.name} (x${c.concurrency})` : c.name,
      ops: totals[i].ops,
      elapsed: totals[i].elapsed,
      latencies: totals[i].latencies,
      commands: options.watch ? totals[i].commands : undefined,
    })),
  );
  return { title, rows };
}

/** Renders tables as Markdown. */
export function toMarkdown(tables: BenchTable[]): string {
  const out: string[] = [];
  for (const t of tables) {
    out.push(
      `### ${t.title}`,
      '',
      '| contender | ops/s | p50 µs | p99 µs | Redis cmds/op | ratio to first |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const r of t.rows) {
      const cmds = r.commandsPerOp === undefined ? '–' : r.commandsPerOp.toFixed(2);
      out.push(
        `| ${r.name} | ${Math.round(r.opsPerSec)} | ${r.p50Us.toFixed(1)} | ${r.p99Us.toFixed(1)} | ${cmds} | ${r.ratio.toFixed(2)}x |`,
      );
    }
    if (t.note) out.push('', t.note);
    out.push('');
  }
  return out.join('\n');
}

/** What every bench case module receives. */
export interface BenchContext {
  /** A loopback Redis just for the benchmark run. */
  redisUrl: string;
  /** A connection for watching command counts (do not use it in the measured operations). */
  watch: Redis;
}

/** A bench case module's default export. */
export type BenchCase = (ctx: BenchContext) => Promise<BenchTable[]>;

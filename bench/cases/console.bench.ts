import { compare, figures, type BenchCase, type BenchTable, type Figures, type Measured } from '../bench-kit';
import type { ReaderCounts } from '../support/console-reader';
import { httpContender, loadRound, startServerProcess } from '../support/http-load';
import { startLineWorker, type LineWorker } from '../support/line-worker';

const ROUND_MS = Number(process.env.BENCH_HTTP_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
/** The soak's length: 10 minutes is the goal's measure; a shortened run (e.g. 60000) gives a first figure. */
const SOAK_MS = Number(process.env.BENCH_CONSOLE_SOAK_MS ?? 600_000);
/** The length of one soak sample; the app's heap is sampled (after a full GC) after each pair. */
const SAMPLE_MS = 10_000;
const TOKEN = 'bench-console-token-0123456789';
const CONNECTIONS = 10;

/**
 * A console page reading everything the app streams, in a process of its own: a browser tab runs
 * on the person's machine, so its parsing must not take CPU from the load generator here.
 */
function openPage(base: string): Promise<LineWorker<ReaderCounts>> {
  return startLineWorker<ReaderCounts>('console-reader.ts', [`${base}/_larder/events`, TOKEN]);
}

async function heapUsed(base: string): Promise<number> {
  const response = await fetch(`${base}/heap`);
  return ((await response.json()) as { heapUsed: number }).heapUsed;
}

/** Least-squares slope of `ys` over `xs`. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const OFF = `console off (x${CONNECTIONS})`;
const ON = `console on, one page open (x${CONNECTIONS})`;

interface Soak {
  rows: Figures[];
  minutes: number;
  slopeKbPerMin: number;
  firstMb: number;
  lastMb: number;
}

/**
 * The soak: SOAK_MS of steady load on the console-on app with the page open, in SAMPLE_MS
 * samples, each right after one of the same length on the console-off app, so the latency the
 * goal speaks of is compared over the whole soak and drift on a shared machine hits both alike.
 * After each pair the app's heap is sampled after a full GC (both apps share the process).
 */
async function soak(urls: { off: string; on: string }): Promise<Soak> {
  const sides = [urls.off, urls.on];
  const measured: Measured[] = [OFF, ON].map((name) => ({ name, ops: 0, elapsed: 0, latencies: [] }));
  const sampleMs = Math.min(SAMPLE_MS, SOAK_MS);
  const times: number[] = [];
  const heaps: number[] = [];
  const started = Date.now();
  for (let loaded = 0; loaded < SOAK_MS; loaded += sampleMs) {
    for (let i = 0; i < sides.length; i++) {
      const result = await loadRound(`${sides[i]}/items/1`, CONNECTIONS, sampleMs);
      measured[i].ops += result.ops;
      measured[i].elapsed += result.elapsed;
      for (const l of result.latencies) measured[i].latencies.push(l);
    }
    times.push((Date.now() - started) / 60_000);
    heaps.push(await heapUsed(urls.on));
  }
  return {
    rows: figures(measured),
    minutes: (Date.now() - started) / 60_000,
    slopeKbPerMin: slope(times, heaps) / 1024,
    firstMb: heaps[0] / 2 ** 20,
    lastMb: heaps[heaps.length - 1] / 2 ** 20,
  };
}

/** How much higher `on`'s p50 and p99 are than `off`'s, as a sentence. */
function added(off: Figures, on: Figures): { p50: number; text: string } {
  const p50 = ((on.p50Us - off.p50Us) / off.p50Us) * 100;
  const text =
    `${p50.toFixed(1)} % at p50 (${off.p50Us.toFixed(0)} -> ${on.p50Us.toFixed(0)} µs), ` +
    `p99 ${off.p99Us.toFixed(0)} -> ${on.p99Us.toFixed(0)} µs`;
  return { p50, text };
}

/**
 * The cost of the console: requests/s and latency of a cached route (an L1 hit, so one cache
 * event per request) with the console off, and on with one page reading the stream, first in
 * short interleaved rounds, then over the soak, whose heap slope also says whether the console leaks.
 */
const consoleBench: BenchCase = async ({ redisUrl }) => {
  const servers = await startServerProcess<{ off: string; on: string }>(
    'console-servers.ts',
    [redisUrl, TOKEN],
    ['--expose-gc'],
  );
  const page = await openPage(servers.urls.on);
  try {
    const table = await compare(
      `HTTP requests/s of a cached route (Express, autocannon, ${CONNECTIONS} connections), console off and on`,
      [
        httpContender('console off', `${servers.urls.off}/items/1`, CONNECTIONS),
        httpContender('console on, one page open', `${servers.urls.on}/items/1`, CONNECTIONS),
      ],
      { rounds: ROUNDS, roundMs: ROUND_MS, warmupMs: 1000 },
    );
    table.note = `Latency added by the console in ${ROUNDS} rounds of ${ROUND_MS} ms: ${added(table.rows[0], table.rows[1]).text}.`;
    const s = await soak(servers.urls);
    const read = await page.ask('counts');
    if (read.events === 0)
      throw new Error('the console page received no events: the "on" rows measured nothing');
    const cost = added(s.rows[0], s.rows[1]);
    const shortened = SOAK_MS < 600_000 ? ', a shortened soak (the goal is measured over 10 minutes)' : '';
    const soakTable: BenchTable = {
      title: `The soak: ${(SOAK_MS / 60_000).toFixed(1)} min of load with the page open, each ${SAMPLE_MS / 1000} s sample after one with the console off`,
      rows: s.rows,
      note:
        `Latency added by the console over the soak: ${cost.text} ` +
        `(goal: under 5 %: ${cost.p50 < 5 ? 'met' : 'not met'}${shortened}). ` +
        `The page is a reader in its own process that parses every message as the page's script does: ` +
        `${read.events} events in ${read.batches} batches (${(read.bytes / 2 ** 20).toFixed(1)} MiB, ` +
        `${(read.cpuMs / 1000).toFixed(1)} s of its own CPU), ${read.dropped} dropped by the app for it (more events in one 100-ms batch than the buffer holds, or the page behind). ` +
        `Heap after GC over ${s.minutes.toFixed(1)} min: ${s.firstMb.toFixed(1)} -> ${s.lastMb.toFixed(1)} MiB, ` +
        `slope ${s.slopeKbPerMin.toFixed(0)} KiB/min (goal: flat).`,
    };
    return [table, soakTable];
  } finally {
    await page.close();
    await servers.stop();
  }
};

export default consoleBench;

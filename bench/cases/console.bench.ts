import autocannon from 'autocannon';
import { compare, type BenchCase } from '../bench-kit';
import type { ReaderCounts } from '../support/console-reader';
import { httpContender, startServerProcess } from '../support/http-load';
import { startLineWorker, type LineWorker } from '../support/line-worker';

const ROUND_MS = Number(process.env.BENCH_HTTP_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
/** The soak's length: 10 minutes is the goal's measure; a shortened run (e.g. 60000) gives a first figure. */
const SOAK_MS = Number(process.env.BENCH_CONSOLE_SOAK_MS ?? 600_000);
/** How often the soak samples the app's heap (after a full GC). */
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

/** Steady load on the app with a console page open for SOAK_MS, sampling its heap after GC. */
async function soak(
  base: string,
): Promise<{ slopeKbPerMin: number; firstMb: number; lastMb: number; requests: number }> {
  const times: number[] = [];
  const heaps: number[] = [];
  const started = Date.now();
  let requests = 0;
  while (Date.now() - started < SOAK_MS) {
    const result = await autocannon({
      url: `${base}/items/1`,
      connections: CONNECTIONS,
      duration: Math.min(SAMPLE_MS, SOAK_MS) / 1000,
    });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`soak: ${result.non2xx} non-2xx, ${result.errors} errors`);
    requests += result.requests.total;
    times.push((Date.now() - started) / 60_000);
    heaps.push(await heapUsed(base));
  }
  return {
    slopeKbPerMin: slope(times, heaps) / 1024,
    firstMb: heaps[0] / 2 ** 20,
    lastMb: heaps[heaps.length - 1] / 2 ** 20,
    requests,
  };
}

/**
 * The cost of the console: requests/s and latency of a cached route (an L1 hit, so one cache
 * event per request) with the console off, and on with one page reading the stream; then a soak
 * at steady load with the page open, whose heap slope says whether the console leaks.
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
    const s = await soak(servers.urls.on);
    const read = await page.ask('counts');
    if (read.events === 0)
      throw new Error('the console page received no events: the "on" rows measured nothing');
    const [off, on] = table.rows;
    const addedP50 = ((on.p50Us - off.p50Us) / off.p50Us) * 100;
    const verdict = addedP50 < 5 ? 'met' : 'not met';
    table.note =
      `Latency added by the console: ${addedP50.toFixed(1)} % at p50 (${off.p50Us.toFixed(0)} -> ${on.p50Us.toFixed(0)} µs; ` +
      `goal: under 5 %, ${verdict}${SOAK_MS < 600_000 ? ' in this shortened run' : ''}), ` +
      `p99 ${off.p99Us.toFixed(0)} -> ${on.p99Us.toFixed(0)} µs. The page is a reader in its own process ` +
      `that parses every message as the page's script does: ${read.events} events in ${read.batches} batches ` +
      `(${(read.bytes / 2 ** 20).toFixed(1)} MiB, ${(read.cpuMs / 1000).toFixed(1)} s of its own CPU), ` +
      `${read.dropped} dropped by the app for it. ` +
      `Soak, ${(SOAK_MS / 60_000).toFixed(1)} min at steady load with the page open (${s.requests} requests): ` +
      `heap after GC ${s.firstMb.toFixed(1)} -> ${s.lastMb.toFixed(1)} MiB, ` +
      `slope ${s.slopeKbPerMin.toFixed(0)} KiB/min (goal: flat).`;
    return [table];
  } finally {
    await page.close();
    await servers.stop();
  }
};

export default consoleBench;

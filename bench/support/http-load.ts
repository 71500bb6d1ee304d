import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import type { Contender, RoundResult } from '../bench-kit';

/**
 * A contender whose round is `connections` keep-alive connections of autocannon hammering `url`
 * for the round's length. Latencies are taken from every response (autocannon's own histogram
 * keeps whole milliseconds only); any non-2xx answer or socket error fails the case.
 */
export function httpContender(name: string, url: string, connections: number): Contender {
  return { name, concurrency: connections, run: (ms) => loadRound(url, connections, ms) };
}

/** One round of `connections` connections loading `url` for `ms` (see httpContender). */
export async function loadRound(url: string, connections: number, ms: number): Promise<RoundResult> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: ms / 1000 }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs * 1000);
    });
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(
      `${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts: the figures are not comparable`,
    );
  return { ops: latencies.length, elapsed: result.duration * 1000, latencies };
}

/** The bench's HTTP apps (bench/support/http-servers.ts), running in a child process. */
export interface HttpServers {
  urls: Record<'larderRedis' | 'larderMemory' | 'throttlerRedis' | 'throttlerMemory', string>;
  stop(): Promise<void>;
}

export function startHttpServers(redisUrl: string): Promise<HttpServers> {
  return startServerProcess<HttpServers['urls']>('http-servers.ts', [redisUrl]);
}

/**
 * Runs `script` (a file of bench/support/) in a child process with `args` and resolves once it
 * printed its first line, the JSON of its apps' URLs; `stop()` closes its stdin and waits for it
 * to exit. `nodeArgs` go to node itself (e.g. `--expose-gc`).
 */
export async function startServerProcess<U>(
  script: string,
  args: string[],
  nodeArgs: string[] = [],
): Promise<{ urls: U; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, '-r', '@swc-node/register', join(__dirname, script), ...args],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = once(child, 'exit');
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    exited.then(([code]) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
  const urls = JSON.parse(await firstLine) as U;
  return {
    urls,
    async stop() {
      child.stdin!.end();
      await exited;
    },
  };
}

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A bench worker process that answers each line written to it with one JSON line. */
export interface LineWorker<Reply> {
  ask(line: string): Promise<Reply>;
  /** Ends its input (the worker then closes its modules and exits) and waits for the exit. */
  close(): Promise<void>;
}

/**
 * Starts `bench/support/<script>` with `args` (TypeScript through @swc-node/register) and waits
 * for its `ready` line: the processes of a case start their modules before any round is timed.
 */
export async function startLineWorker<Reply>(script: string, args: string[]): Promise<LineWorker<Reply>> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await iterator.next();
    if (done) throw new Error(`${script} exited early`);
    return value as string;
  };
  if ((await next()) !== 'ready') throw new Error(`${script} did not start`);
  return {
    ask: async (line) => {
      child.stdin!.write(`${line}\n`);
      return JSON.parse(await next()) as Reply;
    },
    close: async () => {
      child.stdin!.end();
      lines.close();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

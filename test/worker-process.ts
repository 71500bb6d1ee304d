import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testRedisUrl } from './test-helpers';

const ROOT = join(__dirname, '..');

/**
 * Starts a test/ script in its own Node process (TypeScript through @swc-node/register), given the
 * test Redis and `env`; `stdin: 'pipe'` for workers that wait for a signal to start.
 */
export function startWorker(
  script: string,
  mode: string,
  env: Record<string, string>,
  stdin: 'pipe' | 'ignore' = 'ignore',
): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', join('test', script), mode], {
    cwd: ROOT,
    env: { ...process.env, LARDER_TEST_REDIS_URL: testRedisUrl(), ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
}

/** Resolves with everything the process printed once it exits with code 0. */
export function outputOf(child: ChildProcess): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`worker exited with ${code}: ${stderr}`)),
    );
  });
}

/** Kills (SIGKILL) every child still running, and empties the list. */
export function killAll(children: ChildProcess[]): void {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

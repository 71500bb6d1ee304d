import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every redis-server a topology starts is recorded here by PID, so that none outlives the test run:
 *
 * - while a jest worker runs, the live children are SIGKILLed when it exits, even when a spec file
 *   fails before its own teardown;
 * - each PID is also written to the run directory that jest globalSetup creates
 *   (`LARDER_TOPOLOGY_RUN_DIR`), so globalTeardown kills by PID what a crashed worker (killed,
 *   out of memory) could not.
 */
const RUN_DIR_ENV = 'LARDER_TOPOLOGY_RUN_DIR';

const live = new Set<number>();

/** 'exit' handlers must be synchronous: process.kill is. */
function killLive(): void {
  for (const pid of live) killQuietly(pid);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Whether a process exists (a zombie not yet reaped by its parent included). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Records a started process: killed on exit of this process, and by globalTeardown. */
export function registerProcess(pid: number, description: string): void {
  // Listening only while something runs: a jest worker loads this module once per spec file, and
  // a listener left per file would pile up on the one process.
  if (live.size === 0) process.on('exit', killLive);
  live.add(pid);
  const dir = process.env[RUN_DIR_ENV];
  if (dir) writeFileSync(join(dir, String(pid)), description);
}

/** Forgets a process once it has exited. */
export function unregisterProcess(pid: number): void {
  if (live.delete(pid) && live.size === 0) process.off('exit', killLive);
  const dir = process.env[RUN_DIR_ENV];
  if (dir) rmSync(join(dir, String(pid)), { force: true });
}

/** Creates the run directory (jest globalSetup) and publishes it to the workers through the env. */
export function createRunDirectory(path: string): void {
  mkdirSync(path, { recursive: true });
  process.env[RUN_DIR_ENV] = path;
}

/** Whether a PID still names a redis-server (not a PID the system has since given to another program). */
function isRedisServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-');
  } catch {
    // No /proc (macOS): trust the record, which only ever names processes this run started.
    return isRunning(pid);
  }
}

/**
 * Kills (SIGKILL) every process recorded in a run directory (by default this run's) and removes
 * the directory (jest globalTeardown).
 * Returns the PIDs that were still running: processes some spec file left behind.
 */
export function killRecordedProcesses(dir = process.env[RUN_DIR_ENV]): number[] {
  if (!dir) return [];
  const leftovers: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || !isRedisServer(pid)) continue;
    leftovers.push(pid);
    killQuietly(pid);
  }
  rmSync(dir, { recursive: true, force: true });
  return leftovers;
}

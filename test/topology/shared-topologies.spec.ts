import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { isRunning, killRecordedProcesses } from './process-registry';
import { parseInfo, waitUntil } from './redis-admin';
import { testClusterNodes, testSentinel } from './shared-topologies';

/** The topologies jest globalSetup starts for the whole run: reachable from every worker, untouched. */
describe('shared topologies from globalSetup', () => {
  it('serves a 3-master cluster at LARDER_TEST_CLUSTER_NODES', async () => {
    const client = new Cluster(testClusterNodes());
    try {
      expect(testClusterNodes()).toHaveLength(6);
      const info = parseInfo(await client.cluster('INFO'));
      expect(info.get('cluster_state')).toBe('ok');
      expect(info.get('cluster_size')).toBe('3');
      const key = `shared:${process.pid}:${Date.now()}`;
      await client.set(key, 'v', 'PX', 60_000);
      expect(await client.get(key)).toBe('v');
    } finally {
      client.disconnect();
    }
  });

  it('serves a Sentinel group at LARDER_TEST_SENTINELS', async () => {
    const { sentinels, name } = testSentinel();
    const client = new Redis({ sentinels, name });
    try {
      expect(sentinels).toHaveLength(3);
      expect(((await client.call('ROLE')) as unknown[])[0]).toBe('master');
      const key = `shared:${process.pid}:${Date.now()}`;
      await client.set(key, 'v', 'PX', 60_000);
      expect(await client.get(key)).toBe('v');
    } finally {
      client.disconnect();
    }
  });
});

/** Starts node-owner-worker.ts and resolves with the PID of the redis-server it started. */
function startOwner(
  mode: 'crash' | 'hang',
  dir: string,
  runDir: string,
): Promise<{ owner: ChildProcess; pid: number }> {
  const owner = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'node-owner-worker.ts'), mode, dir],
    {
      env: { ...process.env, LARDER_TOPOLOGY_RUN_DIR: runDir },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    owner.stdout!.on('data', (data) => {
      out += data;
      const match = /pid (\d+)/.exec(out);
      if (match) resolve({ owner, pid: Number(match[1]) });
    });
    owner.once('exit', (code) =>
      reject(new Error(`the owner exited with ${code} before starting redis-server`)),
    );
  });
}

function exited(owner: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    owner.exitCode !== null || owner.signalCode !== null ? resolve() : owner.once('exit', () => resolve()),
  );
}

describe('process bookkeeping', () => {
  let root: string;
  let runDir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'larder-owner-test-'));
    runDir = join(root, 'run');
    mkdirSync(runDir);
  });

  afterEach(() => {
    killRecordedProcesses(runDir);
    rmSync(root, { recursive: true, force: true });
  });

  it('kills the servers of a process that exits on an uncaught error', async () => {
    const { owner, pid } = await startOwner('crash', join(root, 'node'), runDir);
    await exited(owner);
    await waitUntil('the orphaned redis-server to be gone', async () => (isRunning(pid) ? undefined : true), {
      timeoutMs: 10_000,
    });
    expect(isRunning(pid)).toBe(false);
  }, 30_000);

  it('lets globalTeardown kill by PID the servers of a process killed outright', async () => {
    const { owner, pid } = await startOwner('hang', join(root, 'node'), runDir);
    owner.kill('SIGKILL');
    await exited(owner);
    // SIGKILL runs no exit handler: the server survives its owner...
    expect(isRunning(pid)).toBe(true);
    // ...until the run directory is swept, as globalTeardown does.
    expect(killRecordedProcesses(runDir)).toEqual([pid]);
    await waitUntil('the orphaned redis-server to be gone', async () => (isRunning(pid) ? undefined : true), {
      timeoutMs: 10_000,
    });
    expect(existsSync(runDir)).toBe(false);
  }, 30_000);
});

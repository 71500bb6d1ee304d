import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { registerProcess, unregisterProcess } from './topology/process-registry';

/** A private redis-server for tests: no persistence, loopback only, and stoppable for fault tests. */
export interface RedisServerHandle {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: no goodbye to clients, like a crash) and waits until it is gone. */
  stop(): Promise<void>;
  /**
   * Starts it again on the same port (empty, as after a crash without persistence), killing it
   * first if it still runs: a second process could not bind the port and would exit, leaving the
   * handle on a dead process while the first one ran on, never stopped, past the test run.
   */
  restart(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP): the kernel still accepts connections, but nothing is answered,
   * so a client connecting now stays mid-handshake until `resume()`.
   */
  pause(): void;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
}

const HOW_TO_GET_REDIS =
  'No redis-server found and REDIS_URL is not set. Install one (Debian/Ubuntu: `apt-get install redis-server`, ' +
  'macOS: `brew install redis`) or start one with `docker compose up -d redis` and set REDIS_URL=redis://127.0.0.1:6379.';

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

function launch(port: number, busPort: number | undefined): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--protected-mode', 'no');
  // A one-node cluster: enough for ioredis' Cluster client and for CROSSSLOT rules to apply. Its
  // bus port is set explicitly: the default (port + 10000) overflows for high ephemeral ports.
  if (busPort) {
    args.push(
      '--cluster-enabled',
      'yes',
      '--cluster-port',
      String(busPort),
      '--cluster-announce-ip',
      '127.0.0.1',
    );
    args.push('--cluster-config-file', `larder-nodes-${port}.conf`, '--dir', tmpdir());
  }
  const child = spawn('redis-server', args, { stdio: 'ignore', detached: false });
  child.unref();
  // Recorded by PID like the topology nodes: a spec file that never stops its server (or a worker
  // that crashes) does not leave it running after the test run.
  const pid = child.pid;
  if (pid !== undefined) {
    registerProcess(pid, `redis-server 127.0.0.1:${port}`);
    child.once('exit', () => unregisterProcess(pid));
  }
  return child;
}

/** Sends one inline command and resolves with the first reply line. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => socket.write(`${line}\r\n`));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().split('\r\n')[0]);
    });
  });
}

/**
 * Starts a private redis-server on a free loopback port and waits until it answers PING. With
 * `cluster: true` it is a one-node Redis Cluster owning all 16384 slots.
 */
export async function startRedisServer(options: { cluster?: boolean } = {}): Promise<RedisServerHandle> {
  if (!hasRedisServer()) throw new Error(HOW_TO_GET_REDIS);
  const cluster = options.cluster ?? false;
  const port = await freePort();
  const busPort = cluster ? await freePort() : undefined;
  let child = launch(port, busPort);
  await waitFor(() => answersPing(port), `redis-server on port ${port}`);
  if (cluster) {
    await command(port, 'CLUSTER ADDSLOTSRANGE 0 16383');
    await waitFor(() => clusterOk(port), 'cluster_state:ok');
  }
  async function stop(): Promise<void> {
    const exited = new Promise<void>((resolve) =>
      // Killed by a signal, a child has a signalCode and no exitCode: stopping twice must not wait.
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    // The child is unref'd so it never keeps a test run alive; while stopping, it must, or a
    // script with nothing else pending would exit before the 'exit' event arrives.
    child.ref();
    child.kill('SIGKILL');
    await exited;
    await waitFor(async () => !(await answersPing(port)), `redis-server on port ${port} to stop`);
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart() {
      await stop();
      child = launch(port, busPort);
      await waitFor(() => answersPing(port), `redis-server on port ${port} to restart`);
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
  };
}

/** CLUSTER INFO is a bulk reply: read it whole to find cluster_state. */
function clusterOk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let text = '';
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => socket.write('CLUSTER INFO\r\n'));
    socket.on('data', (data) => {
      text += data.toString();
      if (text.includes('cluster_state:')) {
        socket.destroy();
        resolve(text.includes('cluster_state:ok'));
      }
    });
  });
}

export { HOW_TO_GET_REDIS };

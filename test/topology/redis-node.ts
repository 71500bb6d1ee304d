import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../redis-server';
import { registerProcess, unregisterProcess } from './process-registry';
import { LOOPBACK, tryAdminCall, waitUntil } from './redis-admin';

/**
 * Topology ports come from below the ephemeral range (Linux 32768+, macOS 49152+), where no
 * `listen(0)` and no outgoing connection ever lands. The single-server fault tests free their port
 * while Redis is stopped and take it back on restart; a topology node started meanwhile through
 * freePort() could take it instead (ports handed out by `listen(0)` come round again within about a
 * hundred allocations), and the restarted client would then talk to a cluster node. Likewise a
 * killed topology node keeps its port free for its own restart. The pick is random so concurrent
 * workers seldom try the same port, and checked by binding it.
 */
const TOPOLOGY_PORTS = { from: 20_000, to: 32_000 };

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

async function topologyPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = TOPOLOGY_PORTS.from + Math.floor(Math.random() * (TOPOLOGY_PORTS.to - TOPOLOGY_PORTS.from));
    if (await canListen(port)) return port;
  }
  return freePort();
}

/** How long a redis-server may take to answer its first PING (a loaded CI machine is slow to fork). */
const START_TIMEOUT_MS = 15_000;
/** Attempts at starting on free ports: another program can take one between the check and the bind. */
const PORT_ATTEMPTS = 3;

export interface RedisNodeOptions {
  /** A name for messages: `master-1`, `replica-2`, `sentinel-3`. */
  name: string;
  /** This node's own directory: its log, cluster config or sentinel config live there. */
  dir: string;
  /** Whether it is a cluster node (it then gets a cluster bus port). */
  cluster?: boolean;
  /**
   * The redis-server arguments after the common ones (port, bind, no persistence, dir, log); a
   * sentinel passes its config file first and `--sentinel`. Called again on every (re)start.
   */
  args: (node: RedisNode) => string[];
}

/** One redis-server (or sentinel) process on a loopback port, with the fault operations on its PID. */
export class RedisNode {
  readonly name: string;
  readonly host = LOOPBACK;
  port = 0;
  /** Cluster bus port, set explicitly: the default (port + 10000) overflows for high ports. */
  busPort = 0;
  private child: ChildProcess | undefined;
  private paused = false;

  constructor(private readonly options: RedisNodeOptions) {
    this.name = options.name;
    mkdirSync(options.dir, { recursive: true });
  }

  /** `127.0.0.1:port`, as ioredis and redis-cli take it. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** The PID while the process runs (also while paused), undefined once it exited. */
  get pid(): number | undefined {
    return this.child && this.child.exitCode === null && this.child.signalCode === null
      ? this.child.pid
      : undefined;
  }

  get isPaused(): boolean {
    return this.paused && this.pid !== undefined;
  }

  /** Starts the process on free ports and waits until it answers PING. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await topologyPort();
      if (this.options.cluster) this.busPort = await topologyPort();
      try {
        await this.launch();
        return;
      } catch (error) {
        if (attempt >= PORT_ATTEMPTS || !/already in use/i.test(this.logTail())) throw error;
      }
    }
  }

  /** SIGKILL, like a crash: no goodbye to clients, nothing flushed. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The child is unref'd so it never keeps a test run alive; while it is being killed, it must,
    // or a script with nothing else pending would exit before the 'exit' event arrives.
    child.ref();
    child.kill('SIGKILL');
    await exited;
    this.paused = false;
  }

  /**
   * SIGSTOP: the process hangs without closing anything. The kernel still accepts connections and
   * buffers writes, so a client sees a stuck server, not a dead one, until `resume()`.
   */
  pause(): void {
    if (this.pid === undefined) throw new Error(`${this.name} is not running, so it cannot be paused`);
    this.child!.kill('SIGSTOP');
    this.paused = true;
  }

  /** SIGCONT: a paused process runs again. */
  resume(): void {
    if (this.pid === undefined) throw new Error(`${this.name} is not running, so it cannot be resumed`);
    this.child!.kill('SIGCONT');
    this.paused = false;
  }

  /**
   * Starts the process again on the same ports (killing it first if it still runs). Without
   * persistence it comes back empty; a cluster node keeps its identity through its nodes.conf.
   */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  /** The last lines of this node's log, for error messages. */
  logTail(lines = 15): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private get logFile(): string {
    return join(this.options.dir, 'redis.log');
  }

  private async launch(): Promise<void> {
    const common = ['--port', String(this.port), '--bind', LOOPBACK, '--protected-mode', 'no'];
    common.push('--save', '', '--appendonly', 'no', '--dir', this.options.dir, '--logfile', this.logFile);
    if (this.options.cluster) common.push('--cluster-port', String(this.busPort));
    // A sentinel takes its config file as the first argument, so the node's own arguments go first.
    const child = spawn('redis-server', [...this.options.args(this), ...common], { stdio: 'ignore' });
    child.unref();
    this.child = child;
    this.paused = false;
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${this.name}: redis-server could not be spawned`);
    registerProcess(pid, `${this.name} ${this.address}`);
    child.once('exit', () => unregisterProcess(pid));
    await waitUntil(
      `${this.name} (redis-server on ${this.address}) to answer PING`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `${this.name} (redis-server on ${this.address}) exited at start:\n${this.logTail()}`,
          );
        }
        return (await tryAdminCall(this.port, 'PING')) === 'PONG' ? true : undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 20 },
    );
  }
}

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServer, HOW_TO_GET_REDIS } from '../redis-server';
import { adminCall, tryAdminCall, waitUntil } from './redis-admin';
import type { HostPort } from './redis-cluster';
import { RedisNode } from './redis-node';
import { agreedMasterPort, sentinelGroupProblem } from './sentinel-views';

export interface SentinelGroupOptions {
  /** The name the sentinels monitor the master under (ioredis' `name`). Default `larder`. */
  masterName?: string;
  /**
   * `down-after-milliseconds`: how long the master may not answer before a failover. Default 2000 ms:
   * failover within seconds, yet no false failover when a loaded machine stalls a process.
   */
  downAfterMs?: number;
  /** `failover-timeout`: how long one failover attempt may take before another is tried. Default 5000 ms. */
  failoverTimeoutMs?: number;
  /** How long start-up, promotions and rejoins may take. Default 30 s. */
  timeoutMs?: number;
}

const SENTINELS = 3;
const QUORUM = 2;

/**
 * A Sentinel group of real processes on loopback ports: one master, one replica and three
 * sentinels (quorum 2), no persistence, every process in its own temporary directory.
 *
 * @example
 * const group = await startSentinelGroup();
 * const client = new Redis({ sentinels: group.sentinelAddresses(), name: group.masterName });
 * const master = await group.master();
 * await group.kill(master);
 * const promoted = await group.waitForPromotion(master);
 * await group.teardown();
 */
export class SentinelGroup {
  private constructor(
    readonly masterName: string,
    /** The two data nodes: the master at start, then its replica. Their roles change on failover. */
    readonly dataNodes: [RedisNode, RedisNode],
    readonly sentinels: RedisNode[],
    /** Whom a data node replicates when it (re)starts. */
    private readonly replicaOf: Map<RedisNode, RedisNode>,
    private readonly root: string,
    private readonly timeoutMs: number,
  ) {}

  /** Starts master and replica, then the sentinels, and waits until every sentinel knows the whole group. */
  static async start(options: SentinelGroupOptions = {}): Promise<SentinelGroup> {
    if (!hasRedisServer()) throw new Error(HOW_TO_GET_REDIS);
    const name = options.masterName ?? 'larder';
    const root = mkdtempSync(join(tmpdir(), 'larder-sentinel-'));
    const replicaOf = new Map<RedisNode, RedisNode>();
    const dataArgs = (node: RedisNode) => {
      const target = replicaOf.get(node);
      const replication = target ? ['--replicaof', target.host, String(target.port)] : [];
      return ['--repl-diskless-sync-delay', '0', ...replication];
    };
    const master = new RedisNode({ name: 'master', dir: join(root, 'master'), args: dataArgs });
    const replica = new RedisNode({ name: 'replica', dir: join(root, 'replica'), args: dataArgs });
    replicaOf.set(replica, master);
    const sentinels = Array.from({ length: SENTINELS }, (_, i) => {
      const dir = join(root, `sentinel-${i + 1}`);
      const config = join(dir, 'sentinel.conf');
      return new RedisNode({
        name: `sentinel-${i + 1}`,
        dir,
        args: () => {
          // Written once: the sentinel rewrites it with what it learns (current master, peers), and
          // a restarted sentinel resumes from that.
          if (!existsSync(config)) {
            const lines = [
              `sentinel monitor ${name} ${master.host} ${master.port} ${QUORUM}`,
              `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 2000}`,
              `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
              `sentinel parallel-syncs ${name} 1`,
            ];
            writeFileSync(config, `${lines.join('\n')}\n`);
          }
          return [config, '--sentinel'];
        },
      });
    });
    const group = new SentinelGroup(
      name,
      [master, replica],
      sentinels,
      replicaOf,
      root,
      options.timeoutMs ?? 30_000,
    );
    try {
      await master.start();
      await replica.start();
      await Promise.all(sentinels.map((sentinel) => sentinel.start()));
      await group.waitUntilHealthy();
      return group;
    } catch (error) {
      await group.teardown();
      throw error;
    }
  }

  /** The sentinels' addresses, for ioredis' `sentinels` option. */
  sentinelAddresses(): HostPort[] {
    return this.sentinels.map((node) => ({ host: node.host, port: node.port }));
  }

  /** The data node the answering sentinels agree is the master now. */
  async master(): Promise<RedisNode> {
    const port = await this.agreedMasterPort();
    if (port === undefined) throw new Error(`the sentinels do not agree on a master for ${this.masterName}`);
    return this.dataNode(port);
  }

  /** The data node that is not the master. */
  async replica(): Promise<RedisNode> {
    const master = await this.master();
    return this.dataNodes.find((node) => node !== master)!;
  }

  /** SIGKILL a data node or a sentinel. */
  kill(node: RedisNode): Promise<void> {
    return node.kill();
  }

  /** SIGSTOP a data node or a sentinel: a paused master is failed over after `down-after-milliseconds`. */
  pause(node: RedisNode): void {
    node.pause();
  }

  /** SIGCONT a paused node. A failed-over master is then turned into a replica by the sentinels. */
  resume(node: RedisNode): void {
    node.resume();
  }

  /**
   * Starts a killed node again (same port, no data) and waits until the group is whole again. A
   * data node the sentinels no longer see as master comes back as a replica of the current master,
   * as an operator would start it: coming back as an empty master, it could be elected again in a
   * later failover and wipe the data of the group.
   */
  async restart(node: RedisNode): Promise<void> {
    if (this.dataNodes.includes(node)) {
      const master = await this.master();
      if (master === node) this.replicaOf.delete(node);
      else this.replicaOf.set(node, master);
    }
    await node.restart();
    await this.waitUntilHealthy();
  }

  /** SENTINEL FAILOVER (no agreement needed) and waits until the replica is the master; resolves with it. */
  async failover(): Promise<RedisNode> {
    const old = await this.master();
    await adminCall(this.reachableSentinels()[0].port, 'SENTINEL', 'FAILOVER', this.masterName);
    return this.waitForPromotion(old);
  }

  /**
   * Waits until every answering sentinel names a master other than `oldMaster`, and that node says
   * it is a master; resolves with it.
   */
  async waitForPromotion(oldMaster: RedisNode, timeoutMs = this.timeoutMs): Promise<RedisNode> {
    let last = '';
    const port = await waitUntil(
      `the sentinels to promote a master other than ${oldMaster.name}`,
      async () => {
        const agreed = await this.agreedMasterPort((seen) => (last = seen));
        if (agreed === undefined || agreed === oldMaster.port) return undefined;
        const role = await tryAdminCall(agreed, 'ROLE');
        return Array.isArray(role) && role[0] === 'master' ? agreed : undefined;
      },
      { timeoutMs, describeLast: () => last },
    );
    return this.dataNode(port);
  }

  /** Waits until the group is whole: see sentinelGroupProblem. */
  async waitUntilHealthy(timeoutMs = this.timeoutMs): Promise<void> {
    let last = '';
    await waitUntil(
      `sentinels to know master, replica and each other for ${this.masterName}`,
      async () => {
        const port = await this.agreedMasterPort((seen) => (last = seen));
        if (port === undefined) return undefined;
        const replicas = this.dataNodes.filter(
          (node) => node.port !== port && node.pid !== undefined && !node.isPaused,
        );
        const group = { name: this.masterName, sentinels: this.sentinels, replicas };
        const problem = await sentinelGroupProblem(
          { ...group, reachableSentinels: this.reachableSentinels() },
          port,
        );
        last = problem ?? '';
        return problem === undefined ? true : undefined;
      },
      { timeoutMs, describeLast: () => last },
    );
  }

  /** Kills every process of the group (SIGKILL) and removes its directories. */
  async teardown(): Promise<void> {
    await Promise.all([...this.dataNodes, ...this.sentinels].map((node) => node.kill()));
    rmSync(this.root, { recursive: true, force: true });
  }

  private reachableSentinels(): RedisNode[] {
    return this.sentinels.filter((node) => node.pid !== undefined && !node.isPaused);
  }

  private agreedMasterPort(report?: (seen: string) => void): Promise<number | undefined> {
    return agreedMasterPort(this.reachableSentinels(), this.masterName, report);
  }

  private dataNode(port: number): RedisNode {
    const node = this.dataNodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`the sentinels name ${port}, which is not a data node of this group`);
    return node;
  }
}

/** Starts a Sentinel group: see SentinelGroup. */
export function startSentinelGroup(options?: SentinelGroupOptions): Promise<SentinelGroup> {
  return SentinelGroup.start(options);
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServer, HOW_TO_GET_REDIS } from '../redis-server';
import { formCluster } from './cluster-bootstrap';
import { waitForSlotsMoved, waitUntilClusterHealthy } from './cluster-health';
import { ClusterMembership } from './cluster-membership';
import { isHealthyMaster, ownerOfSlot } from './cluster-nodes';
import { adminCall } from './redis-admin';
import { RedisNode } from './redis-node';

export interface RedisClusterOptions {
  /** Masters, each owning a contiguous third (for 3) of the slots. Default 3. */
  masters?: number;
  /** Replicas per master: 1 (the default; failover tests need them) or 0 (benchmarks measuring the masters alone). */
  replicas?: 0 | 1;
  /**
   * `cluster-node-timeout`: how long a node may be unreachable before the others fail it over.
   * Default 2000 ms: failover within seconds, yet no false failover when a loaded machine stalls
   * a process for a moment.
   */
  nodeTimeoutMs?: number;
  /** `cluster-require-full-coverage` (Redis' default: yes, the whole cluster refuses queries while a slot is down). */
  requireFullCoverage?: boolean;
  /** How long start-up, promotions and rejoins may take. Default 30 s. */
  timeoutMs?: number;
}

/** How a test reaches the cluster: `new Cluster(startupNodes)` or Larder's `redis: { nodes }`. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * A Redis Cluster of real redis-server processes on loopback ports: `masters` masters with one
 * replica each (or none), no persistence, every node in its own temporary directory.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const client = new Cluster(cluster.startupNodes());
 * const master = await cluster.masterOfKey('user:1');
 * await cluster.kill(master);
 * const promoted = await cluster.waitForPromotion(master);
 * await cluster.teardown();
 */
export class RedisCluster {
  private readonly members: ClusterMembership;

  private constructor(
    readonly nodes: RedisNode[],
    private readonly root: string,
    private readonly timeoutMs: number,
  ) {
    this.members = new ClusterMembership(nodes);
  }

  /** Starts the processes, assigns slots, joins the nodes and waits until every node reports `cluster_state:ok`. */
  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    if (!hasRedisServer()) throw new Error(HOW_TO_GET_REDIS);
    const masters = options.masters ?? 3;
    const root = mkdtempSync(join(tmpdir(), 'larder-cluster-'));
    const args = [
      ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
      ...['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 2000)],
      ...['--cluster-announce-ip', '127.0.0.1'],
      // A replica takes over however long its master link was down (a paused master included).
      ...['--cluster-replica-validity-factor', '0'],
      ...['--cluster-allow-replica-migration', 'no'],
      // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
      ...['--repl-diskless-sync-delay', '0'],
      ...['--cluster-require-full-coverage', options.requireFullCoverage === false ? 'no' : 'yes'],
    ];
    const nodes = Array.from({ length: masters * (1 + (options.replicas ?? 1)) }, (_, i) => {
      const name = i < masters ? `master-${i + 1}` : `replica-${i - masters + 1}`;
      return new RedisNode({ name, dir: join(root, name), cluster: true, args: () => args });
    });
    const cluster = new RedisCluster(nodes, root, options.timeoutMs ?? 30_000);
    try {
      await Promise.all(nodes.map((node) => node.start()));
      await formCluster(cluster.members, masters, cluster.timeoutMs);
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await cluster.teardown();
      throw error;
    }
  }

  /** Every node's address, for `new Cluster(...)` or Larder's `redis: { nodes }`. */
  startupNodes(): HostPort[] {
    return this.nodes.map((node) => ({ host: node.host, port: node.port }));
  }

  /** The nodes serving slots as masters now, as the running nodes see the cluster. */
  async masters(): Promise<RedisNode[]> {
    const views = await this.members.view();
    return views.filter((v) => isHealthyMaster(v) && v.slots.length > 0).map((v) => this.members.byId(v.id));
  }

  /** The nodes replicating a master now. */
  async replicas(): Promise<RedisNode[]> {
    const views = await this.members.view();
    return views.filter((v) => v.flags.has('slave')).map((v) => this.members.byId(v.id));
  }

  /** The replica of `master` (the first, with one replica per master). */
  async replicaOf(master: RedisNode): Promise<RedisNode> {
    const views = await this.members.view();
    const replica = views.find((v) => v.masterId === this.members.idOf(master) && !v.flags.has('fail'));
    if (!replica) throw new Error(`${master.name} has no replica`);
    return this.members.byId(replica.id);
  }

  /** The slot of a key (CLUSTER KEYSLOT, so hash tags count exactly as Redis counts them). */
  async slotOf(key: string): Promise<number> {
    return Number(await adminCall(this.members.reachable()[0].port, 'CLUSTER', 'KEYSLOT', key));
  }

  /** The master serving `slot` now. */
  async masterOfSlot(slot: number): Promise<RedisNode> {
    const owner = ownerOfSlot(await this.members.view(), slot);
    if (!owner) throw new Error(`no master serves slot ${slot}`);
    return this.members.byId(owner.id);
  }

  /** The master serving `key` now. */
  async masterOfKey(key: string): Promise<RedisNode> {
    return this.masterOfSlot(await this.slotOf(key));
  }

  /** SIGKILL a node (see RedisNode.kill). */
  kill(node: RedisNode): Promise<void> {
    return node.kill();
  }

  /** SIGSTOP a node: the cluster fails it over after `cluster-node-timeout` if it is a master. */
  pause(node: RedisNode): void {
    node.pause();
  }

  /** SIGCONT a paused node. A failed-over master then rejoins as a replica. */
  resume(node: RedisNode): void {
    node.resume();
  }

  /**
   * Starts a killed node again (same ports, same node id, no data) and waits until the cluster is
   * whole again: a failed-over master comes back as the replica of its successor and syncs.
   */
  async restart(node: RedisNode): Promise<void> {
    await node.restart();
    await this.waitUntilHealthy();
  }

  /**
   * CLUSTER FAILOVER on a replica (`FORCE` when its master is down, `TAKEOVER` without the other
   * masters' agreement) and waits until it serves its master's slots; resolves with it.
   */
  async failover(replica: RedisNode, mode?: 'FORCE' | 'TAKEOVER'): Promise<RedisNode> {
    const views = await this.members.view();
    const masterId = views.find((v) => v.id === this.members.idOf(replica))?.masterId;
    if (!masterId) throw new Error(`${replica.name} is not a replica`);
    await adminCall(replica.port, 'CLUSTER', 'FAILOVER', ...(mode ? [mode] : []));
    return this.waitForPromotion(this.members.byId(masterId));
  }

  /**
   * Waits until the slots `oldMaster` served are served by another node that every running node
   * agrees on, and every running node reports `cluster_state:ok`; resolves with the new master.
   * `oldMaster` is a master as of the last time the cluster was seen whole (start, restart,
   * waitUntilHealthy, an earlier promotion), so it may be called any time after the fault, even
   * once the promotion is over.
   */
  async waitForPromotion(oldMaster: RedisNode, timeoutMs = this.timeoutMs): Promise<RedisNode> {
    return waitForSlotsMoved(this.members, oldMaster, timeoutMs);
  }

  /**
   * Waits until every running node reports `cluster_state:ok` with all slots served, every running
   * replica's link to its master is up, and every running node sees the same masters and the same
   * master for each replica (so `replicaOf()` finds it whichever node it asks).
   */
  async waitUntilHealthy(timeoutMs = this.timeoutMs): Promise<void> {
    await waitUntilClusterHealthy(this.members, timeoutMs);
  }

  /** Kills every process of the cluster (SIGKILL) and removes its directories. */
  async teardown(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Starts a cluster: see RedisCluster. */
export function startRedisCluster(options?: RedisClusterOptions): Promise<RedisCluster> {
  return RedisCluster.start(options);
}

import { isHealthyMaster, parseClusterNodes, type ClusterNodeView } from './cluster-nodes';
import { tryAdminCall } from './redis-admin';
import type { RedisNode } from './redis-node';

/** The nodes of one cluster and their cluster ids: who is who in a CLUSTER NODES reply. */
export class ClusterMembership {
  private readonly ids = new Map<RedisNode, string>();
  /**
   * One slot of each master as of the last time the cluster was seen whole (or a promotion was
   * seen): what a promotion is awaited on, also once the old master's slots have already moved.
   */
  private readonly servedSlots = new Map<RedisNode, number>();

  constructor(readonly nodes: RedisNode[]) {}

  /** Records a node's cluster id (CLUSTER MYID), once at creation. */
  setId(node: RedisNode, id: string): void {
    this.ids.set(node, id);
  }

  idOf(node: RedisNode): string {
    const id = this.ids.get(node);
    if (!id) throw new Error(`${node.name} has no cluster id yet`);
    return id;
  }

  byId(id: string): RedisNode {
    const node = [...this.ids].find(([, nodeId]) => nodeId === id)?.[0];
    if (!node) throw new Error(`unknown cluster node id ${id}`);
    return node;
  }

  /** A node's name for messages, or the raw id of a member this handle does not know. */
  nameOf(id: string): string {
    return [...this.ids].find(([, nodeId]) => nodeId === id)?.[0].name ?? id;
  }

  /** Records which master serves which slots, from a view of the whole cluster. */
  recordServedSlots(views: ClusterNodeView[]): void {
    this.servedSlots.clear();
    for (const view of views) {
      if (isHealthyMaster(view) && view.slots.length > 0)
        this.servedSlots.set(this.byId(view.id), view.slots[0][0]);
    }
  }

  /** Records a promotion: `to` now serves what `from` served. */
  moveServedSlot(from: RedisNode, to: RedisNode, slot: number): void {
    this.servedSlots.delete(from);
    this.servedSlots.set(to, slot);
  }

  /** A slot `master` served when last recorded. */
  servedSlotOf(master: RedisNode): number | undefined {
    return this.servedSlots.get(master);
  }

  /** Nodes that run and are not paused: the ones that answer. */
  reachable(): RedisNode[] {
    return this.nodes.filter((node) => node.pid !== undefined && !node.isPaused);
  }

  isReachableId(id: string): boolean {
    return this.reachable().some((node) => this.ids.get(node) === id);
  }

  /** CLUSTER NODES as the first answering node (other than `except`) sees the cluster. */
  async view(except?: RedisNode): Promise<ClusterNodeView[]> {
    for (const node of this.reachable()) {
      if (node === except) continue;
      const reply = await tryAdminCall(node.port, 'CLUSTER', 'NODES');
      if (typeof reply === 'string') return parseClusterNodes(reply);
    }
    throw new Error('no cluster node answers');
  }
}

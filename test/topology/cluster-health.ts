import {
  isHealthyMaster,
  ownerOfSlot,
  parseClusterNodes,
  SLOT_COUNT,
  type ClusterNodeView,
} from './cluster-nodes';
import type { ClusterMembership } from './cluster-membership';
import { parseInfo, tryAdminCall, waitUntil } from './redis-admin';
import type { RedisNode } from './redis-node';

/**
 * Waits until the slots `oldMaster` served are served by another node that every running node
 * agrees on, and every running node reports `cluster_state:ok`; resolves with that node.
 */
export async function waitForSlotsMoved(
  members: ClusterMembership,
  oldMaster: RedisNode,
  timeoutMs: number,
): Promise<RedisNode> {
  const oldId = members.idOf(oldMaster);
  const slot = members.servedSlotOf(oldMaster);
  if (slot === undefined)
    throw new Error(`${oldMaster.name} was no master when the cluster was last seen whole`);
  let last = '';
  const newId = await waitUntil(
    `another node to serve slot ${slot} of ${oldMaster.name}`,
    async () => {
      const owners = new Set<string>();
      for (const node of members.reachable().filter((candidate) => candidate !== oldMaster)) {
        const info = parseInfo(await tryAdminCall(node.port, 'CLUSTER', 'INFO'));
        const owner = ownerOfSlot(parseClusterNodes(await tryAdminCall(node.port, 'CLUSTER', 'NODES')), slot);
        const state = info.get('cluster_state');
        last = `${node.name}: ${state}, slot ${slot} on ${owner ? members.nameOf(owner.id) : 'none'}`;
        if (state !== 'ok' || !owner || owner.id === oldId) return undefined;
        owners.add(owner.id);
      }
      return owners.size === 1 ? [...owners][0] : undefined;
    },
    { timeoutMs, describeLast: () => last },
  );
  const promoted = members.byId(newId);
  members.moveServedSlot(oldMaster, promoted, slot);
  return promoted;
}

/** One running node's verdict: undefined when healthy, else what is wrong, for the timeout message. */
async function problemOf(
  members: ClusterMembership,
  node: RedisNode,
  layouts: Map<string, ClusterNodeView[]>,
): Promise<string | undefined> {
  const info = parseInfo(await tryAdminCall(node.port, 'CLUSTER', 'INFO'));
  const views = parseClusterNodes(await tryAdminCall(node.port, 'CLUSTER', 'NODES'));
  const me = views.find((v) => v.flags.has('myself'));
  if (!me || info.get('cluster_state') !== 'ok' || info.get('cluster_slots_ok') !== String(SLOT_COUNT)) {
    return `${node.name}: ${info.get('cluster_state')}, ${info.get('cluster_slots_ok')} slots ok`;
  }
  if (views.some((v) => v.flags.has('handshake') || (v.flags.has('fail') && members.isReachableId(v.id)))) {
    return `${node.name}: still flags a running node as failed`;
  }
  // A master without slots is a failed-over master between learning it lost them and turning replica.
  if (me.flags.has('master') && me.slots.length === 0) return `${node.name}: master without slots`;
  if (me.flags.has('slave')) {
    const replication = parseInfo(await tryAdminCall(node.port, 'INFO', 'replication'));
    if (
      replication.get('master_link_status') !== 'up' ||
      replication.get('master_sync_in_progress') !== '0'
    ) {
      return `${node.name}: master link ${replication.get('master_link_status')}`;
    }
  }
  const layout = roleLayout(members, views);
  if (layout === undefined) return `${node.name}: does not know every running node's role yet`;
  layouts.set(layout, views);
  return undefined;
}

/**
 * The roles of the running nodes as one node's CLUSTER NODES has them: masters with their slots,
 * replicas with their master. Undefined while that node still sees a running node as neither (a
 * failed-over master it has not yet seen turn replica, a replica whose master it has not learnt):
 * each node learns such changes by gossip, after the nodes concerned already report them, and
 * `replicaOf()` asked of a node that lags would find no replica.
 */
function roleLayout(members: ClusterMembership, views: ClusterNodeView[]): string | undefined {
  const roles: string[] = [];
  for (const node of members.reachable()) {
    const id = members.idOf(node);
    const view = views.find((v) => v.id === id);
    if (!view || view.flags.has('fail') || view.flags.has('fail?')) return undefined;
    if (isHealthyMaster(view) && view.slots.length > 0) {
      roles.push(`${id}:master:${view.slots.map(([from, to]) => `${from}-${to}`).join(',')}`);
    } else if (view.flags.has('slave') && view.masterId !== undefined) {
      roles.push(`${id}:replica-of:${view.masterId}`);
    } else return undefined;
  }
  return roles.sort().join(' ');
}

/**
 * Waits until every running node reports `cluster_state:ok` with all slots served, every running
 * replica's link to its master is up, and every running node sees the same roles: the same masters
 * with the same slots, and each replica under the same master.
 */
export async function waitUntilClusterHealthy(members: ClusterMembership, timeoutMs: number): Promise<void> {
  let last = '';
  await waitUntil(
    'a healthy cluster',
    async () => {
      const layouts = new Map<string, ClusterNodeView[]>();
      for (const node of members.reachable()) {
        const problem = await problemOf(members, node, layouts);
        if (problem) {
          last = problem;
          return undefined;
        }
      }
      if (layouts.size > 1) last = 'the nodes disagree on the roles';
      if (layouts.size !== 1) return undefined;
      members.recordServedSlots([...layouts.values()][0]);
      return true;
    },
    { timeoutMs, describeLast: () => last },
  );
}

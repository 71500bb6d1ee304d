import { parseClusterNodes, slotRanges } from './cluster-nodes';
import type { ClusterMembership } from './cluster-membership';
import { adminCall, tryAdminCall, waitUntil } from './redis-admin';

/**
 * Turns freshly started cluster nodes into a cluster: the first `masters` nodes get contiguous
 * slot ranges, every node meets every other, and node `masters + i` replicates master `i`.
 * Resolves once every node knows every other; the caller then awaits `cluster_state:ok`.
 */
export async function formCluster(
  members: ClusterMembership,
  masters: number,
  timeoutMs: number,
): Promise<void> {
  const { nodes } = members;
  for (const node of nodes) members.setId(node, String(await adminCall(node.port, 'CLUSTER', 'MYID')));
  const ranges = slotRanges(masters);
  await Promise.all(
    nodes.slice(0, masters).map(async (node, i) => {
      await adminCall(node.port, 'CLUSTER', 'ADDSLOTSRANGE', ...ranges[i]);
      // Distinct epochs up front, as redis-cli does: no epoch collision to resolve later.
      await adminCall(node.port, 'CLUSTER', 'SET-CONFIG-EPOCH', i + 1);
    }),
  );
  // Every node meets every other directly: faster than waiting for gossip to spread one MEET.
  for (const [i, node] of nodes.entries()) {
    for (const other of nodes.slice(i + 1)) {
      await adminCall(node.port, 'CLUSTER', 'MEET', other.host, other.port, other.busPort);
    }
  }
  await waitUntil(
    'every node to know every other',
    async () => {
      for (const node of nodes) {
        const views = parseClusterNodes(await tryAdminCall(node.port, 'CLUSTER', 'NODES'));
        if (
          views.length !== nodes.length ||
          views.some((v) => v.flags.has('handshake') || !v.linkConnected)
        ) {
          return undefined;
        }
      }
      return true;
    },
    { timeoutMs },
  );
  await Promise.all(
    nodes
      .slice(masters)
      .map((replica, i) => adminCall(replica.port, 'CLUSTER', 'REPLICATE', members.idOf(nodes[i]))),
  );
}

import type { Cluster, Redis } from 'ioredis';

/** Whether an ioredis client is a Cluster (it routes by slot, so multi-key commands must share one). */
export function isCluster(client: Redis | Cluster): client is Cluster {
  return 'nodes' in client && typeof (client as Cluster).nodes === 'function';
}

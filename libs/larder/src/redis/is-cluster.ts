import { Cluster, Redis } from 'ioredis';

/**
 * Whether an ioredis client is a Cluster (it routes by slot, so multi-key commands must share one).
 * By class, or by the `isCluster` flag ioredis sets on both kinds (a Cluster from another copy of
 * ioredis in the app's node_modules is not `instanceof` ours).
 */
export function isCluster(client: Redis | Cluster): client is Cluster {
  return client instanceof Cluster || (client as { isCluster?: unknown }).isCluster === true;
}

/** Whether a `redis` option is an existing ioredis client (shared: Larder neither reconfigures nor closes it). */
export function isRedisInstance(value: unknown): value is Redis | Cluster {
  return value instanceof Redis || value instanceof Cluster;
}

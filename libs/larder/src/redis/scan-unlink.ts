import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './is-cluster';
import { groupBySlot } from './key-slot';

const BATCH = 500;

/** Runs one round trip; RedisCoordinator.call passes here so each round trip gets its own bound. */
export type RoundTrip = <T>(what: string, run: () => Promise<T>) => Promise<T>;

const direct: RoundTrip = (_what, run) => run();

/** Escapes Redis glob characters so a user-supplied prefix can never widen a SCAN pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\^]/g, '\\$&');
}

/**
 * Deletes every key starting with `prefix` using SCAN + UNLINK in batches (never KEYS, never
 * FLUSHDB), on each master of a cluster. Returns how many keys went. `roundTrip` bounds each
 * SCAN and UNLINK separately, so a large namespace is not cut off by one overall timeout.
 */
export async function scanAndUnlink(
  client: Redis | Cluster,
  prefix: string,
  roundTrip: RoundTrip = direct,
): Promise<number> {
  const match = `${escapeGlob(prefix)}*`;
  const cluster = isCluster(client);
  let removed = 0;
  for (const node of cluster ? client.nodes('master') : [client]) {
    let cursor = '0';
    do {
      const [next, keys] = await roundTrip('SCAN', () => node.scan(cursor, 'MATCH', match, 'COUNT', BATCH));
      cursor = next;
      if (keys.length > 0) removed += await roundTrip('UNLINK', () => unlinkOnNode(node, keys, cluster));
    } while (cursor !== '0');
  }
  return removed;
}

/** UNLINK keys found on one node: one command, or, on a cluster (keys of many slots), one per key in a pipeline. */
async function unlinkOnNode(node: Redis, keys: string[], cluster: boolean): Promise<number> {
  if (!cluster) return node.unlink(...keys);
  const pipeline = node.pipeline();
  for (const key of keys) pipeline.unlink(key);
  const results = (await pipeline.exec()) ?? [];
  return results.reduce((sum, [error, n]) => (error ? sum : sum + Number(n)), 0);
}

/** UNLINK that also works when keys sit in different cluster slots (one command per key there). */
export async function unlinkKeys(client: Redis | Cluster, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (!isCluster(client)) return client.unlink(...keys);
  const counts = await Promise.all(keys.map((key) => client.unlink(key)));
  return counts.reduce((sum, n) => sum + n, 0);
}

/**
 * UNLINK on a cluster, one command per slot, side by side, each bounded by `roundTrip`: the keys of
 * live shards go even while another shard is down. Says which keys (indices into `keys`) it could
 * not reach, and why, rather than count them as removed.
 */
export async function unlinkPerSlot(
  keys: string[],
  roundTrip: RoundTrip,
  client: Cluster | Redis,
): Promise<{ removed: number; unreached: number[]; cause?: unknown }> {
  const groups = groupBySlot(keys);
  const outcomes = await Promise.allSettled(
    groups.map((group) => roundTrip('UNLINK', () => client.unlink(...group.map((i) => keys[i])))),
  );
  let removed = 0;
  const unreached: number[] = [];
  let cause: unknown;
  outcomes.forEach((outcome, g) => {
    if (outcome.status === 'fulfilled') removed += outcome.value;
    else {
      unreached.push(...groups[g]);
      cause ??= outcome.reason;
    }
  });
  return { removed, unreached, cause };
}

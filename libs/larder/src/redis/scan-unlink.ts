import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './is-cluster';
import { groupBySlot } from './key-slot';
import { nodeAt, slotOwners, unreachedSlotsError, type RoundTrip, type Unreached } from './cluster-scan';

export type { RoundTrip };

const BATCH = 500;

const direct: RoundTrip = (_what, run) => run();

/** Escapes Redis glob characters so a user-supplied prefix can never widen a SCAN pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\^]/g, '\\$&');
}

/**
 * Deletes every key starting with `prefix` using SCAN + UNLINK in batches (never KEYS, never
 * FLUSHDB). Returns how many keys went. `roundTrip` bounds each SCAN and UNLINK separately, so a
 * large namespace is not cut off by one overall timeout.
 *
 * On a cluster it goes to every master CLUSTER SLOTS names, side by side. A master it cannot scan
 * (down, hung, not yet replaced) or slots nobody serves fail the call with E_STORE_UNAVAILABLE
 * naming those slots and nodes, after the reachable masters were cleared: keys it did not reach
 * are never reported as cleared.
 */
export async function scanAndUnlink(
  client: Redis | Cluster,
  prefix: string,
  roundTrip: RoundTrip = direct,
): Promise<number> {
  const match = `${escapeGlob(prefix)}*`;
  if (!isCluster(client)) return scanNode(client, match, roundTrip, false);
  const { owners, uncovered } = await slotOwners(client, roundTrip);
  const unreached: Unreached[] =
    uncovered.length > 0 ? [{ ranges: uncovered, reason: 'served by no master' }] : [];
  let removed = 0;
  const outcomes = await Promise.allSettled(
    owners.map((owner) => {
      const node = nodeAt(client, owner.address);
      if (!node) return Promise.reject(new Error('not connected'));
      return scanNode(node, match, roundTrip, true);
    }),
  );
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') removed += outcome.value;
    else {
      const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      unreached.push({ ranges: owners[i].ranges, reason: `${owners[i].address}: ${reason}` });
    }
  });
  if (unreached.length > 0) {
    throw unreachedSlotsError('SCAN + UNLINK', unreached, `${removed} keys removed on the masters reached`);
  }
  return removed;
}

/** SCAN + UNLINK on one node until its cursor comes back to 0. */
async function scanNode(node: Redis, match: string, roundTrip: RoundTrip, cluster: boolean): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await roundTrip('SCAN', () => node.scan(cursor, 'MATCH', match, 'COUNT', BATCH));
    cursor = next;
    if (keys.length > 0) removed += await roundTrip('UNLINK', () => unlinkOnNode(node, keys, cluster));
  } while (cursor !== '0');
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

import type { Cluster } from 'ioredis';
import { formatRanges, nodeAt, slotOwners } from '../redis/cluster-scan';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import { withTimeout } from '../redis/with-timeout';

/**
 * One cluster master as the health check saw it.
 * @example { slots: '0-5460', state: 'ready', latencyMs: 0.38 }
 */
export interface LarderMasterHealth {
  /** The slot ranges it serves, as CLUSTER SLOTS says. */
  slots: string;
  /** `'ready'` when its PING answered, otherwise `'down'`. */
  state: 'ready' | 'down';
  /** PING round trip, in milliseconds (two decimals); absent when it failed. */
  latencyMs?: number;
  /** Why the PING failed. */
  error?: string;
}

/** Every master by address, and what makes the cluster unhealthy (a master down, slots nobody serves). */
export interface ClusterMastersHealth {
  masters: Record<string, LarderMasterHealth>;
  problems: string[];
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * Asks who serves which slots (CLUSTER SLOTS, from the first node that answers) and PINGs each
 * master on its own connection, in parallel: one PING through the Cluster client reaches a single
 * node and said nothing of the others. Rejects only when no node tells the slot map.
 */
export async function checkClusterMasters(
  redis: RedisCoordinator,
  client: Cluster,
  timeout: number,
): Promise<ClusterMastersHealth> {
  const { owners, uncovered } = await slotOwners(client, (what, run) => redis.call(what, run));
  const problems: string[] = [];
  if (uncovered.length > 0) problems.push(`slots ${formatRanges(uncovered)} served by no master`);
  const masters: Record<string, LarderMasterHealth> = {};
  await Promise.all(
    owners.map(async ({ address, ranges }) => {
      const slots = formatRanges(ranges);
      const node = nodeAt(client, address);
      const started = performance.now();
      try {
        if (!node) throw new Error('not connected');
        await withTimeout(node.ping(), timeout, `health check PING (${address})`);
        masters[address] = { slots, state: 'ready', latencyMs: round(performance.now() - started) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        masters[address] = { slots, state: 'down', error: message };
        problems.push(`master ${address} (slots ${slots}): ${message}`);
      }
    }),
  );
  return { masters, problems };
}

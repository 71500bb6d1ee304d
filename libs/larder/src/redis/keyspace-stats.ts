import type { Cluster, Redis } from 'ioredis';
import { isCluster } from './is-cluster';
import { nodeAt, slotOwners, unreachedSlotsError, type RoundTrip, type Unreached } from './cluster-scan';
import { escapeGlob } from './scan-unlink';

/** How much work a keyspace count may do on each node. */
export interface KeyspaceLimits {
  /** Keys SCAN may examine per node (in rounds of `COUNT 1000`) before the count becomes an estimate. */
  maxScanned: number;
  /** Keys whose MEMORY USAGE is asked, per node, to estimate bytes. */
  samples: number;
}

/** Server figures from INFO, summed over the masters on a cluster. */
export interface ServerFigures {
  usedMemory: number;
  /** 0 when Redis has no `maxmemory` set. */
  maxMemory: number;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

/** Keys under a prefix, their estimated bytes, and the server's own figures. */
export interface KeyspaceStats extends ServerFigures {
  keys: number;
  approximateBytes: number;
  /** Whether `keys` is extrapolated (SCAN stopped at `maxScanned`); bytes are always sampled. */
  keysEstimated: boolean;
  /** Masters counted (1 outside a cluster). */
  masters: number;
}

const SCAN_COUNT = 1000;
const INFO_FIELDS: Record<string, keyof ServerFigures> = {
  used_memory: 'usedMemory',
  maxmemory: 'maxMemory',
  evicted_keys: 'evictedKeys',
  keyspace_hits: 'keyspaceHits',
  keyspace_misses: 'keyspaceMisses',
};

/**
 * Counts the keys starting with `prefix` with bounded SCAN work (never KEYS), estimates their
 * bytes from MEMORY USAGE of a sample, and reads INFO. On a cluster every master CLUSTER SLOTS
 * names is counted side by side and the figures are summed; a master that cannot be reached
 * fails the call with E_STORE_UNAVAILABLE naming its slots, never a partial total taken for the whole.
 */
export async function keyspaceStats(
  client: Redis | Cluster,
  prefix: string,
  limits: KeyspaceLimits,
  roundTrip: RoundTrip,
): Promise<KeyspaceStats> {
  const match = `${escapeGlob(prefix)}*`;
  if (!isCluster(client)) return { ...(await nodeStats(client, match, limits, roundTrip)), masters: 1 };
  const { owners, uncovered } = await slotOwners(client, roundTrip);
  const unreached: Unreached[] =
    uncovered.length > 0 ? [{ ranges: uncovered, reason: 'served by no master' }] : [];
  const outcomes = await Promise.allSettled(
    owners.map((owner) => {
      const node = nodeAt(client, owner.address);
      return node ? nodeStats(node, match, limits, roundTrip) : Promise.reject(new Error('not connected'));
    }),
  );
  const total: KeyspaceStats = {
    ...zeroFigures(),
    keys: 0,
    approximateBytes: 0,
    keysEstimated: false,
    masters: 0,
  };
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'rejected') {
      const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      unreached.push({ ranges: owners[i].ranges, reason: `${owners[i].address}: ${reason}` });
      return;
    }
    const node = outcome.value;
    for (const field of [...Object.values(INFO_FIELDS), 'keys', 'approximateBytes'] as const) {
      total[field] += node[field];
    }
    total.keysEstimated ||= node.keysEstimated;
    total.masters++;
  });
  if (unreached.length > 0)
    throw unreachedSlotsError('SCAN (store statistics)', unreached, 'nothing was counted');
  return total;
}

function zeroFigures(): ServerFigures {
  return { usedMemory: 0, maxMemory: 0, evictedKeys: 0, keyspaceHits: 0, keyspaceMisses: 0 };
}

/** The fields Larder reports from an INFO reply (`name:value` lines). */
export function parseInfo(text: string): ServerFigures {
  const figures = zeroFigures();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    const field = INFO_FIELDS[line.slice(0, colon)];
    if (field) figures[field] = Number(line.slice(colon + 1).trim()) || 0;
  }
  return figures;
}

async function nodeStats(
  node: Redis,
  match: string,
  limits: KeyspaceLimits,
  roundTrip: RoundTrip,
): Promise<Omit<KeyspaceStats, 'masters'>> {
  let cursor = '0';
  let keys = 0;
  let scanned = 0;
  const sample: string[] = [];
  do {
    const [next, found] = await roundTrip('SCAN', () =>
      node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT),
    );
    cursor = next;
    scanned += SCAN_COUNT;
    keys += found.length;
    for (const key of found) if (sample.length < limits.samples) sample.push(key);
  } while (cursor !== '0' && scanned < limits.maxScanned);
  const figures = parseInfo(await roundTrip('INFO', () => node.info()));
  const keysEstimated = cursor !== '0';
  if (keysEstimated) {
    // The share of the keyspace that matched so far, applied to the whole of it.
    const size = await roundTrip('DBSIZE', () => node.dbsize());
    keys = Math.round((keys / Math.min(scanned, size || scanned)) * size);
  }
  return {
    ...figures,
    keys,
    keysEstimated,
    approximateBytes: await sampledBytes(node, sample, keys, roundTrip),
  };
}

/** The mean MEMORY USAGE of the sampled keys (one pipeline), times the key count. */
async function sampledBytes(
  node: Redis,
  sample: string[],
  keys: number,
  roundTrip: RoundTrip,
): Promise<number> {
  if (sample.length === 0) return 0;
  const replies = await roundTrip('MEMORY USAGE', () => {
    const pipeline = node.pipeline();
    for (const key of sample) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    return pipeline.exec();
  });
  let bytes = 0;
  let measured = 0;
  for (const [error, usage] of replies ?? []) {
    if (error || usage === null) continue; // gone between SCAN and MEMORY USAGE
    bytes += Number(usage);
    measured++;
  }
  return measured === 0 ? 0 : Math.round((bytes / measured) * keys);
}

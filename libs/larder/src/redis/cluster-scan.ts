import type { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError } from '../errors';
import { CLUSTER_SLOTS } from './key-slot';

/** Runs one round trip; RedisCoordinator.call passes here so each round trip gets its own bound. */
export type RoundTrip = <T>(what: string, run: () => Promise<T>) => Promise<T>;

/** A contiguous range of cluster slots, both ends included. */
export interface SlotRange {
  start: number;
  end: number;
}

/** A master as CLUSTER SLOTS names it, with the slot ranges it serves. */
export interface SlotOwner {
  address: string;
  ranges: SlotRange[];
}

/**
 * Who serves which slots now, asked with CLUSTER SLOTS (not the client's cached map, which may
 * still name a master that failed or leave out one that took over), and the slots nobody serves
 * (a dead master not yet replaced, on a cluster with `cluster-require-full-coverage no`).
 */
export async function slotOwners(
  client: Cluster,
  roundTrip: RoundTrip,
): Promise<{ owners: SlotOwner[]; uncovered: SlotRange[] }> {
  const reply = await askAnyNode(client, roundTrip);
  const owners = new Map<string, SlotOwner>();
  const served = new Uint8Array(CLUSTER_SLOTS);
  for (const [start, end, master] of reply) {
    if (!master) continue;
    const [host, port] = master;
    const address = `${host}:${port}`;
    const owner = owners.get(address) ?? { address, ranges: [] };
    owner.ranges.push({ start, end });
    owners.set(address, owner);
    served.fill(1, start, end + 1);
  }
  const uncovered: SlotRange[] = [];
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
    if (served[slot]) continue;
    const start = slot;
    while (slot + 1 < CLUSTER_SLOTS && !served[slot + 1]) slot++;
    uncovered.push({ start, end: slot });
  }
  return { owners: [...owners.values()], uncovered };
}

/** CLUSTER SLOTS from the first node that answers: a dead one must not stop a clear of the others. */
async function askAnyNode(client: Cluster, roundTrip: RoundTrip) {
  let lastError: unknown = new Error('no cluster node known');
  for (const node of client.nodes('all')) {
    try {
      return await roundTrip('CLUSTER SLOTS', () => node.cluster('SLOTS'));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** The connection the Cluster client keeps to a node, by the address CLUSTER SLOTS gave. */
export function nodeAt(client: Cluster, address: string): Redis | undefined {
  return client.nodes('all').find((node) => `${node.options.host}:${node.options.port}` === address);
}

/** Slots Larder could not reach, and why, for the error a clear reports. */
export interface Unreached {
  ranges: SlotRange[];
  reason: string;
}

/** Slot ranges as people read them: `0-5460, 10923-16383`. */
export function formatRanges(ranges: SlotRange[]): string {
  return ranges.map(({ start, end }) => (start === end ? `${start}` : `${start}-${end}`)).join(', ');
}

/**
 * The error of an operation over every slot that did not reach some (E_STORE_UNAVAILABLE), naming
 * the slots and the nodes; `done` says what it did elsewhere, so nobody takes it for success.
 */
export function unreachedSlotsError(
  what: string,
  unreached: Unreached[],
  done: string,
): StoreUnavailableError {
  const parts = unreached.map((u) => `slots ${formatRanges(u.ranges)} (${u.reason})`);
  return new StoreUnavailableError(`Redis ${what} did not reach ${parts.join('; ')}; ${done}`);
}

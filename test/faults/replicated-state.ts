import type { TestingModule } from '@nestjs/testing';
import type { Cluster, Redis } from 'ioredis';
import { CacheService, LARDER_REDIS, LockService, SessionService, type Lock } from '@larder/nestjs';
import type { RedisCoordinator } from '@larder/nestjs/redis/redis-coordinator';

/** What a test writes before the fault, replicated with `WAIT 1`, and expects to find after it. */
export interface ReplicatedState {
  values: Map<string, string>;
  sessions: Map<string, { kept: string }>;
  /** Locks held through the fault (long ttl). */
  held: Lock[];
  /** The highest fence issued per key before the fault. */
  fences: Map<string, number>;
}

/** Keys of each kind; on a cluster the test puts some on the master it breaks. */
export interface StateKeys {
  values: string[];
  sessions: number;
  held: string[];
  fences: string[];
}

const HELD_TTL_MS = 120_000;

/**
 * `WAIT 1` on every connection the module wrote through (each master's, on a cluster): resolves
 * once one replica of each has acknowledged every write made so far, so they survive a failover.
 */
export async function waitForReplication(moduleRef: TestingModule): Promise<void> {
  const { client } = moduleRef.get<RedisCoordinator>(LARDER_REDIS);
  const connections: Redis[] =
    'nodes' in client && typeof client.nodes === 'function'
      ? (client as Cluster).nodes('master')
      : [client as Redis];
  const acknowledged = await Promise.all(connections.map((c) => c.call('WAIT', '1', '10000')));
  if (acknowledged.some((n) => Number(n) < 1))
    throw new Error(`WAIT 1: replicas acknowledged ${acknowledged}`);
}

/** Writes values, sessions, held locks and fences, then (unless there is no replica) waits until they are replicated. */
export async function writeReplicatedState(
  moduleRef: TestingModule,
  keys: StateKeys,
  { replicated = true } = {},
): Promise<ReplicatedState> {
  const cache = moduleRef.get(CacheService);
  const locks = moduleRef.get(LockService);
  const sessions = moduleRef.get(SessionService);
  const state: ReplicatedState = { values: new Map(), sessions: new Map(), held: [], fences: new Map() };
  for (const key of keys.values) {
    state.values.set(key, `kept ${key}`);
    await cache.set(key, `kept ${key}`);
  }
  for (let i = 0; i < keys.sessions; i++) {
    const { id } = await sessions.create({ kept: `session ${i}` });
    state.sessions.set(id, { kept: `session ${i}` });
  }
  for (const key of keys.held) state.held.push(await locks.acquireOrThrow(key, { ttl: HELD_TTL_MS }));
  for (const key of keys.fences) {
    for (let i = 0; i < 3; i++) {
      const lock = await locks.acquireOrThrow(key, { ttl: HELD_TTL_MS });
      state.fences.set(key, lock.fence);
      await lock.release();
    }
  }
  if (replicated) await waitForReplication(moduleRef);
  return state;
}

/**
 * What did not survive: values changed or gone, sessions lost, held locks free or grantable to
 * someone else, fences that went back. Empty when everything replicated survived.
 */
export async function lostState(moduleRef: TestingModule, state: ReplicatedState): Promise<string[]> {
  const cache = moduleRef.get(CacheService);
  const locks = moduleRef.get(LockService);
  const sessions = moduleRef.get(SessionService);
  const lost: string[] = [];
  for (const [key, value] of state.values) {
    const found = await cache.get(key);
    if (found !== value) lost.push(`value ${key}: ${String(found)}`);
  }
  for (const [id, data] of state.sessions) {
    const found = await sessions.get(id);
    if (found?.data.kept !== data.kept) lost.push(`a session: ${JSON.stringify(found?.data)}`);
  }
  for (const lock of state.held) {
    if (!(await locks.isLocked(lock.key, lock.token))) lost.push(`held lock ${lock.key}: free`);
    const other = await locks.acquire(lock.key, { ttl: 1000, wait: 0 });
    if (other) lost.push(`held lock ${lock.key}: granted again (fence ${other.fence})`);
    if (!(await lock.release())) lost.push(`held lock ${lock.key}: its holder could not release it`);
  }
  for (const [key, fence] of state.fences) {
    const lock = await locks.acquireOrThrow(key, { ttl: 1000 });
    if (lock.fence <= fence) lost.push(`fence ${key}: ${lock.fence} after ${fence}`);
    await lock.release();
  }
  return lost;
}

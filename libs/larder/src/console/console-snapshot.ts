import type { CacheCore } from '../cache/cache-core';
import type { CacheService } from '../cache/cache.service';
import type { CacheStats } from '../cache/cache-stats';
import type { LockService } from '../lock/lock.service';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { SessionService } from '../session/session.service';
import { fingerprint, preview, redactKey } from './console-redaction';
import type { SeriesPoint } from './console-feed';
import type { SseClientStats } from './sse-client';

/** L1 entries listed in the page (most recently used first). */
const L1_LISTED = 50;
/** Users whose session counts the page shows: the most recently active ones. */
const USERS_LISTED = 10;

/**
 * What the console reads of the Redis circuit breaker: its state ('closed' | 'open' | 'half-open'),
 * or nothing (no Redis, or `circuitBreaker: false`), which the page shows as "no breaker".
 */
export interface ConsoleBreakerHook {
  readonly breaker?: { readonly state: string } | null;
}

/** What the console reads its state from. */
export interface ConsoleSources {
  cache: CacheService;
  core: CacheCore;
  locks: LockService;
  sessions: SessionService;
  redis: RedisCoordinator | null;
}

/** The state a page receives on connect and every second. Everything in it is already redacted. */
export interface ConsoleState {
  at: number;
  name: string;
  series: SeriesPoint[];
  totals: CacheStats;
  l1: {
    enabled: boolean;
    items: number;
    bytes: number;
    entries: Array<{ key: string; size: number; ttlMs: number; value?: string }>;
  };
  locks: Array<{ key: string; owner: string; fence: number; ttlMs: number; autoExtend: boolean }>;
  rateLimits: Array<{ rule: string; blocked: number }>;
  sessions: Array<{ user: string; sessions: number | null }>;
  connection: { redis: string; breaker: string | null };
  clients: SseClientStats[];
  buffer: { size: number; capacity: number; last: number };
}

/** What the feed counts from events for the state: blocks per rule, recently active users. */
export class ConsoleTallies {
  readonly blocksByRule = new Map<string, number>();
  private readonly users: string[] = [];

  block(rule: string): void {
    this.blocksByRule.set(rule, (this.blocksByRule.get(rule) ?? 0) + 1);
  }

  /** Remembers `userId` as the most recently active user (at most USERS_LISTED are kept). */
  user(userId: string): void {
    const at = this.users.indexOf(userId);
    if (at >= 0) this.users.splice(at, 1);
    this.users.unshift(userId);
    if (this.users.length > USERS_LISTED) this.users.pop();
  }

  get recentUsers(): readonly string[] {
    return this.users;
  }
}

/**
 * Builds the state from the services. Each source fails soft: a Redis that does not answer the
 * session counts shows them as unknown (`null`), never holds the page or throws.
 */
export async function buildConsoleState(
  sources: ConsoleSources,
  tallies: ConsoleTallies,
  view: { name: string; showValues: boolean; series: SeriesPoint[]; clients: SseClientStats[] },
  buffer: ConsoleState['buffer'],
): Promise<ConsoleState> {
  const now = Date.now();
  const l1 = sources.core.l1;
  const entries = (l1?.peekRecent(L1_LISTED) ?? []).map((e) => ({
    key: redactKey(e.key),
    size: e.size,
    ttlMs: Math.max(0, e.expiresAt - now),
    ...(view.showValues ? { value: preview(e.value) } : {}),
  }));
  const locks = sources.locks.held().map((lock) => ({
    key: redactKey(lock.key),
    owner: fingerprint(lock.token),
    fence: lock.fence,
    ttlMs: Math.max(0, lock.expiresAt - now),
    autoExtend: lock.autoExtend,
  }));
  const sessions = await Promise.all(
    tallies.recentUsers.map(async (user) => ({
      user: redactKey(user),
      sessions: await sources.sessions.listForUser(user).then(
        (list) => list.length,
        () => null,
      ),
    })),
  );
  const redis = sources.redis;
  return {
    at: now,
    name: view.name,
    series: view.series,
    totals: sources.cache.stats(),
    l1: { enabled: l1 !== null, items: l1?.size ?? 0, bytes: l1?.usedSize ?? 0, entries },
    locks,
    rateLimits: [...tallies.blocksByRule].map(([rule, blocked]) => ({ rule, blocked })),
    sessions,
    connection: {
      redis: redis ? redis.state.current : 'memory',
      breaker: (redis satisfies ConsoleBreakerHook | null)?.breaker?.state ?? null,
    },
    clients: view.clients,
    buffer,
  };
}

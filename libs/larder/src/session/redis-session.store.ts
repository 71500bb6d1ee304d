import { StoreUnavailableError } from '../errors';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { SessionKeys } from './session-keys';
import {
  SESSION_DESTROY,
  SESSION_DESTROY_ALL,
  SESSION_LIST,
  SESSION_READ_ROLLING,
  SESSION_TOUCH,
  SESSION_UPDATE,
  SESSION_WRITE,
} from './session.scripts';
import { userHandle } from './session-id';
import type {
  DataMerge,
  SessionStore,
  SessionWrite,
  SessionWriteResult,
  StoredSession,
} from './session-store';

/** Above this many index entries, a create also drops the entries of sessions that are gone. */
export const INDEX_PRUNE_AT = 32;
/** Runs of an index script whose declared members went stale meanwhile (another create raced it). */
const MAX_INDEX_ATTEMPTS = 8;
/**
 * Runs of an update whose compare-and-set lost to another update of the same session. Each lost
 * round means another update won, so only more concurrent updates than this on one session fail.
 */
const MAX_UPDATE_ATTEMPTS = 64;

// ASCII header (the user id is percent-encoded), so character and byte offsets agree.
const HEADER = /^s1\|(\d+)\|(\d+)\|(\d+)\|(\d+)\|(\d+)\|([^|]*)\|/;

/** A stored value decoded, with its version for compare-and-set; undefined when missing or malformed. */
export function parseValue(
  handle: string,
  value: string | null,
): (StoredSession & { version: number }) | undefined {
  if (value === null) return undefined;
  const m = HEADER.exec(value);
  if (!m) return undefined;
  let userId: string | undefined;
  try {
    userId = m[6] === '' ? undefined : decodeURIComponent(m[6]);
  } catch {
    return undefined;
  }
  return {
    handle,
    userId,
    createdAt: Number(m[1]),
    absoluteExpiresAt: Number(m[2]),
    expiresAt: Number(m[3]),
    ttl: Number(m[4]),
    version: Number(m[5]),
    data: value.slice(m[0].length),
  };
}

/** Sessions in Redis: one string per session, one sorted set per user; every change is one script. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisCoordinator,
    private readonly keys: SessionKeys,
  ) {}

  async write(request: SessionWrite): Promise<SessionWriteResult | undefined> {
    const { source } = request;
    const previousUserKey = source?.previousUserKey !== request.userKey ? source?.previousUserKey : undefined;
    const head = [this.keys.session(request.handle)];
    if (request.userKey) head.push(this.keys.userIndex(request.userKey));
    if (source) head.push(this.keys.session(source.handle));
    if (previousUserKey) head.push(this.keys.userIndex(previousUserKey));
    let members: string[] | undefined;
    for (let attempt = 0; attempt < MAX_INDEX_ATTEMPTS; attempt++) {
      const declared = members ?? [];
      const args: Array<string | number> = [
        request.userKey ? 1 : 0,
        source ? 1 : 0,
        members ? members.length : -1,
        request.handle,
        request.userId === undefined ? '' : encodeURIComponent(request.userId),
        request.ttl,
        request.maxLifetime,
        request.maxPerUser,
        source?.keepLifetime ? 1 : 0,
        source?.handle ?? '',
        INDEX_PRUNE_AT,
        request.data,
        source?.keepData ? 1 : 0,
        previousUserKey ? 1 : 0,
        ...declared,
      ];
      const keys = [...head, ...declared.map((h) => this.keys.session(h))];
      const reply = (await this.redis.eval(SESSION_WRITE, keys, args)) as Array<string | number>;
      if (reply[0] === 0) return undefined;
      if (reply[0] === -1) {
        members = reply.slice(1).map(String);
        continue;
      }
      return {
        createdAt: Number(reply[1]),
        expiresAt: Number(reply[2]),
        absoluteExpiresAt: Number(reply[3]),
        evicted: reply.slice(4).map(String),
      };
    }
    throw new StoreUnavailableError(
      `Redis session write gave up: the user's index changed ${MAX_INDEX_ATTEMPTS} times in a row`,
    );
  }

  read(handle: string, rolling: boolean): Promise<StoredSession | undefined> {
    // Not `async`: this is every session get, and the extra promise hop showed in the profile.
    const key = this.keys.session(handle);
    const value = rolling
      ? (this.redis.eval(SESSION_READ_ROLLING, [key], []) as Promise<string | null>)
      : this.redis.call('GET', (client) => client.get(key));
    return value.then((reply) => parseValue(handle, reply));
  }

  async update(handle: string, merge: DataMerge, rolling: boolean): Promise<StoredSession | undefined> {
    const key = this.keys.session(handle);
    let current = parseValue(handle, await this.redis.call('GET', (client) => client.get(key)));
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS && current; attempt++) {
      const reply = (await this.redis.eval(
        SESSION_UPDATE,
        [key],
        [current.version, merge(current.data), rolling ? 1 : 0],
      )) as [number, string] | null;
      if (reply === null) return undefined;
      const value = parseValue(handle, reply[1]);
      if (reply[0] === 1) return value;
      current = value;
    }
    if (!current) return undefined;
    throw new StoreUnavailableError(
      `Redis session update gave up: ${MAX_UPDATE_ATTEMPTS} other updates of the session got in first`,
    );
  }

  async touch(handle: string): Promise<number | undefined> {
    const reply = await this.redis.eval(SESSION_TOUCH, [this.keys.session(handle)], []);
    return reply == null ? undefined : Number(reply);
  }

  async destroy(handle: string): Promise<{ userId?: string } | undefined> {
    const user = (await this.redis.eval(SESSION_DESTROY, [this.keys.session(handle)], [])) as string | null;
    if (user == null) return undefined;
    if (user === '') return {};
    const userId = decodeURIComponent(user);
    await this.forget(userHandle(userId), handle);
    return { userId };
  }

  async list(userKey: string): Promise<StoredSession[]> {
    const index = this.keys.userIndex(userKey);
    const members = await this.redis.call('ZRANGE', (client) => client.zrange(index, 0, -1));
    if (members.length === 0) return [];
    const keys = [index, ...members.map((h) => this.keys.session(h))];
    const reply = (await this.redis.eval(SESSION_LIST, keys, members)) as string[];
    const sessions: StoredSession[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const stored = parseValue(reply[i], reply[i + 1]);
      if (stored) sessions.push(stored);
    }
    return sessions.sort((a, b) => a.createdAt - b.createdAt);
  }

  async destroyAll(userKey: string): Promise<string[]> {
    const index = this.keys.userIndex(userKey);
    let members = await this.redis.call('ZRANGE', (client) => client.zrange(index, 0, -1));
    for (let attempt = 0; attempt < MAX_INDEX_ATTEMPTS; attempt++) {
      const keys = [index, ...members.map((h) => this.keys.session(h))];
      const reply = (await this.redis.eval(SESSION_DESTROY_ALL, keys, members)) as Array<string | number>;
      if (reply[0] === 1) return reply.slice(1).map(String);
      members = reply.slice(1).map(String);
    }
    throw new StoreUnavailableError(
      `Redis destroyAllForUser gave up: the user's index changed ${MAX_INDEX_ATTEMPTS} times in a row`,
    );
  }

  async close(): Promise<void> {
    // The coordination connection belongs to the module; nothing of our own to release.
  }

  /**
   * Drops one handle from a user's index after its session is already gone. Best effort: a
   * leftover entry points at nothing and is pruned by the next list or crowded create.
   */
  private async forget(userKey: string, handle: string): Promise<void> {
    try {
      await this.redis.call('ZREM', (client) => client.zrem(this.keys.userIndex(userKey), handle));
    } catch {
      /* see above: harmless */
    }
  }
}

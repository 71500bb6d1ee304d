import type {
  DataMerge,
  SessionStore,
  SessionWrite,
  SessionWriteResult,
  StoredSession,
} from './session-store';

interface MemoryRecord {
  userId?: string;
  userKey?: string;
  createdAt: number;
  expiresAt: number;
  absoluteExpiresAt: number;
  ttl: number;
  data: string;
  /** Creation order, to rank sessions created in the same millisecond (Redis uses µs scores). */
  seq: number;
}

/** How often expired sessions and index entries are swept out of memory. */
const SWEEP_EVERY_MS = 60_000;

/**
 * Sessions in process memory, for the setup without Redis (one instance only). Same semantics as
 * the Redis store: each method runs to completion without awaiting, so it is as atomic as a script,
 * and a session is alive up to and including its expiry millisecond, as a Redis key is.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, MemoryRecord>();
  /** userKey -> handles of the user's sessions */
  private readonly users = new Map<string, Set<string>>();
  private seq = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async write(request: SessionWrite): Promise<SessionWriteResult | undefined> {
    const now = this.now();
    const source = request.source ? this.live(request.source.handle, now) : undefined;
    if (request.source && !source) return undefined;
    const keep = request.source?.keepLifetime && source;
    const absoluteExpiresAt = keep ? source.absoluteExpiresAt : now + request.maxLifetime;
    const record: MemoryRecord = {
      userId: request.userId,
      userKey: request.userKey,
      createdAt: keep ? source.createdAt : now,
      absoluteExpiresAt,
      expiresAt: keep ? source.expiresAt : Math.min(now + request.ttl, absoluteExpiresAt),
      ttl: keep ? source.ttl : request.ttl,
      data: source && request.source?.keepData ? source.data : request.data,
      seq: keep ? source.seq : ++this.seq,
    };
    const evicted = request.userKey ? this.makeRoom(request, now) : [];
    if (request.source) this.remove(request.source.handle);
    this.sessions.set(request.handle, record);
    if (request.userKey) this.index(request.userKey).add(request.handle);
    return { createdAt: record.createdAt, expiresAt: record.expiresAt, absoluteExpiresAt, evicted };
  }

  async read(handle: string, rolling: boolean): Promise<StoredSession | undefined> {
    const now = this.now();
    const record = this.live(handle, now);
    if (!record) return undefined;
    // Same write-skipping rule as the Redis script: extensions below min(1s, 1% of ttl) are dropped.
    if (
      rolling &&
      Math.min(now + record.ttl, record.absoluteExpiresAt) - record.expiresAt >=
        Math.min(1000, record.ttl / 100)
    ) {
      this.extend(record, now);
    }
    return toStored(handle, record);
  }

  async update(handle: string, merge: DataMerge, rolling: boolean): Promise<StoredSession | undefined> {
    const now = this.now();
    const record = this.live(handle, now);
    if (!record) return undefined;
    record.data = merge(record.data);
    if (rolling) this.extend(record, now);
    return toStored(handle, record);
  }

  async touch(handle: string): Promise<number | undefined> {
    const now = this.now();
    const record = this.live(handle, now);
    if (!record) return undefined;
    this.extend(record, now);
    return record.expiresAt;
  }

  async destroy(handle: string): Promise<{ userId?: string } | undefined> {
    const record = this.live(handle, this.now());
    if (!record) return undefined;
    this.remove(handle);
    return record.userId === undefined ? {} : { userId: record.userId };
  }

  async list(userKey: string): Promise<StoredSession[]> {
    const now = this.now();
    const handles = [...(this.users.get(userKey) ?? [])];
    const out: StoredSession[] = [];
    for (const handle of handles) {
      const record = this.live(handle, now);
      if (record) out.push(toStored(handle, record));
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  async destroyAll(userKey: string): Promise<string[]> {
    const now = this.now();
    const removed: string[] = [];
    for (const handle of [...(this.users.get(userKey) ?? [])]) {
      if (this.live(handle, now)) removed.push(handle);
      this.sessions.delete(handle);
    }
    this.users.delete(userKey);
    return removed;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.sessions.clear();
    this.users.clear();
  }

  /** Number of index entries of a user, live or not (for tests of pruning). */
  indexSize(userKey: string): number {
    return this.users.get(userKey)?.size ?? 0;
  }

  /**
   * Drops the user's index entries of sessions that are gone, then evicts the oldest live sessions
   * until the new one fits `maxPerUser`; returns the evicted handles.
   */
  private makeRoom(request: SessionWrite, now: number): string[] {
    const entries = this.users.get(request.userKey as string);
    if (!entries) return [];
    for (const handle of [...entries]) if (!this.live(handle, now)) entries.delete(handle);
    if (request.maxPerUser === 0) return [];
    const live = [...entries]
      .filter((handle) => handle !== request.source?.handle)
      .map((handle) => ({ handle, record: this.live(handle, now) }))
      .filter((e): e is { handle: string; record: MemoryRecord } => e.record !== undefined)
      .sort((a, b) => a.record.absoluteExpiresAt - b.record.absoluteExpiresAt || a.record.seq - b.record.seq)
      .map((e) => e.handle);
    const evicted = live.slice(0, Math.max(0, live.length - request.maxPerUser + 1));
    for (const handle of evicted) this.remove(handle);
    return evicted;
  }

  private extend(record: MemoryRecord, now: number): void {
    record.expiresAt = Math.max(record.expiresAt, Math.min(now + record.ttl, record.absoluteExpiresAt));
  }

  /** The record if it is alive; an expired one is dropped on the way, as Redis does lazily. */
  private live(handle: string, now: number): MemoryRecord | undefined {
    const record = this.sessions.get(handle);
    if (record && now > record.expiresAt) {
      this.remove(handle);
      return undefined;
    }
    return record;
  }

  private remove(handle: string): void {
    const record = this.sessions.get(handle);
    if (!record) return;
    this.sessions.delete(handle);
    if (!record.userKey) return;
    const entries = this.users.get(record.userKey);
    entries?.delete(handle);
    if (entries?.size === 0) this.users.delete(record.userKey);
  }

  private index(userKey: string): Set<string> {
    let entries = this.users.get(userKey);
    if (!entries) this.users.set(userKey, (entries = new Set()));
    return entries;
  }

  private sweep(): void {
    const now = this.now();
    for (const handle of [...this.sessions.keys()]) this.live(handle, now);
  }
}

function toStored(handle: string, record: MemoryRecord): StoredSession {
  return {
    handle,
    userId: record.userId,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    absoluteExpiresAt: record.absoluteExpiresAt,
    ttl: record.ttl,
    data: record.data,
  };
}

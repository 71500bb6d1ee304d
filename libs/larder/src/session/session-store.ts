/*
 * The storage contract behind SessionService, met by the Redis store and the memory store alike
 * (one contract suite runs both, and can run an application's own). Stores see handles (hashed
 * ids) and the encoded data only; ids, validation, encoding, events and error mapping live in the
 * service.
 */

/** A stored session; times are epoch milliseconds on the store's clock. */
export interface StoredSession {
  handle: string;
  userId?: string;
  createdAt: number;
  expiresAt: number;
  absoluteExpiresAt: number;
  /** Idle lifetime in ms that touches and rolling reads extend by. */
  ttl: number;
  /** The data object, encoded by the serializer. */
  data: string;
}

/** Creates a session, or (with `source`) moves an existing one to a new handle. */
export interface SessionWrite {
  handle: string;
  userId?: string;
  /** userHandle(userId): the index the new session joins. */
  userKey?: string;
  ttl: number;
  maxLifetime: number;
  /** 0 = no limit. */
  maxPerUser: number;
  /** Encoded data of the new session; with `source`, used only when `keepData` is false. */
  data: string;
  /** Rotation: delete this session in the same step, taking what it is asked to keep. */
  source?: {
    handle: string;
    /** Keep createdAt, expiry, deadline and ttl of the source (rotation without a new user). */
    keepLifetime: boolean;
    /** Move the source's data to the new session; false: the new session holds `data`. */
    keepData: boolean;
    /** The source's user index, when it differs from the new one: its entry leaves it in the same step. */
    previousUserKey?: string;
  };
}

/** Outcome of a write: the new session's times and the handles evicted to respect maxPerUser. */
export interface SessionWriteResult {
  createdAt: number;
  expiresAt: number;
  absoluteExpiresAt: number;
  evicted: string[];
}

/**
 * Computes new encoded data from the current one. A store may call it more than once (the Redis
 * store retries when another update got in first), always with the latest data.
 */
export type DataMerge = (current: string) => string;

/**
 * Where sessions live. Larder's own are RedisSessionStore (one script per operation) and
 * MemorySessionStore; the `session.store` option brings the application's own, provided through
 * `LARDER_SESSION_STORE`. Every operation is atomic (an update never resurrects a destroyed
 * session, a rotation has exactly one winner) and a store that cannot answer rejects, so the
 * service fails closed.
 *
 * @example CacheModule.forRoot({ session: { store: new PgSessionStore(pool), ttl: '1h' } })
 */
export interface SessionStore {
  /** Returns undefined when `source` is given but gone (rotated or destroyed meanwhile). */
  write(request: SessionWrite): Promise<SessionWriteResult | undefined>;
  /** Reads a session; `rolling` extends its idle lifetime (bounded by its deadline) in the same step. */
  read(handle: string, rolling: boolean): Promise<StoredSession | undefined>;
  /** Replaces the data with `merge(current)` atomically and only if the session exists; never recreates one. */
  update(handle: string, merge: DataMerge, rolling: boolean): Promise<StoredSession | undefined>;
  /** Extends the idle lifetime (bounded by the deadline); returns the new expiry, or undefined if gone. */
  touch(handle: string): Promise<number | undefined>;
  /** Deletes a session; returns whether it existed and its user. */
  destroy(handle: string): Promise<{ userId?: string } | undefined>;
  /** Live sessions of a user, oldest first; drops index entries of sessions that are gone. */
  list(userKey: string): Promise<StoredSession[]>;
  /** Atomically deletes every session of a user; returns the handles of those that were live. */
  destroyAll(userKey: string): Promise<string[]>;
  /** Releases what the store holds; called at shutdown for the stores Larder creates, never for the `session.store` option. */
  close(): Promise<void>;
}

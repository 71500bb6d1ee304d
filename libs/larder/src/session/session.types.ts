import type { Duration } from '../common/duration';

/**
 * What a session holds: a plain object, encoded with the module's serializer (strict JSON by
 * default, so Dates come back as ISO strings). `update` merges it by top-level field.
 *
 * @example
 * interface Cart extends SessionData { items: string[]; currency: string }
 */
export type SessionData = Record<string, unknown>;

/**
 * A live session as `get`, `update` and `SessionGuard` return it.
 *
 * @example
 * const session = await sessions.get(id);
 * if (session?.userId) console.log(`${session.userId} until ${session.expiresAt.toISOString()}`);
 */
export interface Session<T extends SessionData = SessionData> {
  /** The secret session id (what the cookie or bearer token carries). Never log it. */
  id: string;
  /**
   * SHA-256 of the id (base64url): the name Redis stores the session under. Safe to show or log;
   * it cannot be used as a session id. `listForUser` identifies sessions by it.
   */
  handle: string;
  /** The user the session belongs to, when it was created (or rotated) with one. */
  userId?: string;
  data: T;
  createdAt: Date;
  /** When the session ends unless it is used (`rolling`) or touched before. */
  expiresAt: Date;
  /** The hard end (`createdAt + maxLifetime`): no touch or read extends a session past it. */
  absoluteExpiresAt: Date;
}

/**
 * One entry of `listForUser`: a session without its secret id.
 *
 * @example
 * const devices = (await sessions.listForUser('u1')).map((s) => ({ handle: s.handle, since: s.createdAt }));
 */
export type SessionSummary<T extends SessionData = SessionData> = Omit<Session<T>, 'id'>;

/**
 * What `create` and `rotate` return: the new id (put it in the cookie) and when it ends.
 *
 * @example
 * const { id, expiresAt } = await sessions.create({ theme: 'dark' }, { userId: 'u1' });
 */
export interface CreatedSession {
  id: string;
  handle: string;
  expiresAt: Date;
  absoluteExpiresAt: Date;
}

/**
 * Options of `SessionService.create`.
 *
 * @example
 * await sessions.create({ role: 'admin' }, { userId: user.id, ttl: '15m' });
 */
export interface CreateSessionOptions {
  /** Binds the session to a user: it is listed by `listForUser` and ended by `destroyAllForUser`. */
  userId?: string;
  /** Idle lifetime of this session, overriding the module's `session.ttl` (never past `maxLifetime`). */
  ttl?: Duration;
}

/**
 * Options of `SessionService.rotate`.
 *
 * @example
 * // on login: the anonymous session (cart, locale) becomes the user's, under a new id
 * const { id } = await sessions.rotate(oldId, { userId: user.id });
 * // or start from exactly the user's data, whatever the old session held
 * const { id } = await sessions.rotate(oldId, { userId: user.id, data: { roles: user.roles } });
 */
export interface RotateSessionOptions {
  /**
   * Binds the new session to this user (a login). The session then starts a fresh lifetime, as
   * on `create`, and counts against the user's `maxPerUser`. Without it the new session keeps the
   * user, expiry and absolute deadline of the old one. When the old session belonged to a
   * different user, its data does not move: the new session starts with `data`, or empty.
   */
  userId?: string;
  /**
   * The new session's data, replacing the old session's (encoded like `create`'s). Pass it on
   * login to start from exactly what the authenticated user should have.
   */
  data?: SessionData;
}

/**
 * A shallow patch for `update`: each field given replaces the stored one, a field set to
 * `undefined` is removed, fields not mentioned are left alone.
 *
 * @example
 * await sessions.update<{ cart: string[]; coupon?: string }>(id, { cart: ['sku-1'], coupon: undefined });
 */
export type SessionPatch<T extends SessionData = SessionData> = { [K in keyof T]?: T[K] | undefined };

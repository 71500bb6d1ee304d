import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { closedError } from '../common/fail-closed';
import { LARDER_SESSION_OPTIONS, LARDER_SESSION_STORE } from '../larder.constants';
import { parseDuration } from '../common/duration';
import type { Serializer } from '../common/serializer';
import {
  checkCreateOptions,
  checkRotateOptions,
  checkUserId,
  notFound,
  runStore,
  userField,
} from './session-arguments';
import { checkFields, decodeData, encodeData, toSession, toSummary } from './session-codec';
import { readBearer, readCookie, serializeCookie, type IncomingHeaders } from './http/session-cookie';
import { appendSetCookie, type CookieResponse } from './http/set-cookie';
import { SessionEvents, type SessionEventListener, type SessionEventName } from './session-events';
import { HandleMemo, isWellFormedSessionId, newSessionId, sessionHandle, userHandle } from './session-id';
import type { ResolvedSessionOptions, SessionOptions } from './session-options';
import type { SessionStore, SessionWriteResult, StoredSession } from './session-store';
import type {
  CreatedSession,
  CreateSessionOptions,
  RotateSessionOptions,
  Session,
  SessionData,
  SessionPatch,
  SessionSummary,
} from './session.types';

/**
 * Server-side sessions in Redis (or in memory without Redis, or the `session.store` option): random 256-bit ids, stored under
 * their SHA-256; idle expiry that can slide (`rolling`) up to an absolute `maxLifetime`; atomic
 * merges that never bring a destroyed session back; rotation against fixation; and a per-user
 * index for "log out everywhere" and `maxPerUser`. Fails closed: when Redis fails, every method
 * rejects with `StoreUnavailableError` (map it to 503) instead of inventing or dropping a session.
 *
 * @example
 * const created = await sessions.create({ theme: 'dark' }, { userId: user.id });
 * sessions.setCookie(res, created); // res from @Res({ passthrough: true }), Express or Fastify
 * const { id } = created;
 * await sessions.update(id, { theme: 'light' });
 * await sessions.destroyAllForUser(user.id); // log out everywhere
 */
@Injectable()
export class SessionService implements OnApplicationShutdown {
  /** The validated `session` module options. */
  readonly options: ResolvedSessionOptions;
  private readonly serializer: Serializer;
  private readonly events = new SessionEvents();
  private readonly handles = new HandleMemo();

  constructor(
    @Inject(LARDER_SESSION_OPTIONS) options: SessionOptions,
    @Inject(LARDER_SESSION_STORE) private readonly store: SessionStore,
  ) {
    this.options = options;
    this.serializer = options.serializer;
  }

  /**
   * Starts a session. `data` is a plain object, encoded with the module's serializer (strict JSON by default).
   * With `userId`, the session joins the user's index (and may evict the user's oldest one past `maxPerUser`).
   * @example const { id, expiresAt } = await sessions.create({ cart: [] }, { userId: 'u1', ttl: '2h' });
   */
  async create<T extends SessionData>(
    data: T = {} as T,
    options: CreateSessionOptions = {},
  ): Promise<CreatedSession> {
    const { set } = checkFields(data, 'data');
    const encoded = encodeData(this.serializer, set, 'data');
    checkCreateOptions(options);
    const userId = checkUserId(options.userId, 'options.userId');
    const ttl = options.ttl === undefined ? this.options.ttl : parseDuration(options.ttl, 'ttl');
    const id = newSessionId();
    const handle = sessionHandle(id);
    const written = await runStore('create', () =>
      this.store.write({
        handle,
        userId,
        userKey: userId === undefined ? undefined : userHandle(userId),
        ttl,
        maxLifetime: this.options.maxLifetime,
        maxPerUser: this.options.maxPerUser,
        data: encoded,
      }),
    );
    return this.created(id, handle, userId, written as SessionWriteResult, 'create');
  }

  /**
   * The session, or undefined when it expired, was destroyed or the id is malformed (a malformed
   * id never reaches Redis). With `rolling`, the read also extends the idle expiry.
   * @throws StoreUnavailableError when Redis fails: no session is invented, none is dropped
   * @example const session = await sessions.get<{ cart: string[] }>(id);
   */
  get<T extends SessionData = SessionData>(id: string): Promise<Session<T> | undefined> {
    // Not `async`, and no runStore wrapper: every request reads its session, and those promise
    // layers cost more than the id's validation and hashing together. Same failure mapping.
    if (!isWellFormedSessionId(id)) return Promise.resolve(undefined);
    let read: Promise<StoredSession | undefined>;
    try {
      read = this.store.read(this.handles.handle(id), this.options.rolling);
    } catch (error) {
      return Promise.reject(closedError('Session get', error));
    }
    return read.then(
      (stored) => stored && toSession<T>(id, stored, this.serializer),
      (error: unknown) => {
        throw closedError('Session get', error);
      },
    );
  }

  /**
   * Merges `patch` into the session's data (top-level fields replace, fields set to undefined are
   * removed, others stay) atomically: the write only lands if the session still exists and nobody
   * changed it since it was read (otherwise the merge is redone on the newer data), so an update
   * never resurrects a destroyed session and concurrent updates never lose each other's fields.
   * @throws SessionNotFoundError when the session is gone (or the id is malformed)
   * @example const session = await sessions.update(id, { cart: [...cart, sku] });
   */
  async update<T extends SessionData = SessionData>(id: string, patch: SessionPatch<T>): Promise<Session<T>> {
    const { set, remove } = checkFields(patch, 'patch');
    // Encode the patch alone first, so a value that cannot be encoded fails before any store call.
    encodeData(this.serializer, set, 'patch');
    const handle = this.handleOrThrow(id);
    const merge = (current: string): string => {
      const data = decodeData(this.serializer, current);
      if (!data) throw notFound();
      const merged: Record<string, unknown> = { ...data, ...set };
      for (const name of remove) delete merged[name];
      return encodeData(this.serializer, merged, 'patch');
    };
    const stored = await runStore('update', () => this.store.update(handle, merge, this.options.rolling));
    const session = stored && toSession<T>(id, stored, this.serializer);
    if (!session) throw notFound();
    return session;
  }

  /**
   * Extends the idle expiry to now + ttl (never past the absolute deadline) and returns it.
   * @throws SessionNotFoundError when the session is gone
   * @example const expiresAt = await sessions.touch(id);
   */
  async touch(id: string): Promise<Date> {
    const handle = this.handleOrThrow(id);
    const expiresAt = await runStore('touch', () => this.store.touch(handle));
    if (expiresAt === undefined) throw notFound();
    return new Date(expiresAt);
  }

  /**
   * Ends a session at once; returns whether it existed.
   * @example await sessions.destroy(session.id); // log out here
   */
  async destroy(id: string): Promise<boolean> {
    if (!isWellFormedSessionId(id)) return false;
    const handle = this.handles.handle(id);
    this.handles.forget(id);
    const ended = await runStore('destroy', () => this.store.destroy(handle));
    if (!ended) return false;
    this.events.emit('session.destroyed', { handle, ...userField(ended.userId), reason: 'destroy' });
    return true;
  }

  /**
   * Moves the session to a new id in one step; the old id is invalid at once. Call it on login and
   * on any privilege change, against session fixation. With `userId` (a login) the session becomes
   * that user's and starts a fresh lifetime. The data moves along, except when the session
   * belonged to another user: then the new session starts empty, so one user never inherits
   * another's data. `data` replaces the data in every case.
   * @throws SessionNotFoundError when the session is gone
   * @example const { id: newId } = await sessions.rotate(oldId, { userId: user.id, data: { roles: user.roles } });
   */
  async rotate(id: string, options: RotateSessionOptions = {}): Promise<CreatedSession> {
    const handle = this.handleOrThrow(id);
    this.handles.forget(id);
    const { userId: requestedUser, data: givenFields } = checkRotateOptions(options);
    const newUser = checkUserId(requestedUser, 'options.userId');
    const given = givenFields === undefined ? undefined : checkFields(givenFields, 'options.data').set;
    const givenData = given && encodeData(this.serializer, given, 'options.data');
    // The old session's user names the index the script must declare, so read it first. A
    // handle's user never changes (a new user means a new handle), so this read cannot go stale.
    const old = await runStore('rotate', () => this.store.read(handle, false));
    if (!old) throw notFound();
    const userId = newUser ?? old.userId;
    const userChanged = old.userId !== undefined && userId !== old.userId;
    const data = givenData ?? (userChanged ? encodeData(this.serializer, {}, 'options.data') : undefined);
    const newId = newSessionId();
    const newHandle = sessionHandle(newId);
    const written = await runStore('rotate', () =>
      this.store.write({
        handle: newHandle,
        userId,
        userKey: userId === undefined ? undefined : userHandle(userId),
        ttl: newUser === undefined ? old.ttl : this.options.ttl,
        maxLifetime: this.options.maxLifetime,
        maxPerUser: this.options.maxPerUser,
        data: data ?? '',
        source: {
          handle,
          keepLifetime: newUser === undefined,
          keepData: data === undefined,
          previousUserKey: userChanged ? userHandle(old.userId as string) : undefined,
        },
      }),
    );
    if (!written) throw notFound();
    this.events.emit('session.destroyed', { handle, ...userField(old.userId), reason: 'rotate' });
    return this.created(newId, newHandle, userId, written, 'rotate');
  }

  /**
   * The user's live sessions, oldest first, without their ids (identify them by `handle`).
   * Index entries of sessions that are gone are dropped on the way.
   * @example const devices = await sessions.listForUser(user.id);
   */
  async listForUser<T extends SessionData = SessionData>(userId: string): Promise<Array<SessionSummary<T>>> {
    const user = checkUserId(userId, 'userId', true);
    const stored = await runStore('listForUser', () => this.store.list(userHandle(user)));
    return stored
      .map((s) => toSummary<T>(s, this.serializer))
      .filter((s): s is SessionSummary<T> => s !== undefined);
  }

  /**
   * Log out everywhere: ends every session of the user in one atomic step; returns how many were live.
   * @example await sessions.destroyAllForUser(user.id);
   */
  async destroyAllForUser(userId: string): Promise<number> {
    const user = checkUserId(userId, 'userId', true);
    const handles = await runStore('destroyAllForUser', () => this.store.destroyAll(userHandle(user)));
    for (const handle of handles)
      this.events.emit('session.destroyed', { handle, userId: user, reason: 'destroy-all' });
    return handles.length;
  }

  /**
   * Subscribes to `session.created` / `session.destroyed`.
   * @example sessions.on('session.created', (e) => logger.log(`session ${e.handle} for ${e.userId}`));
   */
  on<E extends SessionEventName>(event: E, listener: SessionEventListener<E>): void {
    this.events.on(event, listener);
  }

  /**
   * Removes a listener added with `on`.
   * @example sessions.off('session.created', listener);
   */
  off<E extends SessionEventName>(event: E, listener: SessionEventListener<E>): void {
    this.events.off(event, listener);
  }

  /**
   * The session id a request carries: the session cookie, else (if `bearer` is on) an
   * `Authorization: Bearer` token. Not validated: pass it to `get`.
   * @example const id = sessions.readId(req.headers);
   */
  readId(headers: IncomingHeaders): string | undefined {
    const fromCookie = readCookie(headers.cookie, this.options.cookie.name);
    if (fromCookie) return fromCookie;
    return this.options.bearer ? readBearer(headers.authorization) : undefined;
  }

  /**
   * A `Set-Cookie` value carrying the session id: HttpOnly, SameSite and Secure as configured,
   * expiring at the session's absolute deadline (the server decides about idle expiry).
   * @example res.setHeader('Set-Cookie', sessions.cookieHeader(await sessions.create({}, { userId })));
   */
  cookieHeader(session: Pick<CreatedSession, 'id' | 'absoluteExpiresAt'>): string {
    const { name, ...attributes } = this.options.cookie;
    return serializeCookie(name, session.id, { ...attributes, expires: session.absoluteExpiresAt });
  }

  /**
   * A `Set-Cookie` value that deletes the session cookie (send it on logout).
   * @example res.setHeader('Set-Cookie', sessions.clearCookieHeader());
   */
  clearCookieHeader(): string {
    const { name, ...attributes } = this.options.cookie;
    return serializeCookie(name, '', { ...attributes, expires: new Date(0), maxAge: 0 });
  }

  /**
   * Sets the session cookie on the response (`cookieHeader`), on Express and Fastify alike,
   * keeping any other cookie already set. Pass the response from `@Res({ passthrough: true })`.
   * @throws InvalidArgumentError when `response` is not an HTTP response
   * @example sessions.setCookie(res, await sessions.create({}, { userId: user.id }));
   */
  setCookie(response: CookieResponse, session: Pick<CreatedSession, 'id' | 'absoluteExpiresAt'>): void {
    appendSetCookie(response, this.cookieHeader(session));
  }

  /**
   * Deletes the session cookie in the browser (`clearCookieHeader`), on Express and Fastify alike.
   * @throws InvalidArgumentError when `response` is not an HTTP response
   * @example await sessions.destroy(id); sessions.clearCookie(res);
   */
  clearCookie(response: CookieResponse): void {
    appendSetCookie(response, this.clearCookieHeader());
  }

  async onApplicationShutdown(): Promise<void> {
    // A store given as `session.store` is the application's to close.
    if (this.options.store === undefined) await this.store.close();
  }

  private created(
    id: string,
    handle: string,
    userId: string | undefined,
    written: SessionWriteResult,
    reason: 'create' | 'rotate',
  ): CreatedSession {
    for (const evicted of written.evicted) {
      this.events.emit('session.destroyed', { handle: evicted, ...userField(userId), reason: 'evict' });
    }
    const expiresAt = new Date(written.expiresAt);
    this.events.emit('session.created', { handle, ...userField(userId), expiresAt, reason });
    return { id, handle, expiresAt, absoluteExpiresAt: new Date(written.absoluteExpiresAt) };
  }

  private handleOrThrow(id: string): string {
    if (!isWellFormedSessionId(id)) throw notFound();
    return this.handles.handle(id);
  }
}

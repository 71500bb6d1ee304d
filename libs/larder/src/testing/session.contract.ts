import { jestGlobals } from './jest-globals';
import {
  InvalidArgumentError,
  InvalidOptionError,
  LARDER_SESSION_STORE,
  NotSerializableError,
  SessionNotFoundError,
  SessionService,
  type LarderModuleOptions,
  type SessionEventMap,
  type SessionModuleOptions,
  type SessionStore,
} from '../index';
// Past this many entries any create drops those of sessions that are gone (docs/sessions.md); a store may prune sooner.
import { INDEX_PRUNE_AT as CROWDED_INDEX_SIZE } from '../session/redis-session.store';
import { userHandle } from '../session/session-id';
import { eventually, startLarder, uniqueNamespace, type LarderTestingModule } from './testing-module';

/**
 * How the suite looks inside a session store, for what the service API cannot show: index
 * entries left behind by sessions that are gone, or a record brought back by a racing update.
 */
export interface SessionStoreInspector {
  /** Entries in a user's index (`userKey`, as in `SessionWrite.userKey`), whether their sessions live or not. */
  indexSize(userKey: string): Promise<number>;
  /** Whether anything at all is stored under a session handle, even a partial record. */
  holds(handle: string): Promise<boolean>;
}

/** One setup of the session contract: how to configure the module, and how to look inside its store. */
export interface SessionContractSetup {
  /** Module options (`redis`, `session.store`, ...); each test adds its own namespace and `session` fields. */
  options: () => LarderModuleOptions;
  /** An inspector for the store of a module the suite started, under `namespace`. */
  inspect: (moduleRef: LarderTestingModule, namespace: string) => SessionStoreInspector;
}

/**
 * Runs SessionService on a store through everything the service promises: data round trips,
 * idle and absolute expiry, rolling reads, atomic updates that never resurrect a session,
 * rotation with one winner, per-user indexes, `maxPerUser`, events. A jest suite (it calls
 * describe/it/expect); run it with your own store given as `session.store`.
 *
 * @example
 * describeSessionContract('Postgres', {
 *   options: () => ({ session: { store: new PgSessionStore(pool) } }),
 *   inspect: () => ({ indexSize: (userKey) => countIndex(pool, userKey), holds: (handle) => hasRow(pool, handle) }),
 * });
 */
export function describeSessionContract(name: string, { options, inspect }: SessionContractSetup): void {
  const { afterEach, describe, expect, it, jest } = jestGlobals();
  describe(`SessionService contract: ${name}`, () => {
    let modules: LarderTestingModule[] = [];

    async function setup(session?: SessionModuleOptions) {
      const namespace = uniqueNamespace('sess');
      const base = options();
      const moduleRef = await startLarder({ ...base, namespace, session: { ...base.session, ...session } });
      modules.push(moduleRef);
      const sessions = moduleRef.get(SessionService);
      const store = moduleRef.get<SessionStore>(LARDER_SESSION_STORE);
      const inspector = inspect(moduleRef, namespace);
      /** Index entries of a user, live or not, read straight from the store. */
      const indexSize = (userId: string): Promise<number> => inspector.indexSize(userHandle(userId));
      /** Whether anything is stored under a handle (a resurrected record would show here even without its header). */
      const stored = (handle: string): Promise<boolean> => inspector.holds(handle);
      return { sessions, store, indexSize, stored };
    }

    const waitUntil = (epochMs: number, what: string) =>
      eventually(() => Date.now() >= epochMs, 10_000, what);

    afterEach(async () => {
      await Promise.all(modules.map((m) => m.close()));
      modules = [];
    });

    it('creates, reads, updates and destroys a session', async () => {
      const { sessions } = await setup({ ttl: '1h' });
      const data = { cart: ['a', 'b'], empty: [], nested: { n: 1, ok: true, none: null }, count: 3 };
      const created = await sessions.create(data, { userId: 'alice' });
      expect(created.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
      const read = await sessions.get(created.id);
      expect(read).toMatchObject({ id: created.id, handle: created.handle, userId: 'alice', data });
      expect(read?.expiresAt).toEqual(created.expiresAt);

      const updated = await sessions.update(created.id, { count: 4, theme: 'dark', cart: undefined });
      expect(updated.data).toEqual({ empty: [], nested: data.nested, count: 4, theme: 'dark' });
      expect((await sessions.get(created.id))?.data).toEqual(updated.data);

      expect(await sessions.destroy(created.id)).toBe(true);
      expect(await sessions.get(created.id)).toBeUndefined();
      expect(await sessions.destroy(created.id)).toBe(false);
    });

    it('an anonymous session has no userId and an empty data object by default', async () => {
      const { sessions } = await setup();
      const { id } = await sessions.create();
      const session = await sessions.get(id);
      expect(session?.data).toEqual({});
      expect(session).not.toHaveProperty('userId');
    });

    it('refuses malformed ids without touching the store', async () => {
      const { sessions, store } = await setup();
      const methods = ['write', 'read', 'update', 'touch', 'destroy', 'list', 'destroyAll'] as const;
      const spies = methods.map((method) => jest.spyOn(store, method));
      const valid = (await sessions.create()).id;
      for (const spy of spies) spy.mockClear();
      const malformed = [
        '',
        'abc',
        `${valid}=`,
        `${valid.slice(0, 42)}.`,
        `${valid} `,
        valid.slice(1),
        undefined,
        42,
        { id: valid },
      ];
      for (const id of malformed as string[]) {
        expect(await sessions.get(id)).toBeUndefined();
        expect(await sessions.destroy(id)).toBe(false);
        await expect(sessions.update(id, { a: 1 })).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(sessions.touch(id)).rejects.toBeInstanceOf(SessionNotFoundError);
        await expect(sessions.rotate(id)).rejects.toBeInstanceOf(SessionNotFoundError);
      }
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      // A well-formed id that was never issued is simply unknown.
      const unknown = valid.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
      expect(await sessions.get(unknown)).toBeUndefined();
    });

    it('rejects bad arguments with typed errors that name them', async () => {
      const { sessions } = await setup();
      await expect(sessions.create('x' as never)).rejects.toThrow(InvalidArgumentError);
      await expect(sessions.create([] as never)).rejects.toThrow(/Invalid data/);
      await expect(sessions.create({}, { userId: '' })).rejects.toThrow(/options\.userId/);
      await expect(sessions.create({}, { userId: 7 as never })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(sessions.create({}, { ttl: 'soon' as never })).rejects.toThrow(InvalidOptionError);
      await expect(sessions.create({}, { ttl: 0 })).rejects.toThrow(/ttl/);
      await expect(sessions.create({ f: () => 1 })).rejects.toThrow(NotSerializableError);
      await expect(sessions.create({ f: () => 1 })).rejects.toThrow(/"data".*"f"/);
      await expect(sessions.create(JSON.parse('{"__proto__": {"admin": true}}'))).rejects.toThrow(
        /__proto__/,
      );
      const { id } = await sessions.create({ keep: 1 });
      await expect(sessions.update(id, null as never)).rejects.toThrow(/Invalid patch/);
      await expect(sessions.update(id, { big: 10n })).rejects.toThrow(/"patch".*"big"/);
      await expect(sessions.listForUser('')).rejects.toThrow(/userId/);
      await expect(sessions.destroyAllForUser(undefined as never)).rejects.toThrow(/userId/);
      await expect(sessions.rotate(id, { userId: '' })).rejects.toThrow(/options\.userId/);
      await expect(sessions.create({}, { userId: 'bad\uD800' })).rejects.toThrow(/options\.userId/);
      // Nothing was half-written by the failed update.
      expect((await sessions.get(id))?.data).toEqual({ keep: 1 });
    });

    it('refuses unknown create and rotate options, naming them, before touching the store', async () => {
      const { sessions } = await setup();
      const created: unknown[] = [];
      sessions.on('session.created', (e) => created.push(e));
      await expect(sessions.create({}, { userID: 'u1' } as never)).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
        message: expect.stringMatching(/^Unknown create option "userID"\. Did you mean "userId"\?/),
      });
      await expect(sessions.create({}, { tll: '1h' } as never)).rejects.toThrow(/"tll".*"ttl"/);
      const { id } = await sessions.create({ keep: 1 });
      await expect(sessions.rotate(id, { userid: 'u1' } as never)).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
        message: expect.stringMatching(/^Unknown rotate option "userid"\. Did you mean "userId"\?/),
      });
      await expect(sessions.rotate(id, null as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      // The refused rotations left the session where it was.
      expect((await sessions.get(id))?.data).toEqual({ keep: 1 });
      expect(created).toHaveLength(1);
    });

    it("concurrent updates of one session never lose each other's fields", async () => {
      const { sessions } = await setup();
      const { id } = await sessions.create({ base: true });
      await Promise.all(Array.from({ length: 20 }, (_, n) => sessions.update(id, { [`f${n}`]: n })));
      const data = (await sessions.get(id))?.data;
      expect(Object.keys(data ?? {}).sort()).toEqual(
        ['base', ...Array.from({ length: 20 }, (_, n) => `f${n}`)].sort(),
      );
    });

    it('keeps any user id intact, including separators and non-ASCII characters', async () => {
      const { sessions } = await setup();
      const userId = 'o|dd:{id}%20 ünï 🙂';
      const { id } = await sessions.create({ a: 1 }, { userId });
      expect((await sessions.get(id))?.userId).toBe(userId);
      expect((await sessions.listForUser(userId)).map((s) => s.userId)).toEqual([userId]);
      expect(await sessions.destroyAllForUser(userId)).toBe(1);
    });

    it('an update racing a destroy never resurrects the session (100 rounds)', async () => {
      const { sessions, stored } = await setup();
      let resurrected = 0;
      let updatesAfterDestroy = 0;
      let updatesBeforeDestroy = 0;
      for (let round = 0; round < 100; round++) {
        const { id, handle } = await sessions.create({ round });
        // Alternate who is issued first so both interleavings happen.
        const racers =
          round % 2 === 0
            ? [sessions.update(id, { round: -1 }), sessions.destroy(id)]
            : [sessions.destroy(id), sessions.update(id, { round: -1 })];
        const results = await Promise.allSettled(racers);
        const update = results[round % 2 === 0 ? 0 : 1];
        if (update.status === 'rejected') {
          expect(update.reason).toBeInstanceOf(SessionNotFoundError);
          updatesAfterDestroy++;
        } else {
          updatesBeforeDestroy++;
        }
        if ((await sessions.get(id)) !== undefined || (await stored(handle))) resurrected++;
      }
      expect(resurrected).toBe(0);
      expect(updatesAfterDestroy).toBeGreaterThan(0);
      expect(updatesAfterDestroy + updatesBeforeDestroy).toBe(100);
    });

    it('without rolling, reads do not extend the expiry and the session ends after ttl', async () => {
      const { sessions } = await setup({ ttl: '2s' });
      const created = await sessions.create({ a: 1 });
      await waitUntil(created.expiresAt.getTime() - 1700, '300ms to pass');
      expect((await sessions.get(created.id))?.expiresAt).toEqual(created.expiresAt);
      await eventually(
        async () => (await sessions.get(created.id)) === undefined,
        5000,
        'the session to expire',
      );
      expect(Date.now()).toBeGreaterThanOrEqual(created.expiresAt.getTime());
    });

    it('with rolling, reads and updates extend the idle expiry past the original ttl', async () => {
      const { sessions } = await setup({ ttl: '2s', rolling: true, maxLifetime: '1m' });
      const created = await sessions.create({ a: 1 });
      const first = created.expiresAt.getTime();
      await waitUntil(first - 1600, '400ms to pass');
      const read = await sessions.get(created.id);
      expect(read?.expiresAt.getTime()).toBeGreaterThanOrEqual(first + 350);
      const updated = await sessions.update(created.id, { a: 2 });
      expect(updated.expiresAt.getTime()).toBeGreaterThanOrEqual(read!.expiresAt.getTime());
      // Keep using it: it must outlive its first expiry by more than half a second.
      await eventually(
        async () => {
          expect(await sessions.get(created.id)).toBeDefined();
          return Date.now() > first + 600;
        },
        10_000,
        'the original expiry to pass',
      );
    });

    it('the absolute lifetime caps rolling reads and touches', async () => {
      const { sessions } = await setup({ ttl: '1s', rolling: true, maxLifetime: '2s' });
      const created = await sessions.create({});
      const deadline = created.absoluteExpiresAt.getTime();
      const createdAt = (await sessions.get(created.id))!.createdAt.getTime();
      expect(deadline - createdAt).toBe(2000);
      let lastAlive = 0;
      await eventually(
        async () => {
          const before = Date.now();
          const session = await sessions.get(created.id);
          if (!session) return true;
          expect(session.expiresAt.getTime()).toBeLessThanOrEqual(deadline);
          lastAlive = before;
          // The deadline may pass between the read and the touch; then touch finds nothing, rightly.
          const touched = await sessions.touch(created.id).catch((error: unknown) => {
            if (error instanceof SessionNotFoundError && Date.now() >= deadline) return undefined;
            throw error;
          });
          if (!touched) return true;
          expect(touched.getTime()).toBeLessThanOrEqual(deadline);
          return false;
        },
        10_000,
        'the absolute deadline to end the session',
      );
      expect(lastAlive).toBeLessThanOrEqual(deadline);
      // It did roll: it lived well past its 1s idle ttl.
      expect(lastAlive).toBeGreaterThan(createdAt + 1300);
    });

    it('touch extends the idle expiry and fails for a gone session', async () => {
      const { sessions } = await setup({ ttl: '2s' });
      const created = await sessions.create({});
      await waitUntil(created.expiresAt.getTime() - 1600, '400ms to pass');
      const touched = await sessions.touch(created.id);
      expect(touched.getTime()).toBeGreaterThanOrEqual(created.expiresAt.getTime() + 350);
      expect((await sessions.get(created.id))?.expiresAt).toEqual(touched);
      await sessions.destroy(created.id);
      await expect(sessions.touch(created.id)).rejects.toBeInstanceOf(SessionNotFoundError);
    });

    it('a per-session ttl overrides the module ttl but never passes maxLifetime', async () => {
      const { sessions } = await setup({ ttl: '1h', maxLifetime: '2h' });
      const short = await sessions.create({}, { ttl: '10s' });
      expect(short.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(10_000);
      const long = await sessions.create({}, { ttl: '5h' });
      expect(long.expiresAt).toEqual(long.absoluteExpiresAt);
    });

    it('rotate moves the data to a new id and invalidates the old id at once', async () => {
      const { sessions } = await setup();
      const old = await sessions.create({ cart: ['x'] }, { userId: 'alice' });
      const before = await sessions.get(old.id);
      const rotated = await sessions.rotate(old.id);
      expect(rotated.id).not.toBe(old.id);
      expect(await sessions.get(old.id)).toBeUndefined();
      await expect(sessions.update(old.id, { a: 1 })).rejects.toBeInstanceOf(SessionNotFoundError);
      await expect(sessions.rotate(old.id)).rejects.toBeInstanceOf(SessionNotFoundError);
      const now = await sessions.get(rotated.id);
      expect(now).toMatchObject({ userId: 'alice', data: { cart: ['x'] } });
      expect(now?.createdAt).toEqual(before?.createdAt);
      expect(now?.absoluteExpiresAt).toEqual(before?.absoluteExpiresAt);
      expect((await sessions.listForUser('alice')).map((s) => s.handle)).toEqual([rotated.handle]);
    });

    it('rotate with a userId binds the session to that user (login) with a fresh lifetime', async () => {
      const { sessions, indexSize } = await setup({ ttl: '1h' });
      const anonymous = await sessions.create({ cart: ['x'] }, { ttl: '1m' });
      const bob = await sessions.rotate(anonymous.id, { userId: 'bob' });
      expect(await sessions.get(bob.id)).toMatchObject({ userId: 'bob', data: { cart: ['x'] } });
      expect(bob.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
      expect((await sessions.listForUser('bob')).map((s) => s.handle)).toEqual([bob.handle]);
      const carol = await sessions.rotate(bob.id, { userId: 'carol' });
      expect(await sessions.listForUser('bob')).toEqual([]);
      expect(await indexSize('bob')).toBe(0);
      expect((await sessions.listForUser('carol')).map((s) => s.handle)).toEqual([carol.handle]);
    });

    it("rotate to a different user never carries the previous user's data; the index moves with it", async () => {
      const { sessions, indexSize } = await setup();
      const alice = await sessions.create({ roles: ['admin'] }, { userId: 'alice' });
      const bob = await sessions.rotate(alice.id, { userId: 'bob' });
      expect(await sessions.get(alice.id)).toBeUndefined();
      expect(await sessions.get(bob.id)).toMatchObject({ userId: 'bob', data: {} });
      expect(await sessions.listForUser('alice')).toEqual([]);
      expect(await indexSize('alice')).toBe(0);
      expect((await sessions.listForUser('bob')).map((s) => s.handle)).toEqual([bob.handle]);
      // The same user logging in again keeps the data; an anonymous session becomes the user's with it.
      const again = await sessions.rotate(bob.id, { userId: 'bob' });
      await sessions.update(again.id, { cart: ['y'] });
      expect((await sessions.get((await sessions.rotate(again.id, { userId: 'bob' })).id))?.data).toEqual({
        cart: ['y'],
      });
      const visitor = await sessions.create({ cart: ['z'] });
      const carol = await sessions.rotate(visitor.id, { userId: 'carol' });
      expect(await sessions.get(carol.id)).toMatchObject({ userId: 'carol', data: { cart: ['z'] } });
    });

    it('rotate with data replaces the data, with or without a new user', async () => {
      const { sessions } = await setup();
      const old = await sessions.create({ roles: ['admin'], cart: ['x'] }, { userId: 'alice' });
      const before = await sessions.get(old.id);
      const same = await sessions.rotate(old.id, { data: { cart: [] } });
      const now = await sessions.get(same.id);
      expect(now).toMatchObject({ userId: 'alice', data: { cart: [] } });
      expect(now?.absoluteExpiresAt).toEqual(before?.absoluteExpiresAt);
      const dave = await sessions.rotate(same.id, { userId: 'dave', data: { roles: ['customer'] } });
      expect(await sessions.get(dave.id)).toMatchObject({ userId: 'dave', data: { roles: ['customer'] } });
      await expect(sessions.rotate(dave.id, { data: 'x' as never })).rejects.toThrow(/Invalid options\.data/);
      await expect(sessions.rotate(dave.id, { data: { n: 1n } })).rejects.toThrow(NotSerializableError);
      // A refused rotation changed nothing.
      expect((await sessions.get(dave.id))?.data).toEqual({ roles: ['customer'] });
    });

    it("rotate to a different user counts against the new user's maxPerUser", async () => {
      const { sessions, indexSize } = await setup({ maxPerUser: 1 });
      const bobsOther = await sessions.create({ device: 'phone' }, { userId: 'bob' });
      const alice = await sessions.create({ roles: ['admin'] }, { userId: 'alice' });
      const bob = await sessions.rotate(alice.id, { userId: 'bob' });
      expect(await sessions.get(bobsOther.id)).toBeUndefined();
      expect((await sessions.listForUser('bob')).map((s) => s.handle)).toEqual([bob.handle]);
      expect(await indexSize('bob')).toBe(1);
      expect(await indexSize('alice')).toBe(0);
    });

    it('two concurrent rotations of one id: exactly one wins', async () => {
      const { sessions } = await setup();
      const { id } = await sessions.create({ a: 1 }, { userId: 'dave' });
      const results = await Promise.allSettled([sessions.rotate(id), sessions.rotate(id)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({
        reason: expect.any(SessionNotFoundError),
      });
      expect(await sessions.listForUser('dave')).toHaveLength(1);
    });

    it('destroyAllForUser removes all sessions of the user and only them', async () => {
      const { sessions, indexSize } = await setup();
      const mine = await Promise.all([1, 2, 3].map((n) => sessions.create({ n }, { userId: 'erin' })));
      const theirs = await sessions.create({}, { userId: 'frank' });
      const anonymous = await sessions.create({});
      expect((await sessions.listForUser('erin')).map((s) => s.handle).sort()).toEqual(
        mine.map((s) => s.handle).sort(),
      );
      expect(await sessions.destroyAllForUser('erin')).toBe(3);
      for (const s of mine) expect(await sessions.get(s.id)).toBeUndefined();
      expect(await sessions.get(theirs.id)).toBeDefined();
      expect(await sessions.get(anonymous.id)).toBeDefined();
      expect(await sessions.listForUser('erin')).toEqual([]);
      expect(await indexSize('erin')).toBe(0);
      expect(await sessions.destroyAllForUser('erin')).toBe(0);
    });

    it('destroyAllForUser racing creates leaves no live session outside the index', async () => {
      const { sessions } = await setup();
      const early = await Promise.all([1, 2, 3].map(() => sessions.create({}, { userId: 'gina' })));
      const [, ...racing] = await Promise.all([
        sessions.destroyAllForUser('gina'),
        ...Array.from({ length: 10 }, () => sessions.create({}, { userId: 'gina' })),
      ]);
      for (const s of early) expect(await sessions.get(s.id)).toBeUndefined();
      const listed = new Set((await sessions.listForUser('gina')).map((s) => s.handle));
      for (const s of racing as Array<{ id: string; handle: string }>) {
        if (await sessions.get(s.id)) expect(listed.has(s.handle)).toBe(true);
      }
      await sessions.destroyAllForUser('gina');
      for (const s of racing as Array<{ id: string }>) expect(await sessions.get(s.id)).toBeUndefined();
    });

    it('maxPerUser evicts the oldest session', async () => {
      const { sessions } = await setup({ maxPerUser: 2 });
      const first = await sessions.create({ n: 1 }, { userId: 'hank' });
      const second = await sessions.create({ n: 2 }, { userId: 'hank' });
      await sessions.destroy(second.id);
      const third = await sessions.create({ n: 3 }, { userId: 'hank' });
      // A destroyed session does not count: nothing was evicted yet.
      expect(await sessions.get(first.id)).toBeDefined();
      const fourth = await sessions.create({ n: 4 }, { userId: 'hank' });
      expect(await sessions.get(first.id)).toBeUndefined();
      expect((await sessions.listForUser('hank')).map((s) => s.handle)).toEqual([
        third.handle,
        fourth.handle,
      ]);
      // Rotation keeps the count: the rotated session replaces itself.
      const rotated = await sessions.rotate(third.id);
      expect((await sessions.listForUser('hank')).map((s) => s.handle).sort()).toEqual(
        [rotated.handle, fourth.handle].sort(),
      );
    });

    it('maxPerUser keeps the newest sessions even when several are created in the same millisecond', async () => {
      const { sessions } = await setup({ maxPerUser: 2 });
      for (let round = 0; round < 20; round++) {
        // Issued together, the three creates run back to back (within microseconds on Redis).
        const [, second, third] = await Promise.all(
          [1, 2, 3].map(() => sessions.create({}, { userId: 'iris' })),
        );
        const listed = (await sessions.listForUser('iris')).map((s) => s.handle).sort();
        expect(listed).toEqual([second.handle, third.handle].sort());
      }
    });

    it('maxPerUser holds under concurrent creates', async () => {
      const { sessions } = await setup({ maxPerUser: 3 });
      const created = await Promise.all(
        Array.from({ length: 12 }, (_, n) => sessions.create({ n }, { userId: 'ivy' })),
      );
      const alive = (await Promise.all(created.map((s) => sessions.get(s.id)))).filter(Boolean);
      expect(alive).toHaveLength(3);
      expect(await sessions.listForUser('ivy')).toHaveLength(3);
    });

    it('index entries of expired sessions are pruned', async () => {
      const { sessions, indexSize } = await setup({ ttl: '300ms', maxLifetime: '1h' });
      // Exactly one entry more than a crowded index: none of these creates sees a crowded index, so
      // however slowly they run (sessions expiring meanwhile), all of them are still listed at the end.
      // With more, a create past the threshold would prune the early ones and leave the index short.
      const many: Array<{ id: string }> = [];
      for (let n = 0; n <= CROWDED_INDEX_SIZE; n++)
        many.push(await sessions.create({ n }, { userId: 'jack' }));
      await eventually(
        async () => (await sessions.get(many[CROWDED_INDEX_SIZE].id)) === undefined,
        5000,
        'the sessions to expire',
      );
      // A create on a crowded index drops the entries of sessions that are gone.
      await sessions.create({}, { userId: 'jack' });
      expect(await indexSize('jack')).toBe(1);
      // Listing prunes too.
      await eventually(
        async () => (await sessions.listForUser('jack')).length === 0,
        5000,
        'the last session to expire',
      );
      expect(await indexSize('jack')).toBe(0);
    });

    it('emits session.created and session.destroyed with reasons, never the id', async () => {
      const { sessions } = await setup({ maxPerUser: 1 });
      const events: Array<[string, SessionEventMap[keyof SessionEventMap]]> = [];
      const onCreated = (e: SessionEventMap['session.created']) => events.push(['created', e]);
      const onDestroyed = (e: SessionEventMap['session.destroyed']) => events.push(['destroyed', e]);
      sessions.on('session.created', onCreated);
      sessions.on('session.destroyed', onDestroyed);
      sessions.on('session.created', () => {
        throw new Error('a broken listener must not break create');
      });
      const a = await sessions.create({}, { userId: 'kim' });
      const b = await sessions.create({}, { userId: 'kim' });
      const c = await sessions.rotate(b.id);
      await sessions.destroy(c.id);
      const d = await sessions.create({}, { userId: 'kim' });
      await sessions.destroyAllForUser('kim');
      expect(events.map(([kind, e]) => `${kind}:${e.reason}:${e.handle}`)).toEqual([
        `created:create:${a.handle}`,
        `destroyed:evict:${a.handle}`,
        `created:create:${b.handle}`,
        `destroyed:rotate:${b.handle}`,
        `created:rotate:${c.handle}`,
        `destroyed:destroy:${c.handle}`,
        `created:create:${d.handle}`,
        `destroyed:destroy-all:${d.handle}`,
      ]);
      expect(events.every(([, e]) => e.userId === 'kim')).toBe(true);
      const text = JSON.stringify(events);
      for (const s of [a, b, c, d]) expect(text).not.toContain(s.id);
      sessions.off('session.created', onCreated);
      await sessions.create({});
      expect(events).toHaveLength(8);
    });
  });
}

import { jestGlobals } from './jest-globals';
import type { Cache } from 'cache-manager';
import { CACHE_MANAGER, CacheService, type CacheScope, type LarderModuleOptions } from '../index';
import { checkStoreStats } from './store-stats.case';
import { startLarder, eventually, uniqueNamespace, type LarderTestingModule } from './testing-module';

/**
 * Runs the whole CacheService API on one setup: the behaviour memory, Redis through @keyv/redis,
 * a shared ioredis instance, L1 in front of Redis and any Keyv store (the `store` option) all
 * share. A jest suite (it calls describe/it/expect); `makeOptions` runs before each test.
 *
 * @example
 * describeCacheContract('my Keyv store', () => ({ store: new KeyvPostgres(url) }));
 */
export function describeCacheContract(setup: string, makeOptions: () => LarderModuleOptions): void {
  const { afterEach, beforeEach, describe, expect, it, jest } = jestGlobals();
  describe(`CacheService contract: ${setup}`, () => {
    let moduleRef: LarderTestingModule;
    let cache: CacheService;

    beforeEach(async () => {
      moduleRef = await startLarder({ namespace: uniqueNamespace(), ...makeOptions() });
      cache = moduleRef.get(CacheService);
    });

    afterEach(async () => {
      // Leave the shared test server as found: other suites scan it.
      await cache.clear();
      await moduleRef.close();
    });

    it('misses on an unknown key and round-trips every JSON value, including null', async () => {
      expect(await cache.get('nothing')).toBeUndefined();
      const values: Array<[string, unknown]> = [
        ['object', { a: 1, nested: { list: [1, 'two', null] } }],
        ['string', 'hello'],
        ['number', 42.5],
        ['zero', 0],
        ['false', false],
        ['null', null],
        ['array', [1, 2, 3]],
      ];
      for (const [key, value] of values) await cache.set(key, value);
      for (const [key, value] of values) expect(await cache.get(key)).toEqual(value);
      expect(await cache.has('null')).toBe(true);
    });

    it('refuses undefined, circular structures, BigInt, functions and symbols before writing anything', async () => {
      const errors: unknown[] = [];
      cache.on('error', (e) => errors.push(e.error));
      const circular: Record<string, unknown> = { name: 'loop' };
      circular.self = circular;
      const bad: unknown[] = [
        undefined,
        circular,
        { big: 10n },
        10n,
        { fn: () => 1 },
        () => 1,
        [undefined],
        Symbol('top-level'),
        { sym: Symbol('nested') },
      ];
      for (const value of bad) {
        for (const tags of [[], ['bad-tag']]) {
          await expect(cache.set('bad', value, { tags })).rejects.toMatchObject({
            code: 'E_NOT_SERIALIZABLE',
          });
        }
        await expect(cache.setMany([{ key: 'bad-many', value }])).rejects.toMatchObject({
          code: 'E_NOT_SERIALIZABLE',
        });
        if (value !== undefined) {
          await expect(cache.getOrSet('bad-loaded', async () => value)).rejects.toMatchObject({
            code: 'E_NOT_SERIALIZABLE',
          });
        }
      }
      expect(await cache.getMany(['bad', 'bad-many', 'bad-loaded'])).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect(await cache.invalidateTags(['bad-tag'])).toBe(0);
      // A value the serializer refuses is the caller's mistake, not an outage.
      expect(errors).toEqual([]);
      expect(cache.stats().errors).toBe(0);
    });

    it('refuses a value larger than maxValueSize (default 4 MiB, in UTF-8 bytes) before writing anything', async () => {
      const tenMb = 'x'.repeat(10 * 1024 * 1024);
      const fiveMbOfTwoByteChars = 'é'.repeat(2.5 * 1024 * 1024);
      for (const value of [tenMb, { nested: fiveMbOfTwoByteChars }]) {
        await expect(cache.set('big', value, { tags: ['big-tag'] })).rejects.toMatchObject({
          code: 'E_VALUE_TOO_LARGE',
          message: expect.stringMatching(/"big".* \d{7,} bytes.*maxValueSize \(4194304\)/),
        });
        await expect(cache.setMany([{ key: 'big-many', value }])).rejects.toMatchObject({
          code: 'E_VALUE_TOO_LARGE',
        });
        await expect(cache.getOrSet('big-loaded', async () => value)).rejects.toMatchObject({
          code: 'E_VALUE_TOO_LARGE',
        });
      }
      expect(await cache.getMany(['big', 'big-many', 'big-loaded'])).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect(await cache.invalidateTags(['big-tag'])).toBe(0);
      expect(cache.stats().errors).toBe(0);
      const underLimit = 'y'.repeat(1024 * 1024);
      await cache.set('fits', underLimit);
      expect(await cache.get('fits')).toBe(underLimit);
    });

    it('rejects empty, non-string and over-long keys with E_INVALID_KEY', async () => {
      await expect(cache.get('')).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      await expect(cache.set(42 as unknown as string, 1)).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      await expect(cache.get('k'.repeat(1025))).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      expect(() => cache.namespace('')).toThrow(expect.objectContaining({ code: 'E_INVALID_KEY' }));
    });

    it('expires entries after their ttl and reports remaining ttl', async () => {
      await cache.set('short', 'v', 60);
      await cache.set('long', 'v', '1h');
      await cache.set('forever', 'v');
      const long = await cache.ttl('long');
      expect(long).toBeGreaterThan(3_500_000);
      expect(long).toBeLessThanOrEqual(3_600_000);
      expect(await cache.ttl('forever')).toBe(Infinity);
      expect(await cache.ttl('missing')).toBeUndefined();
      await eventually(async () => (await cache.get('short')) === undefined, 3000, 'short entry to expire');
      await expect(cache.set('x', 1, 'soon' as never)).rejects.toMatchObject({ code: 'E_INVALID_OPTION' });
    });

    it('stores a ttl below 1 ms as a 1 ms expiry, never as "no expiry"', async () => {
      await cache.set('set', 'v', 0.4);
      await cache.set('set-options', 'v', { ttl: '0.4ms' });
      await cache.setMany([{ key: 'many', value: 'v', ttl: 1e-9 }]);
      await cache.getOrSet('loaded', () => 'v', { ttl: 0.4 });
      await cache.increment('counter', 1, { ttl: 0.4 });
      const keys = ['set', 'set-options', 'many', 'loaded', 'counter'];
      for (const key of keys) expect(await cache.ttl(key)).not.toBe(Infinity);
      await eventually(
        async () => (await cache.getMany(keys)).every((value) => value === undefined),
        3000,
        'the 1 ms entries to expire',
      );
    });

    it('refuses unknown fields in per-call options, naming them, before writing anything', async () => {
      const cases: Array<[() => Promise<unknown>, string, string]> = [
        [() => cache.set('typo', 1, { tll: '1m' } as never), 'set option "tll"', 'Did you mean "ttl"?'],
        [
          () => cache.namespace('scope').set('typo', 1, { tag: ['t'] } as never),
          'set option "tag"',
          'Did you mean "tags"?',
        ],
        [
          () => cache.getOrSet('typo', () => 1, { ttL: 5 } as never),
          'getOrSet option "ttL"',
          'Did you mean "ttl"?',
        ],
        [
          () => cache.setMany([{ key: 'ok', value: 1 }, { key: 'typo', value: 1, tgs: [] } as never]),
          'setMany entry field "entries[1].tgs"',
          'Did you mean "entries[1].tags"?',
        ],
        [
          () => cache.increment('typo', 1, { tl: 5 } as never),
          'increment option "tl"',
          'Did you mean "ttl"?',
        ],
      ];
      for (const [call, named, suggestion] of cases) {
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ code: 'E_INVALID_OPTION', message: expect.stringContaining(named) });
        expect((error as Error).message).toContain(suggestion);
      }
      expect(await cache.getMany(['typo', 'ok'])).toEqual([undefined, undefined]);
      expect(await cache.namespace('scope').get('typo')).toBeUndefined();
      await expect(cache.getOrSet('typo', () => 1, null as never)).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
      });
    });

    it('decides expiry when asked: an entry past its ttl is absent on every path before any read', async () => {
      // Long enough that the counter is surely read before it expires on a loaded machine; the
      // wait below is on the clock only, so the length costs time, never a false pass.
      const ttl = 1000;
      await cache.setMany(['e-has', 'e-ttl', 'e-many'].map((key) => ({ key, value: key, ttl })));
      await cache.set('kept', 'kept', '1h');
      // A counter read before it expires: L1 (when there is one) must not outlive it either.
      await cache.increment('e-counter', 1, { ttl });
      // The last ttl starts here: on a loaded machine the writes above can take longer than the margin.
      const written = Date.now();
      expect(await cache.get('e-counter')).toBe(1);
      // Wait on the clock alone: any read would let a store clean the entry up and hide the defect.
      await eventually(() => Date.now() > written + ttl + 20, 5000, 'the ttl to pass');
      expect(cache.stats().l1Items).toBeLessThanOrEqual(1);
      expect(await cache.has('e-has')).toBe(false);
      expect(await cache.ttl('e-ttl')).toBeUndefined();
      expect(await cache.getMany(['e-many', 'kept', 'e-counter'])).toEqual([undefined, 'kept', undefined]);
      expect(await cache.has('kept')).toBe(true);
    });

    it('reads and writes several keys at once', async () => {
      await cache.setMany<unknown>([
        { key: 'm1', value: 1 },
        { key: 'm2', value: { two: 2 }, ttl: '1m' },
      ]);
      expect(await cache.getMany(['m1', 'missing', 'm2'])).toEqual([1, undefined, { two: 2 }]);
      await expect(
        cache.setMany<unknown>([
          { key: 'm3', value: 3 },
          { key: 'm4', value: 1n },
        ]),
      ).rejects.toMatchObject({
        code: 'E_NOT_SERIALIZABLE',
      });
      expect(await cache.get('m3')).toBeUndefined();
      await cache.delMany(['m1', 'm2']);
      expect(await cache.getMany(['m1', 'm2'])).toEqual([undefined, undefined]);
      await cache.set('d', 1);
      await cache.del('d');
      expect(await cache.has('d')).toBe(false);
    });

    it('getOrSet runs the loader once for 1000 concurrent callers and stores its value', async () => {
      let calls = 0;
      const loader = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
        return { built: calls };
      };
      const results = await Promise.all(
        Array.from({ length: 1000 }, () => cache.getOrSet('cold', loader, { ttl: '1m' })),
      );
      expect(calls).toBe(1);
      expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(new Set(['{"built":1}']));
      expect(await cache.get('cold')).toEqual({ built: 1 });
      expect(await cache.getOrSet('cold', loader)).toEqual({ built: 1 });
      expect(calls).toBe(1);
    });

    it('getOrSet passes a loader error to every waiter and does not cache it; undefined is never stored', async () => {
      let calls = 0;
      const failure = new Error('backend down');
      const failing = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 10));
        throw failure;
      };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () => cache.getOrSet('fails', failing)),
      );
      expect(outcomes.every((o) => o.status === 'rejected' && o.reason === failure)).toBe(true);
      expect(calls).toBe(1);
      expect(await cache.getOrSet('fails', async () => 'recovered')).toBe('recovered');
      expect(await cache.getOrSet('nothing', async () => undefined)).toBeUndefined();
      expect(await cache.has('nothing')).toBe(false);
    });

    it('invalidateTags removes every key carrying a tag and says how many went', async () => {
      await cache.set('p1', 1, { tags: ['products', 'p1'] });
      await cache.set('p2', 2, { tags: ['products'] });
      await cache.set('other', 3, { tags: ['users'] });
      expect(await cache.invalidateTags(['products'])).toBe(2);
      expect(await cache.getMany(['p1', 'p2', 'other'])).toEqual([undefined, undefined, 3]);
      expect(await cache.invalidateTags(['products', 'p1'])).toBe(0);
    });

    it('removes an entry from its tags when it is deleted, overwritten, re-tagged, invalidated or cleared', async () => {
      await cache.set('a', 1, { tags: ['t1', 't2'] });
      await cache.set('a', 2, { tags: ['t2'] });
      expect(await cache.invalidateTags(['t1'])).toBe(0);
      await cache.set('a', 3);
      expect(await cache.invalidateTags(['t2'])).toBe(0);
      expect(await cache.get('a')).toBe(3);

      await cache.set('b', 1, { tags: ['t3'] });
      await cache.del('b');
      await cache.set('b', 2);
      await cache.setMany([
        { key: 'c', value: 1, tags: ['t4'] },
        { key: 'd', value: 1, tags: ['t4', 't5'] },
      ]);
      await cache.delMany(['c', 'd']);
      await cache.setMany([
        { key: 'c', value: 2 },
        { key: 'd', value: 2 },
      ]);
      expect(await cache.invalidateTags(['t3', 't4', 't5'])).toBe(0);
      expect(await cache.getMany(['b', 'c', 'd'])).toEqual([2, 2, 2]);

      // Invalidating one tag also takes the entry out of its other tags.
      await cache.set('e', 1, { tags: ['t6', 't7'] });
      expect(await cache.invalidateTags(['t6'])).toBe(1);
      await cache.set('e', 2);
      expect(await cache.invalidateTags(['t7'])).toBe(0);
      expect(await cache.get('e')).toBe(2);

      const scope = cache.namespace('s');
      await scope.namespace('nested').set('f', 1, { tags: ['t8'] });
      await scope.clear();
      await scope.namespace('nested').set('f', 2);
      expect(await scope.namespace('nested').invalidateTags(['t8'])).toBe(0);
      expect(await scope.namespace('nested').get('f')).toBe(2);
    });

    it('namespace(prefix) scopes keys, tags and clear() to that prefix', async () => {
      const alice = cache.namespace('user:alice');
      const bob = cache.namespace('user:bob');
      await alice.set('profile', { name: 'Alice' }, { tags: ['profile'] });
      await alice.namespace('orders').set('1', 'order-1');
      await bob.set('profile', { name: 'Bob' }, { tags: ['profile'] });
      await cache.set('global', 'g');
      expect(await alice.get('profile')).toEqual({ name: 'Alice' });
      expect(await alice.namespace('orders').get('1')).toBe('order-1');
      expect(await bob.invalidateTags(['profile'])).toBe(1);
      expect(await alice.get('profile')).toEqual({ name: 'Alice' });
      expect(await alice.clear()).toBe(2);
      expect(await alice.get('profile')).toBeUndefined();
      expect(await alice.namespace('orders').get('1')).toBeUndefined();
      expect(await cache.get('global')).toBe('g');
      await cache.clear();
      expect(await cache.get('global')).toBeUndefined();
    });

    describe('key layout with hostile ids', () => {
      const ids = [
        'a',
        'b',
        'x',
        'a:b',
        'a*',
        'a::b',
        ':a',
        'a:',
        '::',
        '@',
        '@a',
        'a/b',
        '/',
        '%',
        '%2F',
        '[a]?\\',
      ];
      const paths: string[][] = [
        [],
        ...ids.map((id) => [id]),
        ...['a', 'a:b', '@'].flatMap((first) => ids.map((id) => [first, id])),
      ];
      const scopeOf = (path: string[]) =>
        path.reduce((scope, id) => scope.namespace(id), cache as CacheScope);
      const valueOf = (path: string[], key: string) => `${JSON.stringify(path)} ${key}`;
      const writeAll = async () => {
        for (const path of paths)
          await scopeOf(path).setMany(ids.map((key) => ({ key, value: valueOf(path, key), tags: [key] })));
      };
      const readAll = async () =>
        (await Promise.all(paths.map((path) => scopeOf(path).getMany<string>(ids)))).flat();
      const expected = (removed: (path: string[]) => boolean) =>
        paths.flatMap((path) => ids.map((key) => (removed(path) ? undefined : valueOf(path, key))));

      it('never lets two scope paths, or a root key and a scoped key, share an entry', async () => {
        await writeAll();
        expect(await readAll()).toEqual(expected(() => false));
        // The aliases of the old layout: root "scope:x" and namespace('scope') key "x".
        await cache.set('scope:x', 'root');
        await cache.namespace('scope').set('x', 'scoped');
        expect(await cache.get('scope:x')).toBe('root');
        expect(await cache.namespace('a').namespace('b').get('x')).toBe(valueOf(['a', 'b'], 'x'));
        expect(await cache.namespace('a:b').get('x')).toBe(valueOf(['a:b'], 'x'));
      });

      it('clear() removes exactly its scope and the scopes nested in it through namespace()', async () => {
        await writeAll();
        const inA = (path: string[]) => path[0] === 'a';
        const count = paths.filter(inA).length * ids.length;
        expect(await cache.namespace('a').clear()).toBe(count);
        expect(await readAll()).toEqual(expected(inA));
        expect(await cache.namespace('a:b').namespace('a*').clear()).toBe(ids.length);
        expect(await readAll()).toEqual(
          expected((path) => inA(path) || (path[0] === 'a:b' && path[1] === 'a*')),
        );
      });

      it("keeps tags of different scopes apart and reports the caller's key in events", async () => {
        await writeAll();
        const deleted: string[] = [];
        cache.on('delete', (e) => deleted.push(`${e.namespace}|${e.key}`));
        expect(await cache.namespace('@').invalidateTags(['@a'])).toBe(1);
        expect(deleted).toEqual(['@|@a']);
        expect(await cache.invalidateTags(['a:b'])).toBe(1);
        expect(await scopeOf(['a', 'b']).invalidateTags(['a:b'])).toBe(1);
        const gone = [valueOf(['@'], '@a'), valueOf([], 'a:b'), valueOf(['a', 'b'], 'a:b')];
        expect((await readAll()).filter((v) => v === undefined)).toHaveLength(3);
        expect(await readAll()).not.toEqual(expect.arrayContaining(gone));
      });
    });

    it('increment is atomic, applies ttl on creation and refuses non-integers', async () => {
      const results = await Promise.all(Array.from({ length: 100 }, () => cache.increment('hits')));
      expect(new Set(results).size).toBe(100);
      expect(await cache.get('hits')).toBe(100);
      expect(await cache.increment('hits', -40)).toBe(60);
      await cache.increment('daily', 1, { ttl: '1h' });
      expect(await cache.ttl('daily')).toBeGreaterThan(3_500_000);
      await cache.set('typed', 7, '1h');
      expect(await cache.increment('typed', 3)).toBe(10);
      expect(await cache.ttl('typed')).toBeGreaterThan(3_500_000);
      await cache.set('text', 'abc');
      await expect(cache.increment('text')).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
      await expect(cache.increment('hits', 1.5)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    });

    it('counts hits, misses, writes and deletes and emits typed events', async () => {
      const seen: string[] = [];
      cache.on('hit', (e) => seen.push(`hit:${e.key}`));
      cache.on('miss', (e) => seen.push(`miss:${e.key}`));
      cache.on('write', (e) => seen.push(`write:${e.key}`));
      cache.on('delete', (e) => seen.push(`delete:${e.key}`));
      cache.on('clear', () => seen.push('clear'));
      await cache.get('a');
      await cache.set('a', 1);
      await cache.get('a');
      await cache.del('a');
      await cache.clear();
      expect(seen).toEqual(['miss:a', 'write:a', 'hit:a', 'delete:a', 'clear']);
      expect(cache.stats()).toMatchObject({
        hits: 1,
        misses: 1,
        writes: 1,
        deletes: 1,
        errors: 0,
        hitRatio: 0.5,
      });
    });

    it("storeStats() counts the entries of each scope, their bytes and the store's own figures", async () => {
      await checkStoreStats(cache, expect);
    });

    it('has() is a read: it reports hit and miss events with their tier and counts like get()', async () => {
      const seen: string[] = [];
      cache.on('hit', (e) => seen.push(`hit:${e.key}:${e.tier === 'l1' || e.tier === 'l2'}`));
      cache.on('miss', (e) => seen.push(`miss:${e.key}`));
      await cache.set('there', 1);
      expect(await cache.has('there')).toBe(true);
      expect(await cache.has('absent')).toBe(false);
      expect(await cache.namespace('s').has('there')).toBe(false);
      expect(seen).toEqual(['hit:there:true', 'miss:absent', 'miss:there']);
      expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
    });

    it('expire, touch and persist change the lifetime ttl() reports; a missing key stays missing', async () => {
      await cache.set('e', 'v', '1h');
      expect(await cache.expire('e', '2h')).toBe(true);
      expect(await cache.ttl('e')).toBeGreaterThan(3_600_000);
      expect(await cache.ttl('e')).toBeLessThanOrEqual(7_200_000);
      expect(await cache.get('e')).toBe('v');
      expect(await cache.persist('e')).toBe(true);
      expect(await cache.ttl('e')).toBe(Infinity);
      expect(await cache.touch('e', '1m')).toBe(true);
      expect(await cache.ttl('e')).toBeLessThanOrEqual(60_000);
      expect(await cache.get('e')).toBe('v');
      expect(await cache.expire('missing', '1m')).toBe(false);
      expect(await cache.touch('missing', '1m')).toBe(false);
      expect(await cache.persist('missing')).toBe(false);
      expect(await cache.has('missing')).toBe(false);
      await cache.namespace('s').set('scoped', 1, '1h');
      expect(await cache.persist('scoped')).toBe(false);
      expect(await cache.namespace('s').persist('scoped')).toBe(true);
      expect(await cache.namespace('s').ttl('scoped')).toBe(Infinity);
    });

    it('a shortened lifetime ends the entry on every read path, L1 included', async () => {
      await cache.set('short', { a: 1 }, '1h');
      expect(await cache.get('short')).toEqual({ a: 1 });
      expect(await cache.expire('short', 300)).toBe(true);
      await eventually(
        async () => (await cache.get('short')) === undefined && !(await cache.has('short')),
        10_000,
        'the entry to expire',
      );
      expect(await cache.ttl('short')).toBeUndefined();
      expect(await cache.expire('short', '1h')).toBe(false);
    });

    it('an extended or persisted entry outlives its first ttl, and its tags follow it', async () => {
      // Long enough that the four calls below land before it ends, even on a starved machine.
      const firstTtl = 1500;
      const started = Date.now();
      await cache.set('kept', 'k', firstTtl);
      await cache.set('tagged', 't', { ttl: firstTtl, tags: ['group'] });
      expect(await cache.persist('kept')).toBe(true);
      expect(await cache.expire('tagged', '1h')).toBe(true);
      // Past the first ttl: an envelope or tag index still holding it would drop the entries now.
      await eventually(() => Date.now() > started + firstTtl + 400, 5000, 'the first ttl to pass');
      expect(await cache.get('kept')).toBe('k');
      expect(await cache.get('tagged')).toBe('t');
      expect(await cache.invalidateTags(['group'])).toBe(1);
      expect(await cache.get('tagged')).toBeUndefined();
    });

    it('persist and expire keep a counter a counter', async () => {
      await cache.increment('n', 1, { ttl: '1h' });
      expect(await cache.persist('n')).toBe(true);
      expect(await cache.ttl('n')).toBe(Infinity);
      expect(await cache.increment('n')).toBe(2);
      expect(await cache.expire('n', '1m')).toBe(true);
      expect(await cache.increment('n')).toBe(3);
      expect(await cache.ttl('n')).toBeLessThanOrEqual(60_000);
    });

    it('refuses a bad ttl or key for expire, and touch without a ttl when there is no defaultTtl', async () => {
      await expect(cache.expire('k', 0)).rejects.toMatchObject({ code: 'E_INVALID_OPTION' });
      await expect(cache.expire('k', 'soon' as '1s')).rejects.toMatchObject({ code: 'E_INVALID_OPTION' });
      await expect(cache.expire('', '1s')).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      await expect(cache.touch('k')).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    });

    it('warm() loads with bounded concurrency and reports loaded, skipped and failed entries', async () => {
      let running = 0;
      let most = 0;
      const slow = (value: unknown) => async () => {
        running++;
        most = Math.max(most, running);
        // Long enough that unbounded loaders would overlap; how many overlap within the bound
        // depends on how fast the presence checks answer, so only the bound is asserted.
        await new Promise((resolve) => setTimeout(resolve, 30));
        running--;
        return value;
      };
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await cache.set('w-present', 'before');
      const present = jest.fn(() => 'after');
      const report = await cache.warm(
        [
          { key: 'w1', load: slow({ n: 1 }), ttl: '1m', tags: ['warm'] },
          { key: 'w2', load: slow(2) },
          { key: 'w-throws', load: () => Promise.reject(new Error('db down')) },
          { key: 'w-circular', load: slow(circular) },
          { key: 'w-undefined', load: slow(undefined) },
          { key: 'w-present', load: present },
          { key: 'w3', load: slow('three') },
        ],
        { concurrency: 2, skipIfPresent: true },
      );
      expect(report.loaded).toBe(3);
      expect(report.skipped).toBe(2);
      expect(report.failed.map((f) => f.key).sort()).toEqual(['w-circular', 'w-throws']);
      expect(report.failed.find((f) => f.key === 'w-circular')?.error).toMatchObject({
        code: 'E_NOT_SERIALIZABLE',
      });
      expect(present).not.toHaveBeenCalled();
      expect(most).toBeGreaterThanOrEqual(1);
      expect(most).toBeLessThanOrEqual(2);
      expect(await cache.getMany(['w1', 'w2', 'w3', 'w-present', 'w-undefined'])).toEqual([
        { n: 1 },
        2,
        'three',
        'before',
        undefined,
      ]);
      expect(await cache.ttl('w1')).toBeLessThanOrEqual(60_000);
      expect(await cache.invalidateTags(['warm'])).toBe(1);
      const again = await cache.warm([{ key: 'w-present', load: () => 'after' }]);
      expect(again).toEqual({ loaded: 1, skipped: 0, failed: [] });
      expect(await cache.get('w-present')).toBe('after');
    });

    it('warm() checks every entry and option before any loader runs', async () => {
      const load = jest.fn(() => 1);
      await expect(cache.warm('x' as never)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
      await expect(cache.warm([{ key: 'a', load }, { key: 'b' } as never])).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
        message: expect.stringContaining('entries[1].load'),
      });
      await expect(cache.warm([{ key: '', load }])).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
      await expect(cache.warm([{ key: 'a', load, tll: 1 } as never])).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
        message: expect.stringContaining('entries[0].ttl'),
      });
      await expect(cache.warm([{ key: 'a', load }], { concurrency: 0 })).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
        message: expect.stringContaining('concurrency'),
      });
      await expect(cache.warm([{ key: 'a', load }], { skipIfPresnt: true } as never)).rejects.toMatchObject({
        code: 'E_INVALID_OPTION',
      });
      expect(load).not.toHaveBeenCalled();
      expect(await cache.warm([])).toEqual({ loaded: 0, skipped: 0, failed: [] });
    });

    it('shares its values with the cache-manager Cache under CACHE_MANAGER', async () => {
      const manager = moduleRef.get<Cache>(CACHE_MANAGER);
      await manager.set('from-manager', { via: 'cache-manager' }, 60_000);
      expect(await cache.get('from-manager')).toEqual({ via: 'cache-manager' });
      await cache.set('from-larder', [1, 2]);
      expect(await manager.get('from-larder')).toEqual([1, 2]);
      await cache.get('from-manager');
      await manager.set('from-manager', 'replaced');
      expect(await cache.get('from-manager')).toBe('replaced');
      await manager.del('from-larder');
      expect(await cache.get('from-larder')).toBeUndefined();
    });
  });
}

import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  Cacheable,
  CacheService,
  LARDER_LOCK_STORE,
  type CacheEventMap,
  type GetOrSetOptions,
  type LarderModuleOptions,
  type LockStore,
} from '@larder/nestjs';
import {
  createLarderModule,
  eventually,
  testRedisUrl,
  uniqueNamespace,
  UNHURRIED_TIMEOUT,
} from '#test/test-helpers';
import { pastTtl } from './resilience.fixtures';

/** A promise the test settles by hand, so a "slow" loader takes exactly as long as the test wants. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (e: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((ok, fail) => ((resolve = ok), (reject = fail)));
  return { promise, resolve, reject };
}

/** One "instance" of an application: its own module, connections, L1 and in-process single-flight. */
interface Instance {
  moduleRef: TestingModule;
  cache: CacheService;
  waits: Array<CacheEventMap['lock-wait']>;
  fallbacks: Array<CacheEventMap['lock-fallback']>;
  /** The answers of its lock store to each load lock attempt so far, in order (true: taken). */
  leases: () => Array<Promise<boolean>>;
}

async function instance(options: LarderModuleOptions): Promise<Instance> {
  const moduleRef = await createLarderModule(options, { providers: [Catalog] });
  const cache = moduleRef.get(CacheService);
  const waits: Instance['waits'] = [];
  const fallbacks: Instance['fallbacks'] = [];
  cache.on('lock-wait', (e) => waits.push(e)).on('lock-fallback', (e) => fallbacks.push(e));
  const store = moduleRef.get<Required<LockStore>>(LARDER_LOCK_STORE);
  const lease = jest.spyOn(store, 'lease');
  const leases = () => lease.mock.results.map((r) => r.value as Promise<boolean>);
  return { moduleRef, cache, waits, fallbacks, leases };
}

/** The answer to `i`'s next load lock attempt from now (true: taken), once it comes. */
function nextLease(i: Instance): () => Promise<boolean> {
  const n = i.leases().length;
  return async () => {
    await eventually(() => i.leases().length > n, 10_000, 'a load lock attempt');
    return i.leases()[n];
  };
}

let catalogLoads = 0;
let catalogGate = deferred<void>();

@Injectable()
class Catalog {
  @Cacheable({ key: 'product:{0}', ttl: '1m', lock: { wait: '20s' } })
  async product(id: string): Promise<{ id: string; load: number }> {
    const load = ++catalogLoads;
    await catalogGate.promise;
    return { id, load };
  }
}

describe.each<[string, LarderModuleOptions]>([
  ['Redis', {}],
  ['L1 in front of Redis', { memory: { maxItems: 100 } }],
])('getOrSet with lock across two instances on %s', (_name, extra) => {
  let namespace: string;
  let a: Instance;
  let b: Instance;
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(testRedisUrl());
  });
  afterAll(() => raw.disconnect());

  beforeEach(async () => {
    namespace = uniqueNamespace('stampede');
    // Coordination is the subject: a load-lock call that timed out on a starved machine would
    // count as a lock failure and load a second time (a lock fallback), which is not what is tested.
    const options = { redis: testRedisUrl(), namespace, commandTimeout: UNHURRIED_TIMEOUT, ...extra };
    [a, b] = await Promise.all([instance(options), instance(options)]);
  });

  afterEach(async () => {
    await Promise.all([a.moduleRef.close(), b.moduleRef.close()]);
  });

  it('a cold key is loaded once: the other instance waits, is woken by the write, and reads it', async () => {
    const gate = deferred<string>();
    let loads = 0;
    const loader = () => (loads++, gate.promise);
    const options: GetOrSetOptions = { ttl: '1m', lock: { wait: '20s' } };
    const first = a.cache.getOrSet('k', loader, options);
    await eventually(() => loads === 1, 10_000, "a's loader to start");
    // b misses, is refused the lock a holds, and waits: its callers share that one wait.
    const bLease = nextLease(b);
    const seconds = [1, 2, 3].map(() => b.cache.getOrSet('k', loader, options));
    expect(await bLease()).toBe(false);
    gate.resolve('v1');
    expect(await first).toBe('v1');
    expect(await Promise.all(seconds)).toEqual(['v1', 'v1', 'v1']);
    expect(loads).toBe(1);
    expect(b.waits).toEqual([expect.objectContaining({ key: 'k', durationMs: expect.any(Number) })]);
    expect(b.cache.stats()).toMatchObject({ lockWaits: 1, lockFallbacks: 0 });
    expect(a.fallbacks).toEqual([]);
    expect(b.fallbacks).toEqual([]);
    // The lock is gone with the load, and leaves nothing behind (no fence counter).
    const lockKey = `${namespace}:lock:{#load:k}`;
    await eventually(async () => (await raw.exists(lockKey, `${lockKey}:fence`)) === 0);
  });

  it('without lock, each instance runs its own loader (what lock prevents)', async () => {
    let loads = 0;
    const gate = deferred<string>();
    const loader = () => (loads++, gate.promise);
    const both = [a, b].map((i) => i.cache.getOrSet('k', loader, { ttl: '1m' }));
    await eventually(() => loads === 2, 10_000, 'both loaders to start');
    gate.resolve('v');
    expect(await Promise.all(both)).toEqual(['v', 'v']);
  });

  it('past lock.wait the waiting instance runs the loader itself (wait-timeout)', async () => {
    const gate = deferred<string>();
    const aLease = nextLease(a);
    const first = a.cache.getOrSet('k', () => gate.promise, { ttl: '1m', lock: true });
    expect(await aLease()).toBe(true);
    expect(await b.cache.getOrSet('k', () => 'mine', { ttl: '1m', lock: { wait: 300 } })).toBe('mine');
    expect(b.fallbacks).toEqual([expect.objectContaining({ key: 'k', reason: 'wait-timeout' })]);
    expect(b.cache.stats()).toMatchObject({ lockWaits: 0, lockFallbacks: 1 });
    gate.resolve('late');
    expect(await first).toBe('late');
  });

  it('when the holder fails, a waiter is woken at once, takes the lock over and loads', async () => {
    const gate = deferred<string>();
    const aLease = nextLease(a);
    const first = a.cache.getOrSet('k', () => gate.promise, { ttl: '1m', lock: true });
    expect(await aLease()).toBe(true);
    let loads = 0;
    // A wait of a minute: only the wake-up a's release publishes ends it within the test's time.
    const bLease = nextLease(b);
    const second = b.cache.getOrSet('k', () => (loads++, 'from b'), { ttl: '1m', lock: { wait: '1m' } });
    expect(await bLease()).toBe(false);
    gate.reject(new Error('database down'));
    await expect(first).rejects.toThrow('database down');
    expect(await second).toBe('from b');
    expect(loads).toBe(1);
    expect(b.fallbacks).toEqual([expect.objectContaining({ key: 'k', reason: 'takeover' })]);
    expect(await a.cache.get('k')).toBe('from b');
  });

  it('@Cacheable with lock runs the method once across instances', async () => {
    catalogLoads = 0;
    catalogGate = deferred<void>();
    const [ca, cb] = [a, b].map((i) => i.moduleRef.get(Catalog));
    const first = ca.product('p1');
    await eventually(() => catalogLoads === 1, 10_000, 'the method to start');
    const bLease = nextLease(b);
    const second = cb.product('p1');
    expect(await bLease()).toBe(false);
    catalogGate.resolve();
    expect(await first).toEqual({ id: 'p1', load: 1 });
    expect(await second).toEqual({ id: 'p1', load: 1 });
    expect(catalogLoads).toBe(1);
  });

  it('a waiter holding a stale value gets it at soft timeout; the holder writes the new one', async () => {
    const options: GetOrSetOptions = { ttl: 150, grace: '1h', timeout: { soft: 100 }, lock: { wait: '20s' } };
    expect(await a.cache.getOrSet('k', () => 'v1', options)).toBe('v1');
    await pastTtl(a.cache, 'k');
    const gate = deferred<string>();
    const aLease = nextLease(a);
    const first = a.cache.getOrSet('k', () => gate.promise, { ...options, timeout: undefined });
    expect(await aLease()).toBe(true);
    let loads = 0;
    const fromB = () => (loads++, 'from b');
    const stale: Array<CacheEventMap['stale']> = [];
    b.cache.on('stale', (e) => stale.push(e));
    const got = await b.cache.getOrSet('k', fromB, options);
    expect(got).toBe('v1');
    expect(stale).toEqual([expect.objectContaining({ reason: 'soft-timeout' })]);
    gate.resolve('v2');
    expect(await first).toBe('v2');
    await eventually(async () => (await b.cache.getOrSet('k', fromB, options)) === 'v2', 20_000);
    expect(loads).toBe(0);
    await eventually(() => b.waits.length === 1, 20_000);
  });

  it('refresh-ahead with lock refreshes once across instances', async () => {
    const options = { ttl: 1_500, refreshAhead: 0.2, lock: true };
    expect(await a.cache.getOrSet('k', () => 'v1', options)).toBe('v1');
    const due = Date.now() + 400;
    await eventually(() => Date.now() >= due, 5_000, 'the refresh point');
    const gate = deferred<string>();
    let loads = 0;
    const loader = () => (loads++, gate.promise);
    expect(await a.cache.getOrSet('k', loader, options)).toBe('v1');
    await eventually(() => loads === 1, 10_000, "a's refresh to start");
    // b's hit is due as well: refused the lock, it leaves the refresh to a, and does not ask again.
    const bLease = nextLease(b);
    expect(await b.cache.getOrSet('k', loader, options)).toBe('v1');
    expect(await bLease()).toBe(false);
    expect(await b.cache.getOrSet('k', loader, options)).toBe('v1');
    gate.resolve('v2');
    await eventually(async () => (await b.cache.getOrSet('k', loader, options)) === 'v2');
    expect(loads).toBe(1);
    expect(b.leases()).toHaveLength(1);
  });
});

describe('getOrSet with lock on memory', () => {
  it('is the in-process single-flight: one loader per process, no lock taken', async () => {
    const moduleRef = await createLarderModule({ namespace: uniqueNamespace() });
    try {
      const cache = moduleRef.get(CacheService);
      let loads = 0;
      const gate = deferred<string>();
      const calls = [1, 2, 3].map(() => cache.getOrSet('k', () => (loads++, gate.promise), { lock: true }));
      gate.resolve('v');
      expect(await Promise.all(calls)).toEqual(['v', 'v', 'v']);
      expect(loads).toBe(1);
      expect(cache.stats()).toMatchObject({ lockWaits: 0, lockFallbacks: 0 });
    } finally {
      await moduleRef.close();
    }
  });
});

describe('the lock option', () => {
  let moduleRef: TestingModule;
  let cache: CacheService;

  beforeAll(async () => {
    moduleRef = await createLarderModule({ namespace: uniqueNamespace() });
    cache = moduleRef.get(CacheService);
  });
  afterAll(() => moduleRef.close());

  it.each<[unknown, string]>([
    ['yes', '"lock"'],
    [null, '"lock"'],
    [{ wait: 0 }, '"lock.wait"'],
    [{ wait: 'soon' }, '"lock.wait"'],
    [{ wiat: '1s' }, 'lock.wiat'],
  ])('refuses getOrSet lock %p, naming %s', async (lock, named) => {
    await expect(cache.getOrSet('k', () => 1, { lock: lock as never })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining(named),
    });
  });

  it('refuses a bad module default, naming resilience.lock', async () => {
    await expect(createLarderModule({ resilience: { lock: { wait: -1 } } })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('"resilience.lock.wait"'),
    });
  });

  it('refuses a bad @Cacheable lock when the decorator is applied, naming the method', () => {
    expect(() => {
      class Bad {
        @Cacheable({ lock: 5 as never })
        async load(): Promise<number> {
          return 1;
        }
      }
      return Bad;
    }).toThrow(
      expect.objectContaining({ code: 'E_INVALID_OPTION', message: expect.stringContaining('Bad.load') }),
    );
  });
});

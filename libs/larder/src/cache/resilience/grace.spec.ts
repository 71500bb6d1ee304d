import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Cacheable, CachePut, CacheService, type CacheEventMap, type Duration } from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import {
  createLarderModule,
  eventually,
  testRedisUrl,
  uniqueNamespace,
  untilConnected,
} from '#test/test-helpers';
import { pastTtl, RESILIENCE_SETUPS } from './resilience.fixtures';

const TTL = 150;
const GRACE: Duration = '1h';
/** Long enough that a loaded machine cannot cross it between two calls of one test step. */
const THROTTLE = 1_500;

/** A loader whose outcome the test switches, counting its runs. */
class Source {
  calls = 0;
  failing = false;
  version = 0;
  readonly load = async (): Promise<string> => {
    this.calls++;
    if (this.failing) throw new Error('database down');
    return `v${++this.version}`;
  };
}

describe.each(RESILIENCE_SETUPS)('getOrSet with grace on %s', (_name, makeOptions) => {
  let moduleRef: TestingModule;
  let cache: CacheService;
  let stale: Array<CacheEventMap['stale']>;

  beforeEach(async () => {
    moduleRef = await createLarderModule({ namespace: uniqueNamespace(), ...makeOptions() });
    cache = moduleRef.get(CacheService);
    stale = [];
    cache.on('stale', (event) => stale.push(event));
  });

  afterEach(async () => {
    await moduleRef.close();
  });

  it('without grace, a loader error after expiry reaches the caller, as before', async () => {
    const source = new Source();
    expect(await cache.getOrSet('k', source.load, { ttl: TTL })).toBe('v1');
    await pastTtl(cache, 'k');
    source.failing = true;
    await expect(cache.getOrSet('k', source.load, { ttl: TTL })).rejects.toThrow('database down');
    expect(stale).toEqual([]);
  });

  it('past ttl the entry is a miss; a failing loader gets the stale value, once per throttle window', async () => {
    const source = new Source();
    const options = { ttl: TTL, grace: GRACE, failSafeThrottle: THROTTLE };
    expect(await cache.getOrSet('k', source.load, options)).toBe('v1');
    await pastTtl(cache, 'k');
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.has('k')).toBe(false);
    expect(await cache.getMany(['k'])).toEqual([undefined]);

    source.failing = true;
    expect(await cache.getOrSet('k', source.load, options)).toBe('v1');
    expect(source.calls).toBe(2);
    expect(stale).toEqual([
      expect.objectContaining({
        key: 'k',
        reason: 'loader-error',
        error: expect.objectContaining({ message: 'database down' }),
      }),
    ]);
    for (let i = 0; i < 3; i++) expect(await cache.getOrSet('k', source.load, options)).toBe('v1');
    // Concurrent callers share one load, and its one answer.
    const during = await Promise.all([1, 2, 3].map(() => cache.getOrSet('k', source.load, options)));
    expect(during).toEqual(['v1', 'v1', 'v1']);
    expect(source.calls).toBe(2);
    expect(stale.slice(1).map((e) => e.reason)).toEqual(Array(4).fill('fail-safe-throttle'));
    expect(cache.stats().stale).toBe(5);

    // Once the throttle window ends the loader is tried again, and a working loader wins.
    await eventually(
      async () => (await cache.getOrSet('k', source.load, options)) === 'v1' && source.calls === 3,
    );
    source.failing = false;
    await eventually(async () => (await cache.getOrSet('k', source.load, options)) === 'v2', THROTTLE * 3);
    expect(await cache.get('k')).toBe('v2');
  });

  it('an entry past ttl + grace is gone: the loader error reaches the caller', async () => {
    const source = new Source();
    expect(await cache.getOrSet('k', source.load, { ttl: 50, grace: 150 })).toBe('v1');
    source.failing = true;
    await eventually(
      () =>
        cache.getOrSet('k', source.load, { ttl: 50, grace: 150, failSafeThrottle: 1 }).then(
          () => false,
          (error: Error) => error.message === 'database down',
        ),
      5000,
      'the loader error once grace is over',
    );
  });

  it('set() with grace leaves a fallback for getOrSet; del() removes it', async () => {
    await cache.set('k', 'written', { ttl: TTL, grace: GRACE });
    await pastTtl(cache, 'k');
    const failing = () => Promise.reject(new Error('database down'));
    expect(await cache.getOrSet('k', failing, { grace: GRACE })).toBe('written');
    await cache.del('k');
    await expect(cache.getOrSet('k', failing, { grace: GRACE })).rejects.toThrow('database down');
  });

  it('refuses bad resilience options, naming them', async () => {
    const load = () => 'v';
    await expect(cache.getOrSet('k', load, { grace: 'long' as never })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('getOrSet option "grace"'),
    });
    await expect(cache.getOrSet('k', load, { failSafeThrottle: 0 })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('failSafeThrottle'),
    });
    await expect(cache.set('k', 'v', { grace: -1 })).rejects.toMatchObject({ code: 'E_INVALID_OPTION' });
    await expect(cache.getOrSet('k', load, { grase: 1 } as never)).rejects.toMatchObject({
      message: expect.stringContaining('Did you mean "grace"'),
    });
  });
});

it('module defaults give every getOrSet grace; a call can turn it off', async () => {
  const moduleRef = await createLarderModule({
    namespace: uniqueNamespace(),
    redis: testRedisUrl(),
    resilience: { grace: GRACE, failSafeThrottle: THROTTLE },
  });
  try {
    const cache = moduleRef.get(CacheService);
    const source = new Source();
    await cache.getOrSet('k', source.load, { ttl: TTL });
    await pastTtl(cache, 'k');
    source.failing = true;
    await expect(cache.getOrSet('k', source.load, { grace: 0 })).rejects.toThrow('database down');
    expect(await cache.getOrSet('k', source.load)).toBe('v1');
  } finally {
    await moduleRef.close();
  }
});

@Injectable()
class Prices {
  readonly source = new Source();

  @Cacheable({ key: 'price:{0}', ttl: TTL, grace: GRACE, failSafeThrottle: THROTTLE })
  async price(_id: string): Promise<string> {
    return this.source.load();
  }
}

it('@Cacheable takes grace and failSafeThrottle', async () => {
  const moduleRef = await createLarderModule(
    { namespace: uniqueNamespace(), redis: testRedisUrl() },
    { providers: [Prices] },
  );
  try {
    const prices = moduleRef.get(Prices);
    const cache = moduleRef.get(CacheService);
    expect(await prices.price('a')).toBe('v1');
    await pastTtl(cache, 'price:a');
    prices.source.failing = true;
    expect(await prices.price('a')).toBe('v1');
    expect(await prices.price('a')).toBe('v1');
    expect(prices.source.calls).toBe(2);
  } finally {
    await moduleRef.close();
  }
});

it('decorators refuse bad resilience options when applied', () => {
  const decorate = (decorator: MethodDecorator) => () => {
    class Target {
      async method(): Promise<number> {
        return 1;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Target.prototype, 'method')!;
    decorator(Target.prototype, 'method', descriptor);
  };
  expect(decorate(Cacheable({ failSafeThrottle: 0 }))).toThrow(/@Cacheable option "failSafeThrottle"/);
  expect(decorate(CachePut({ key: 'k', failSafeThrottle: '1s' } as never))).toThrow(
    /Unknown @CachePut option "failSafeThrottle"/,
  );
});

describe('getOrSet with grace when Redis is killed', () => {
  let server: RedisServerHandle;

  beforeEach(async () => {
    server = await startRedisServer();
  });

  afterEach(async () => {
    await server.stop().catch(() => undefined);
  });

  async function start(memory: boolean): Promise<{ cache: CacheService; close: () => Promise<void> }> {
    const moduleRef = await createLarderModule({
      namespace: uniqueNamespace(),
      redis: server.url,
      commandTimeout: 200,
      ...(memory ? { memory: { maxItems: 100 } } : {}),
    });
    await untilConnected(moduleRef);
    return { cache: moduleRef.get(CacheService), close: () => moduleRef.close() };
  }

  it('with L1, a copy past its ttl is served without running the loader', async () => {
    const { cache, close } = await start(true);
    try {
      const source = new Source();
      const reasons: string[] = [];
      cache.on('stale', (event) => reasons.push(event.reason));
      expect(await cache.getOrSet('k', source.load, { ttl: TTL, grace: GRACE })).toBe('v1');
      await server.stop();
      await pastTtl(cache, 'k');
      expect(await cache.getOrSet('k', source.load, { ttl: TTL, grace: GRACE })).toBe('v1');
      expect(source.calls).toBe(1);
      expect(reasons).toEqual(['store-unavailable']);
    } finally {
      await close();
    }
  });

  it('without L1 there is no copy to serve: the loader runs, as without grace', async () => {
    const { cache, close } = await start(false);
    try {
      const source = new Source();
      expect(await cache.getOrSet('k', source.load, { ttl: TTL, grace: GRACE })).toBe('v1');
      await server.stop();
      expect(await cache.getOrSet('k', source.load, { ttl: TTL, grace: GRACE })).toBe('v2');
      source.failing = true;
      await expect(cache.getOrSet('k', source.load, { ttl: TTL, grace: GRACE })).rejects.toThrow(
        'database down',
      );
    } finally {
      await close();
    }
  });
});

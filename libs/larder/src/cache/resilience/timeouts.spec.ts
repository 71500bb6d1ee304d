import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  Cacheable,
  CacheService,
  LoaderTimeoutError,
  type CacheEventMap,
  type LoaderContext,
} from '@larder/nestjs';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';
import { pastTtl, RESILIENCE_SETUPS } from './resilience.fixtures';

const TTL = 150;
const GRACE = '1h' as const;
/** Slack for a loaded 2-core machine: the point is "answers long before the loader", not a speed. */
const MARGIN = 1_000;

/** A promise the test settles by hand, so a "slow" loader takes exactly as long as the test wants. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(RESILIENCE_SETUPS)('getOrSet loader timeouts on %s', (_name, makeOptions) => {
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

  it('past the soft timeout a stale value is returned at once, and the loader result lands later', async () => {
    const options = { ttl: TTL, grace: GRACE, timeout: { soft: 100 } };
    expect(await cache.getOrSet('k', () => 'v1', options)).toBe('v1');
    await pastTtl(cache, 'k');
    const slow = deferred<string>();
    let calls = 0;
    const loader = () => {
      calls++;
      return slow.promise;
    };

    const started = performance.now();
    expect(await cache.getOrSet('k', loader, options)).toBe('v1');
    expect(performance.now() - started).toBeLessThan(100 + MARGIN);
    // While that loader works in the background, callers get the stale value and no second loader runs.
    expect(await cache.getOrSet('k', loader, options)).toBe('v1');
    expect(calls).toBe(1);
    expect(stale.map((e) => e.reason)).toEqual(['soft-timeout', 'soft-timeout']);

    slow.resolve('v2');
    await eventually(async () => (await cache.get('k')) === 'v2', 5000, 'the background value to land');
    expect(calls).toBe(1);
  });

  it('without a stale value the soft timeout does not apply: the caller waits for the loader', async () => {
    const slow = deferred<string>();
    const pending = cache.getOrSet('k', () => slow.promise, {
      ttl: TTL,
      grace: GRACE,
      timeout: { soft: 20 },
    });
    let settled = false;
    void pending.then(() => (settled = true));
    await eventually(() => cache.stats().misses > 0);
    expect(settled).toBe(false);
    slow.resolve('v1');
    expect(await pending).toBe('v1');
  });

  it('past the hard timeout the loader signal is aborted and the caller gets E_LOADER_TIMEOUT', async () => {
    let signal: AbortSignal | undefined;
    const late = deferred<string>();
    const loader = (context: LoaderContext) => {
      signal = context.signal;
      return late.promise;
    };
    const error = await cache
      .getOrSet('k', loader, { ttl: TTL, timeout: { hard: 150 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaderTimeoutError);
    expect(error).toMatchObject({ code: 'E_LOADER_TIMEOUT', message: expect.stringContaining('"k"') });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
    // An abandoned loader's late value is not stored.
    late.resolve('late');
    await late.promise;
    expect(await cache.get('k')).toBeUndefined();
  });

  it('past the hard timeout, with grace, the stale value is returned and the loader rests', async () => {
    const options = { ttl: TTL, grace: GRACE, failSafeThrottle: '1m' as const, timeout: { hard: 150 } };
    expect(await cache.getOrSet('k', () => 'v1', options)).toBe('v1');
    await pastTtl(cache, 'k');
    let calls = 0;
    const hanging = ({ signal }: LoaderContext) => {
      calls++;
      return new Promise<string>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    };
    expect(await cache.getOrSet('k', hanging, options)).toBe('v1');
    expect(await cache.getOrSet('k', hanging, options)).toBe('v1');
    expect(calls).toBe(1);
    expect(stale.map((e) => e.reason)).toEqual(['hard-timeout', 'fail-safe-throttle']);
    expect(stale[0].error).toBeInstanceOf(LoaderTimeoutError);
  });

  it('refuses bad timeouts, naming them', async () => {
    const load = () => 'v';
    await expect(cache.getOrSet('k', load, { timeout: { soft: 500, hard: 100 } })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('"timeout.soft"'),
    });
    await expect(cache.getOrSet('k', load, { timeout: { sofft: 1 } as never })).rejects.toMatchObject({
      message: expect.stringContaining('Did you mean "timeout.soft"'),
    });
    await expect(cache.getOrSet('k', load, { timeout: { hard: 0 } })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('"timeout.hard"'),
    });
    await expect(cache.getOrSet('k', load, { timeout: 100 as never })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
    });
  });
});

it('module defaults carry timeouts; a bad one fails the boot naming it', async () => {
  await expect(
    createLarderModule({ namespace: uniqueNamespace(), resilience: { timeout: { hard: 'soon' as never } } }),
  ).rejects.toMatchObject({ message: expect.stringContaining('resilience.timeout.hard') });
  const moduleRef = await createLarderModule({
    namespace: uniqueNamespace(),
    resilience: { timeout: { hard: 100 } },
  });
  try {
    const cache = moduleRef.get(CacheService);
    await expect(cache.getOrSet('k', () => new Promise<string>(() => undefined))).rejects.toMatchObject({
      code: 'E_LOADER_TIMEOUT',
    });
  } finally {
    await moduleRef.close();
  }
});

@Injectable()
class Reports {
  readonly gate = deferred<string>();

  @Cacheable({ key: 'report:{0}', ttl: TTL, timeout: { hard: 100 } })
  async build(_day: string): Promise<string> {
    return this.gate.promise;
  }
}

it('@Cacheable takes timeout', async () => {
  const moduleRef = await createLarderModule({ namespace: uniqueNamespace() }, { providers: [Reports] });
  try {
    await expect(moduleRef.get(Reports).build('monday')).rejects.toMatchObject({ code: 'E_LOADER_TIMEOUT' });
  } finally {
    await moduleRef.close();
  }
});

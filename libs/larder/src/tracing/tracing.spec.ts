import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TestingModule } from '@nestjs/testing';
import {
  CacheService,
  LockService,
  RateLimitService,
  SessionService,
  type LarderModuleOptions,
  type RateLimitRule,
} from '@larder/nestjs';
import { Redis } from 'ioredis';
import { startRedisServer } from '#test/redis-server';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { pastTtl, RESILIENCE_SETUPS } from '../cache/resilience/resilience.fixtures';
import { useInMemoryTracing } from './in-memory-tracing.fixtures';

const exporter = useInMemoryTracing();

const finished = (): ReadableSpan[] => exporter.getFinishedSpans();
const named = (name: string) => finished().filter((s) => s.name === name);
const one = (name: string): ReadableSpan => {
  const spans = named(name);
  expect(spans.map((s) => s.name)).toEqual([name]);
  return spans[0];
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
/** Every attribute value of every finished span, for "this secret appears nowhere" checks. */
const allAttributes = () => JSON.stringify(finished().map((s) => [s.attributes, s.events, s.status]));

const rule: RateLimitRule = { name: 'burst', limit: 1, window: '1m' };

describe.each(RESILIENCE_SETUPS)('tracing: true on %s', (_setup, makeOptions) => {
  let moduleRef: TestingModule;
  let cache: CacheService;
  let namespace: string;
  const tier = makeOptions().memory ? 'l1' : 'l2';

  beforeAll(async () => {
    namespace = uniqueNamespace('tracing');
    moduleRef = await createLarderModule({ ...makeOptions(), namespace, name: 'traced', tracing: true });
    cache = moduleRef.get(CacheService);
  });
  afterAll(() => moduleRef.close());
  beforeEach(() => exporter.reset());

  it('get, set and del: one INTERNAL span each, with operation, hit or miss and tier, and no key', async () => {
    await cache.get('product:1');
    await cache.set('product:1', { price: 5 });
    await cache.get('product:1');
    await cache.del('product:1');

    const spans = finished();
    expect(spans.map((s) => s.name)).toEqual([
      'larder.cache.get',
      'larder.cache.set',
      'larder.cache.get',
      'larder.cache.del',
    ]);
    const common = { 'larder.name': 'traced', 'larder.namespace': namespace };
    expect(spans.map((s) => s.attributes)).toEqual([
      { ...common, 'larder.operation': 'cache.get', 'larder.hit': false },
      { ...common, 'larder.operation': 'cache.set' },
      { ...common, 'larder.operation': 'cache.get', 'larder.hit': true, 'larder.tier': tier },
      { ...common, 'larder.operation': 'cache.del' },
    ]);
    for (const span of spans) {
      expect(span.kind).toBe(SpanKind.INTERNAL);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.instrumentationScope.name).toBe('@larder/nestjs');
    }
    expect(allAttributes()).not.toContain('product:1');
  });

  it('batch and group calls: one span each with the batch size and what was removed, loaded or skipped; no key', async () => {
    await cache.setMany([
      { key: 'batch:1', value: 1, tags: ['batch-tag'] },
      { key: 'batch:2', value: 2, tags: ['batch-tag'] },
    ]);
    await cache.getMany(['batch:1', 'batch:2', 'batch:3']);
    await cache.delMany(['batch:2']);
    await cache.invalidateTags(['batch-tag']);
    await cache.warm([{ key: 'batch:warm', load: () => 'w' }]);
    await cache.clear();

    const attributes = (name: string) => {
      const { 'larder.name': _name, 'larder.namespace': _ns, ...rest } = one(name).attributes;
      return rest;
    };
    expect(attributes('larder.cache.setMany')).toEqual({
      'larder.operation': 'cache.setMany',
      'larder.batch.size': 2,
    });
    expect(attributes('larder.cache.getMany')).toEqual({
      'larder.operation': 'cache.getMany',
      'larder.batch.size': 3,
    });
    expect(attributes('larder.cache.delMany')).toEqual({
      'larder.operation': 'cache.delMany',
      'larder.batch.size': 1,
    });
    expect(attributes('larder.cache.invalidateTags')).toEqual({
      'larder.operation': 'cache.invalidateTags',
      'larder.batch.size': 1,
      'larder.removed': 1,
    });
    expect(attributes('larder.cache.warm')).toMatchObject({
      'larder.batch.size': 1,
      'larder.warm.loaded': 1,
      'larder.warm.skipped': 0,
      'larder.warm.failed': 0,
    });
    expect(attributes('larder.cache.clear')).toEqual({
      'larder.operation': 'cache.clear',
      'larder.removed': 1,
    });
    expect(allAttributes()).not.toContain('batch:');
  });

  it('getOrSet: a miss runs the loader in a child span that is active inside it; a hit runs none', async () => {
    let activeInLoader: string | undefined;
    await cache.getOrSet('report', async () => {
      activeInLoader = trace.getActiveSpan()?.spanContext().spanId;
      return 42;
    });
    const getOrSet = one('larder.cache.getOrSet');
    const loader = one('larder.cache.loader');
    expect(parentOf(loader)).toBe(idOf(getOrSet));
    expect(activeInLoader).toBe(idOf(loader));
    expect(getOrSet.attributes).toMatchObject({ 'larder.operation': 'cache.getOrSet', 'larder.hit': false });
    expect(loader.attributes['larder.operation']).toBe('cache.loader');

    exporter.reset();
    await expect(cache.getOrSet('report', async () => 0)).resolves.toBe(42);
    expect(finished().map((s) => s.name)).toEqual(['larder.cache.getOrSet']);
    expect(one('larder.cache.getOrSet').attributes).toMatchObject({
      'larder.hit': true,
      'larder.tier': tier,
    });
  });

  it("the app's active span is the parent of Larder's spans, across awaits and in namespace scopes", async () => {
    const app = trace.getTracer('app');
    const request = await app.startActiveSpan('GET /products', async (span) => {
      await cache.namespace('user:7').get('profile');
      await cache.set('after-an-await', 1);
      span.end();
      return span;
    });
    const spans = finished().filter((s) => s.name.startsWith('larder.'));
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(parentOf(span)).toBe(request.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(request.spanContext().traceId);
    }
    expect(allAttributes()).not.toContain('user:7');
  });

  it('a failing loader: ERROR status and the exception on the loader and getOrSet spans', async () => {
    await expect(
      cache.getOrSet('fails', () => {
        throw new Error('the database is down');
      }),
    ).rejects.toThrow('the database is down');
    for (const span of [one('larder.cache.getOrSet'), one('larder.cache.loader')]) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the database is down' });
      expect(span.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([
        ['exception', 'the database is down'],
      ]);
    }
  });

  it("Larder's own errors are recorded by name and code, never by their message (it names the key)", async () => {
    await expect(cache.get('x'.repeat(100_000))).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
    const span = one('larder.cache.get');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'E_INVALID_KEY' });
    expect(span.attributes['larder.error.code']).toBe('E_INVALID_KEY');
    expect(span.events[0].attributes).toMatchObject({
      'exception.type': 'InvalidKeyError',
      'exception.message': 'E_INVALID_KEY',
    });
    expect(allAttributes()).not.toContain('xxxx');
  });

  it('a value served past its ttl for grace says stale, with the reason', async () => {
    await cache.set('rates', 1, { ttl: 300, grace: '1h' });
    await pastTtl(cache, 'rates');
    exporter.reset();
    const value = await cache.getOrSet('rates', () => Promise.reject(new Error('rates API down')), {
      grace: '1h',
    });
    expect(value).toBe(1);
    expect(one('larder.cache.getOrSet').attributes).toMatchObject({
      'larder.stale': true,
      'larder.stale.reason': 'loader-error',
    });
  });

  it('locks: acquire (acquired, fence) and release spans, a refused acquire, and withLock; never the token', async () => {
    const locks = moduleRef.get(LockService);
    const lock = await locks.acquire('job:nightly', { ttl: '10s' });
    expect(await locks.acquire('job:nightly')).toBeNull();
    await lock?.release();
    await locks.withLock('job:weekly', () => 'done');

    expect(
      finished().map((s) => [
        s.name,
        s.attributes['larder.lock.acquired'] ?? s.attributes['larder.lock.released'],
      ]),
    ).toEqual([
      ['larder.lock.acquire', true],
      ['larder.lock.acquire', false],
      ['larder.lock.release', true],
      ['larder.lock.acquire', true],
      ['larder.lock.release', true],
    ]);
    expect(finished()[0].attributes['larder.lock.fence']).toBe(lock?.fence);
    expect(allAttributes()).not.toContain(lock?.token);
    expect(allAttributes()).not.toContain('job:');
  });

  it('rate limits: a check span says whether it was allowed, which rules, and degraded', async () => {
    const rateLimits = moduleRef.get(RateLimitService);
    await rateLimits.consume('ip:10.0.0.1', rule);
    await rateLimits.consume('ip:10.0.0.1', rule);
    expect(named('larder.rate_limit.check').map((s) => s.attributes)).toEqual([
      expect.objectContaining({
        'larder.rate_limit.allowed': true,
        'larder.rate_limit.rules': ['burst'],
        'larder.degraded': false,
      }),
      expect.objectContaining({ 'larder.rate_limit.allowed': false, 'larder.rate_limit.rules': ['burst'] }),
    ]);
    expect(allAttributes()).not.toContain('10.0.0.1');
  });

  it('sessions: get (found or not) and touch spans, never the session id', async () => {
    const sessions = moduleRef.get(SessionService);
    const { id } = await sessions.create({ cart: [] }, { userId: 'u1' });
    await sessions.get(id);
    await sessions.touch(id);
    await sessions.destroy(id);
    await sessions.get(id);
    expect(finished().map((s) => [s.name, s.attributes['larder.session.found']])).toEqual([
      ['larder.session.get', true],
      ['larder.session.touch', undefined],
      ['larder.session.get', false],
    ]);
    expect(allAttributes()).not.toContain(id);
  });
});

describe('tracing: { keys: true, tracerName }', () => {
  let moduleRef: TestingModule;
  beforeAll(async () => {
    moduleRef = await createLarderModule({ tracing: { keys: true, tracerName: 'shop-cache' } });
  });
  afterAll(() => moduleRef.close());
  beforeEach(() => exporter.reset());

  it('records cache, lock and rate-limit keys and the scope, under the named tracer; never a session id', async () => {
    const cache = moduleRef.get(CacheService);
    await cache.namespace('user:7').set('profile', 1);
    await moduleRef.get(LockService).withLock('job:nightly', () => 1);
    await moduleRef.get(RateLimitService).consume('ip:10.0.0.1', rule);
    const sessions = moduleRef.get(SessionService);
    const { id } = await sessions.create();
    await sessions.get(id);

    expect(one('larder.cache.set').attributes).toMatchObject({
      'larder.key': 'profile',
      'larder.scope': 'user:7',
    });
    expect(one('larder.lock.acquire').attributes['larder.key']).toBe('job:nightly');
    expect(one('larder.lock.release').attributes['larder.key']).toBe('job:nightly');
    expect(one('larder.rate_limit.check').attributes['larder.key']).toBe('ip:10.0.0.1');
    expect(new Set(finished().map((s) => s.instrumentationScope.name))).toEqual(new Set(['shop-cache']));
    expect(allAttributes()).not.toContain(id);
  });

  it("with keys, Larder's errors keep their message", async () => {
    await expect(moduleRef.get(CacheService).get('')).rejects.toMatchObject({ code: 'E_INVALID_KEY' });
    expect(one('larder.cache.get').status.message).toMatch(/cache key/);
  });
});

describe('the tracing option', () => {
  const start = (tracing: unknown) => createLarderModule({ tracing } as LarderModuleOptions);

  it.each([
    ['yes', '"tracing"'],
    [1, '"tracing"'],
    [{ keys: 'no' }, '"tracing.keys"'],
    [{ tracerName: '' }, '"tracing.tracerName"'],
    [{ key: true }, 'Unknown Larder option "tracing.key". Did you mean "tracing.keys"?'],
  ])('tracing: %p fails start-up with E_INVALID_OPTION naming %s', async (tracing, named) => {
    await expect(start(tracing)).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining(named),
    });
  });

  it('{ enabled: false } records nothing', async () => {
    exporter.reset();
    const moduleRef = await start({ enabled: false, keys: true });
    await moduleRef.get(CacheService).set('k', 1);
    await moduleRef.close();
    expect(finished()).toEqual([]);
  });
});

describe("on Redis, the client's commands run inside Larder's spans", () => {
  it('each command is sent while the span of the call that sent it is active (where ioredis instrumentation nests its spans)', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const sentIn: Array<[string, string | undefined]> = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      sentIn.push([command.name, trace.getActiveSpan()?.spanContext().spanId]);
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof client.sendCommand;
    const moduleRef = await createLarderModule({
      redis: client,
      namespace: uniqueNamespace(),
      tracing: true,
    });
    try {
      exporter.reset();
      sentIn.splice(0);
      await moduleRef.get(CacheService).get('product:1');
      await moduleRef.get(LockService).withLock('job', () => 1);
      const get = one('larder.cache.get');
      const [acquire, release] = [one('larder.lock.acquire'), one('larder.lock.release')];
      const spanOf = (id: string | undefined) => finished().find((s) => idOf(s) === id)?.name;
      expect(sentIn.length).toBeGreaterThanOrEqual(3);
      for (const [, id] of sentIn) expect([idOf(get), idOf(acquire), idOf(release)]).toContain(id);
      expect(new Set(sentIn.map(([, id]) => spanOf(id)))).toEqual(
        new Set(['larder.cache.get', 'larder.lock.acquire', 'larder.lock.release']),
      );
    } finally {
      await moduleRef.close();
      client.disconnect();
      await server.stop();
    }
  });

  it('a read that fails open on a dead Redis says degraded, with the exception, and no ERROR status', async () => {
    const server = await startRedisServer();
    const moduleRef = await createLarderModule({
      redis: server.url,
      namespace: uniqueNamespace(),
      commandTimeout: 200,
      tracing: true,
    });
    try {
      await server.stop();
      exporter.reset();
      await expect(moduleRef.get(CacheService).get('product:1')).resolves.toBeUndefined();
      const span = one('larder.cache.get');
      expect(span.attributes['larder.degraded']).toBe(true);
      expect(span.events.map((e) => e.name)).toContain('exception');
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    } finally {
      await moduleRef.close();
    }
  });
});

import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TestingModule } from '@nestjs/testing';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { CatalogError, CatalogService } from '../cache/decorators/catalog.fixtures';
import { RESILIENCE_SETUPS } from '../cache/resilience/resilience.fixtures';
import { useInMemoryTracing } from './in-memory-tracing.fixtures';

const exporter = useInMemoryTracing();

const methodSpans = (): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((s) => s.name === 'larder.cache.method');
const allAttributes = () =>
  JSON.stringify(exporter.getFinishedSpans().map((s) => [s.attributes, s.events, s.status]));

describe.each(RESILIENCE_SETUPS)('tracing: true, decorated methods on %s', (_setup, makeOptions) => {
  let moduleRef: TestingModule;
  let catalog: CatalogService;
  let namespace: string;

  beforeAll(async () => {
    namespace = uniqueNamespace('tracing-decorators');
    moduleRef = await createLarderModule(
      { ...makeOptions(), namespace, name: 'traced', tracing: true },
      { providers: [CatalogService] },
    );
    catalog = moduleRef.get(CatalogService);
  });
  afterAll(() => moduleRef.close());
  beforeEach(() => exporter.reset());

  it('@Cacheable: one larder.cache.method span per call, naming the method, a miss then a hit; no key', async () => {
    await catalog.find(1);
    await catalog.find(1);
    expect(catalog.count('find')).toBe(1);

    const spans = methodSpans();
    expect(spans.map((s) => s.attributes)).toEqual([
      expect.objectContaining({
        'larder.operation': 'cache.method',
        'larder.name': 'traced',
        'larder.namespace': namespace,
        'code.function.name': 'CatalogService.find',
        'larder.decorators': ['Cacheable'],
        'larder.hit': false,
      }),
      expect.objectContaining({ 'code.function.name': 'CatalogService.find', 'larder.hit': true }),
    ]);
    expect(spans[1].attributes['larder.tier']).toEqual(expect.any(String));
    expect(allAttributes()).not.toContain('product:1');
  });

  it('@CachePut and @CacheEvict: a span each, under the span active when the method was called', async () => {
    const tracer = trace.getTracer('app');
    await tracer.startActiveSpan('request', async (request) => {
      await catalog.rename(2, 'renamed');
      await catalog.update(2);
      request.end();
    });
    const spans = methodSpans();
    expect(spans.map((s) => [s.attributes['code.function.name'], s.attributes['larder.decorators']])).toEqual(
      [
        ['CatalogService.rename', ['CachePut']],
        ['CatalogService.update', ['CacheEvict']],
      ],
    );
    const parent = exporter.getFinishedSpans().find((s) => s.name === 'request') as ReadableSpan;
    for (const span of spans) expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(allAttributes()).not.toContain('product:2');
  });

  it("a method that throws: ERROR status and the method's own error, which reaches the caller as thrown", async () => {
    await expect(catalog.failing(3)).rejects.toBeInstanceOf(CatalogError);
    const [span] = methodSpans();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });
});

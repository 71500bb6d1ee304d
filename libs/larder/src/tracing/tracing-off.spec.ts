import type { TestingModule } from '@nestjs/testing';
import {
  CacheService,
  LockService,
  RateLimitService,
  SessionService,
  type LarderModuleOptions,
} from '@larder/nestjs';
import { createLarderModule, testRedisUrl, uniqueNamespace } from '#test/test-helpers';
import { CatalogService } from '../cache/decorators/catalog.fixtures';

// Records every load of @opentelemetry/api in this spec's module registry (the factory runs only
// when something requires the package). Nothing else here imports it.
const mockApiLoads = jest.fn();
jest.mock('@opentelemetry/api', () => {
  mockApiLoads();
  return jest.requireActual('@opentelemetry/api');
});

/** One call of each traced operation, a decorated method's among them. */
async function exercise(moduleRef: TestingModule): Promise<void> {
  const cache = moduleRef.get(CacheService);
  await cache.set('k', 1);
  await cache.get('k');
  await cache.getOrSet('g', () => 2);
  await cache.namespace('scope').del('k');
  await moduleRef.get(LockService).withLock('job', () => 1);
  await moduleRef.get(RateLimitService).consume('client', { limit: 5, window: '1m' });
  const sessions = moduleRef.get(SessionService);
  const { id } = await sessions.create();
  await sessions.get(id);
  await sessions.touch(id);
  await moduleRef.get(CatalogService).find(1);
}

/** Whether the services carry instance methods of their own (tracing's wrappers) over their classes'. */
function wrapped(moduleRef: TestingModule): boolean[] {
  return [
    Object.hasOwn(moduleRef.get(CacheService), 'get'),
    Object.hasOwn(moduleRef.get(LockService), 'acquire'),
    Object.hasOwn(moduleRef.get(RateLimitService), 'consumeAll'),
    Object.hasOwn(moduleRef.get(SessionService), 'get'),
  ];
}

describe('tracing off', () => {
  const setups: Array<[string, () => LarderModuleOptions]> = [
    ['memory', () => ({})],
    ['Redis', () => ({ redis: testRedisUrl() })],
  ];
  const offValues: Array<[string, LarderModuleOptions['tracing']]> = [
    ['unset', undefined],
    ['false', false],
    ['{ enabled: false }', { enabled: false, keys: true }],
  ];

  it.each(setups)(
    'on %s, unset, false or { enabled: false }: no wrapper anywhere, @opentelemetry/api never loaded',
    async (_name, makeOptions) => {
      for (const [, tracing] of offValues) {
        const moduleRef = await createLarderModule(
          { ...makeOptions(), namespace: uniqueNamespace(), tracing },
          { providers: [CatalogService] },
        );
        try {
          await exercise(moduleRef);
          expect(wrapped(moduleRef)).toEqual([false, false, false, false]);
        } finally {
          await moduleRef.close();
        }
      }
      expect(mockApiLoads).not.toHaveBeenCalled();
    },
  );

  // Last: once loaded, the api stays in this spec's registry.
  it('tracing: true loads @opentelemetry/api and wraps the services (the check above can fail)', async () => {
    const moduleRef = await createLarderModule({ tracing: true });
    try {
      expect(mockApiLoads).toHaveBeenCalledTimes(1);
      expect(wrapped(moduleRef)).toEqual([true, true, true, true]);
    } finally {
      await moduleRef.close();
    }
  });
});

import type { TestingModule } from '@nestjs/testing';
import { createLarderModule, eventually, uniqueNamespace, untilConnected } from '#test/test-helpers';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { brokenPromises, oneMasterScenario, runThroughFault } from './load-scenario';

const FAULT_TIMEOUT_MS = 90_000;

/**
 * A single Redis hung (SIGSTOP) while a steady load of cache, lock, rate-limit and session calls
 * runs through Larder's defaults (a URL; `throwOnError` so cache writes fail typed), resumed once
 * every call has felt it: the same promises as on Cluster and Sentinel, measured from the resume.
 * (A killed single Redis without persistence comes back empty: nothing to measure as surviving.)
 */
describe('a single Redis under steady load, hung and resumed', () => {
  let server: RedisServerHandle;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await moduleRef?.close();
    server?.resume();
    await server?.stop();
  });

  it(
    'hung (SIGSTOP): policies followed, back within 10 s of the resume, nothing lost',
    async () => {
      moduleRef = await createLarderModule({
        redis: server.url,
        namespace: uniqueNamespace(),
        throwOnError: true,
      });
      // The scenario's set-up writes go out on a connected module, however long a loaded machine took.
      await untilConnected(moduleRef);
      const result = await runThroughFault({
        title: 'Single Redis, SIGSTOP until every call failed, then SIGCONT',
        ...(await oneMasterScenario(moduleRef, { replicated: false })),
        fault: () => server.pause(),
        recovered: async (felt) => {
          await eventually(felt, 20_000, 'every call to feel the hung server').finally(() => server.resume());
        },
      });
      expect(brokenPromises(result)).toEqual([]);
    },
    FAULT_TIMEOUT_MS,
  );
});

import type { TestingModule } from '@nestjs/testing';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { startSentinelGroup, type SentinelGroup } from '#test/topology/sentinel-group';
import { brokenPromises, oneMasterScenario, runThroughFault } from './load-scenario';

/** Start-up, the load's warm-up, a failover (seconds), recovery, the node's return and the checks. */
const FAULT_TIMEOUT_MS = 120_000;

/**
 * The master of a Sentinel group (master, replica, 3 sentinels) SIGKILLed, then the new master
 * SIGSTOPped, each while a steady load of cache, lock, rate-limit and session calls runs through
 * Larder's default options (`{ sentinels, name }`; `throwOnError` so cache writes fail typed):
 * every call follows its failure policy, none hangs, all recover within 10 s of the promotion, no
 * lock is granted twice, and what was replicated (`WAIT 1`) before the fault survives it.
 */
describe('Sentinel under steady load through a failover', () => {
  let group: SentinelGroup;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    group = await startSentinelGroup();
  }, FAULT_TIMEOUT_MS);

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  afterAll(async () => {
    await group?.teardown();
  });

  /** Every key is on the one master: all of them are faulted. */
  async function prepare() {
    moduleRef = await createLarderModule({
      redis: { sentinels: group.sentinelAddresses(), name: group.masterName },
      namespace: uniqueNamespace(),
      throwOnError: true,
    });
    return oneMasterScenario(moduleRef);
  }

  it(
    'the master killed (SIGKILL): policies followed, back within 10 s of the promotion, nothing replicated lost',
    async () => {
      const master = await group.master();
      const result = await runThroughFault({
        title: 'Sentinel, master SIGKILL',
        ...(await prepare()),
        fault: () => group.kill(master),
        recovered: () => group.waitForPromotion(master),
        heal: () => group.restart(master),
      });
      expect(brokenPromises(result)).toEqual([]);
    },
    FAULT_TIMEOUT_MS,
  );

  it(
    'the master hung (SIGSTOP): policies followed, back within 10 s of the promotion, nothing replicated lost',
    async () => {
      const master = await group.master();
      const result = await runThroughFault({
        title: 'Sentinel, master SIGSTOP',
        ...(await prepare()),
        fault: () => group.pause(master),
        recovered: () => group.waitForPromotion(master),
        heal: async () => {
          group.resume(master);
          await group.waitUntilHealthy();
        },
      });
      expect(brokenPromises(result)).toEqual([]);
    },
    FAULT_TIMEOUT_MS,
  );
});

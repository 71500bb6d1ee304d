import { uniqueNamespace } from '#test/test-helpers';
import { startSentinelGroup } from '#test/topology/sentinel-group';
import { failoversUnderLoad } from './failovers-under-load';
import { oneMasterScenario } from './load-scenario';

/**
 * The master of a Sentinel group (master, replica, 3 sentinels) SIGKILLed, then the new master
 * SIGSTOPped, each while a steady load of cache, lock, rate-limit and session calls runs through
 * Larder's default options (`{ sentinels, name }`; `throwOnError` so cache writes fail typed):
 * every call follows its failure policy, none hangs, all recover within 10 s of the promotion, no
 * lock is granted twice, and what was replicated (`WAIT 1`) before the fault survives it.
 */
describe('Sentinel under steady load through a failover', () => {
  failoversUnderLoad({
    start: () => startSentinelGroup(),
    label: 'Sentinel',
    which: 'the master',
    master: (group) => group.master(),
    // Every key is on the one master: all of them are faulted.
    prepare: async (group, _master, createModule) =>
      oneMasterScenario(
        await createModule({
          redis: { sentinels: group.sentinelAddresses(), name: group.masterName },
          namespace: uniqueNamespace(),
        }),
      ),
  });
});

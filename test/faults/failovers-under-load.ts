import type { TestingModule } from '@nestjs/testing';
import type { LarderModuleOptions } from '@larder/nestjs';
import { createLarderModule, untilConnected } from '#test/test-helpers';
import type { RedisNode } from '#test/topology/redis-node';
import { brokenPromises, runThroughFault, type FaultScenario } from './load-scenario';

/** Start-up, the load's warm-up, a failover (seconds), recovery, the node's return and the checks. */
const FAULT_TIMEOUT_MS = 120_000;

/** What a replicated topology (RedisCluster, SentinelGroup) offers these tests. */
interface FailoverTopology {
  kill(node: RedisNode): Promise<void>;
  pause(node: RedisNode): void;
  resume(node: RedisNode): void;
  restart(node: RedisNode): Promise<void>;
  waitForPromotion(oldMaster: RedisNode): Promise<RedisNode>;
  waitUntilHealthy(): Promise<void>;
  teardown(): Promise<void>;
}

/** The module, the load's keys and the state written before the fault. */
export type PreparedLoad = Pick<FaultScenario, 'moduleRef' | 'plan' | 'faultedKeys' | 'state'>;

export interface FailoverSuite<T extends FailoverTopology> {
  /** Starts the topology, once for the file. */
  start(): Promise<T>;
  /** The topology's name in the logged figures: `Cluster`, `Sentinel`. */
  label: string;
  /** How the test names call the node broken: `a master`, `the master`. */
  which: string;
  /** The master to break in each test. */
  master(topology: T): Promise<RedisNode>;
  /**
   * The load for one test, on a module made with `createModule` (Larder's options plus
   * `throwOnError`, so cache writes fail typed; closed after the test).
   */
  prepare(
    topology: T,
    master: RedisNode,
    createModule: (options: LarderModuleOptions) => Promise<TestingModule>,
  ): Promise<PreparedLoad>;
}

/**
 * Declares, in the enclosing describe, the two failovers every replicated topology is put
 * through under steady load: a master SIGKILLed (then restarted) and a master SIGSTOPped (then
 * resumed). Each test asserts the promises of runThroughFault: policies followed, back within
 * 10 s of the promotion, no lock granted twice, nothing replicated lost.
 */
export function failoversUnderLoad<T extends FailoverTopology>(suite: FailoverSuite<T>): void {
  let topology: T | undefined;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    topology = await suite.start();
  }, FAULT_TIMEOUT_MS);

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  afterAll(async () => {
    await topology?.teardown();
  });

  // The scenario's set-up writes go out on a connected module, however long a loaded machine took.
  const createModule = async (options: LarderModuleOptions) => {
    moduleRef = await createLarderModule({ ...options, throwOnError: true });
    await untilConnected(moduleRef);
    return moduleRef;
  };

  const faults = [
    {
      name: 'killed (SIGKILL)',
      signal: 'SIGKILL',
      fault: (t: T, master: RedisNode) => t.kill(master),
      heal: (t: T, master: RedisNode) => t.restart(master),
    },
    {
      name: 'hung (SIGSTOP)',
      signal: 'SIGSTOP',
      fault: (t: T, master: RedisNode) => t.pause(master),
      heal: async (t: T, master: RedisNode) => {
        t.resume(master);
        await t.waitUntilHealthy();
      },
    },
  ];
  for (const { name, signal, fault, heal } of faults) {
    it(
      `${suite.which} ${name}: policies followed, back within 10 s of the promotion, nothing replicated lost`,
      async () => {
        const t = topology!;
        const master = await suite.master(t);
        const result = await runThroughFault({
          title: `${suite.label}, master ${signal}`,
          ...(await suite.prepare(t, master, createModule)),
          fault: () => fault(t, master),
          recovered: () => t.waitForPromotion(master),
          heal: () => heal(t, master),
        });
        expect(brokenPromises(result)).toEqual([]);
      },
      FAULT_TIMEOUT_MS,
    );
  }
}

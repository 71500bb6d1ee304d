import type { TestingModule } from '@nestjs/testing';
import { SessionService } from '@larder/nestjs';
import { eventually } from '#test/test-helpers';
import {
  doubleGrants,
  fenceRegressions,
  figuresOf,
  formatFigures,
  type CallFigures,
  type FaultTimes,
} from './load-figures';
import { lostState, writeReplicatedState, type ReplicatedState } from './replicated-state';
import { LOAD_CALLS, SteadyLoad, type LoadCall, type LoadPlan } from './steady-load';

/** The promise of docs/operations.md: every service is back within 10 s of the promotion (or restart). */
export const RECOVERY_MS = 10_000;
/**
 * The longest a call may take: a lock grant and its release, or a session read and its write, are
 * two Redis calls of at most `commandTimeout` (1 s by default) each; plus a held-up event loop on
 * a loaded machine.
 */
export const SLOWEST_CALL_MS = 3500;

/** `n` key names `<prefix>-<i>`. */
export function keyNames(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}

/** Ids of `n` new sessions, for the load to read and update. */
export function createSessions(moduleRef: TestingModule, n: number): Promise<string[]> {
  const sessions = moduleRef.get(SessionService);
  return Promise.all(Array.from({ length: n }, async () => (await sessions.create({})).id));
}

/**
 * The load's keys and the state written before the fault for a topology with one master (a
 * single Redis, Sentinel): every key is on the node broken. `replicated: false` where there is no
 * replica to WAIT for.
 */
export async function oneMasterScenario(
  moduleRef: TestingModule,
  { replicated = true } = {},
): Promise<Pick<FaultScenario, 'moduleRef' | 'plan' | 'faultedKeys' | 'state'>> {
  const plan: LoadPlan = {
    cacheKeys: keyNames('c', 12),
    lockKeys: keyNames('l', 2),
    clientKeys: keyNames('r', 6),
    sessionIds: await createSessions(moduleRef, 4),
  };
  const state = await writeReplicatedState(
    moduleRef,
    { values: keyNames('kept', 4), sessions: 3, held: keyNames('held', 2), fences: keyNames('fence', 2) },
    { replicated },
  );
  const faultedKeys = new Set([...plan.cacheKeys, ...plan.lockKeys, ...plan.clientKeys, ...plan.sessionIds]);
  return { moduleRef, plan, faultedKeys, state };
}

export interface FaultScenario {
  title: string;
  moduleRef: TestingModule;
  plan: LoadPlan;
  /** Keys (of any call) whose node the fault breaks. */
  faultedKeys: Set<string>;
  /** Written and replicated before the fault; checked after it. */
  state?: ReplicatedState;
  fault: () => Promise<void> | void;
  /**
   * Resolves once the topology serves again: the promotion seen, or the server resumed. `felt()`
   * says whether every call has seen the fault (anything but served as usual).
   */
  recovered: (felt: () => boolean) => Promise<unknown>;
  /** After the load: makes the topology whole again (resume, restart). */
  heal?: () => Promise<unknown>;
}

export interface FaultResult {
  times: FaultTimes;
  figures: Record<LoadCall, CallFigures>;
  doubleGrants: string[];
  fenceRegressions: string[];
  /** What was replicated before the fault and is gone or changed after it. */
  lost: string[];
}

/**
 * Runs the steady load, breaks a node once every call is being served, waits for the topology to
 * recover and for every call to be served again on the broken node's keys (or gives up at
 * RECOVERY_MS + 5 s, leaving the figures to say so), then stops the load, heals the topology and
 * checks what was replicated before the fault. Logs the figures (docs/operations.md quotes them).
 */
export async function runThroughFault(scenario: FaultScenario): Promise<FaultResult> {
  const load = new SteadyLoad(scenario.moduleRef, scenario.plan);
  let times: FaultTimes | undefined;
  const figures = () =>
    figuresOf(load.records, times ?? { faultAt: 0, recoveredAt: 0 }, scenario.faultedKeys);
  try {
    await eventually(
      () => LOAD_CALLS.every((call) => figures()[call].servedAfter >= 3),
      20_000,
      'every call of the load to be served',
    );
    const faultAt = performance.now();
    await scenario.fault();
    const since = (r: { startedAt: number }) => r.startedAt >= faultAt;
    const felt = () =>
      LOAD_CALLS.every((call) => load.records.some((r) => r.call === call && since(r) && r.outcome !== 'ok'));
    await scenario.recovered(felt);
    times = { faultAt, recoveredAt: performance.now() };
    const recoveredAt = times.recoveredAt;
    await eventually(
      () =>
        performance.now() - recoveredAt > 3000 &&
        LOAD_CALLS.every((call) => figures()[call].servedAfter >= 5),
      RECOVERY_MS + 5000,
    ).catch(() => undefined);
  } finally {
    await load.stop();
    await scenario.heal?.();
  }
  if (!times) throw new Error('the fault was not made');
  const result: FaultResult = {
    times,
    figures: figures(),
    doubleGrants: doubleGrants(load.grants),
    fenceRegressions: fenceRegressions(load.grants),
    lost: scenario.state ? await lostState(scenario.moduleRef, scenario.state) : [],
  };
  console.info(formatFigures(scenario.title, times, result.figures));
  return result;
}

/**
 * What broke the promises: a call that broke its policy, hung, recovered late or was never served
 * again; a fault nobody felt (no call failed, no rate limit degraded); a lock granted twice; a
 * fence that went back; replicated state lost. Empty when the services held.
 */
export function brokenPromises(result: FaultResult): string[] {
  const problems: string[] = [];
  for (const call of LOAD_CALLS) {
    const f = result.figures[call];
    problems.push(...f.broken.map((broken) => `${call} broke its policy: ${broken}`));
    if (f.slowestMs >= SLOWEST_CALL_MS) problems.push(`${call} took ${f.slowestMs} ms`);
    if (f.recoveryMs >= RECOVERY_MS) problems.push(`${call} still failing ${f.recoveryMs} ms after recovery`);
    if (f.servedAfter === 0) problems.push(`${call} never served again on the faulted keys`);
    // The fault was felt: calls on the broken node failed by policy, rate limits went to insurance.
    if (call === 'rateLimit' ? f.degraded === 0 : f.failed === 0) problems.push(`${call} never failed`);
  }
  problems.push(...result.doubleGrants, ...result.fenceRegressions, ...result.lost.map((l) => `lost ${l}`));
  return problems;
}

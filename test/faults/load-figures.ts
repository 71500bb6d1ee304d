import { LOAD_CALLS, type LoadCall, type LoadGrant, type LoadRecord } from './steady-load';

/** When the fault was made and when the topology had recovered from it (a promotion, a restart). */
export interface FaultTimes {
  faultAt: number;
  recoveredAt: number;
}

/** The figures of one call under one fault, as docs/operations.md reports them. */
export interface CallFigures {
  calls: number;
  /** Calls that failed by their policy (a read missed, a write or lock or session call refused typed). */
  failed: number;
  /** Rate-limit answers from the insurance limiter. */
  degraded: number;
  /** Calls that broke their policy, with what happened. */
  broken: string[];
  /** The longest call, in ms. */
  slowestMs: number;
  /** From the start of the first failed or degraded call to the end of the last: how long the call saw the outage. */
  failingMs: number;
  /** From the recovery (promotion or restart) to the end of the last failed or degraded call; 0 when none came after it. */
  recoveryMs: number;
  /** Calls that were served as usual on the faulted node's keys after the last failure. */
  servedAfter: number;
}

const isFailure = (r: LoadRecord) => r.outcome === 'failed' || r.outcome === 'degraded';

/** Per call: how many failed, how long the slowest took, and how long after the recovery the last failure ended. */
export function figuresOf(
  records: LoadRecord[],
  times: FaultTimes,
  faultedKeys: Set<string>,
): Record<LoadCall, CallFigures> {
  const figures = {} as Record<LoadCall, CallFigures>;
  for (const call of LOAD_CALLS) {
    const mine = records.filter((r) => r.call === call);
    const failures = mine.filter(isFailure);
    const lastFailure = Math.max(times.faultAt, ...failures.map((r) => r.endedAt));
    const firstFailure = Math.min(lastFailure, ...failures.map((r) => r.startedAt));
    figures[call] = {
      calls: mine.length,
      failed: mine.filter((r) => r.outcome === 'failed').length,
      degraded: mine.filter((r) => r.outcome === 'degraded').length,
      broken: mine.filter((r) => r.outcome === 'broken').map((r) => `${r.key}: ${r.detail}`),
      slowestMs: Math.round(Math.max(0, ...mine.map((r) => r.endedAt - r.startedAt))),
      failingMs: Math.round(lastFailure - firstFailure),
      recoveryMs: Math.round(Math.max(0, lastFailure - times.recoveredAt)),
      servedAfter: mine.filter(
        (r) => r.outcome === 'ok' && r.startedAt > lastFailure && faultedKeys.has(r.key),
      ).length,
    };
  }
  return figures;
}

/**
 * Grants of one key that Redis certainly made while another was held: asked for after the other
 * was granted and granted before the other can have been freed.
 */
export function doubleGrants(grants: LoadGrant[]): string[] {
  const found: string[] = [];
  for (const a of grants) {
    for (const b of grants) {
      if (a !== b && a.key === b.key && b.askedAt > a.grantedAt && b.grantedAt < a.heldUntil) {
        found.push(`${a.key}: fence ${b.fence} granted while fence ${a.fence} was held`);
      }
    }
  }
  return found;
}

/** Fences of one key that did not rise in the order the grants came back. */
export function fenceRegressions(grants: LoadGrant[]): string[] {
  const found: string[] = [];
  const last = new Map<string, number>();
  for (const grant of [...grants].sort((a, b) => a.grantedAt - b.grantedAt)) {
    const before = last.get(grant.key) ?? 0;
    if (grant.fence <= before) found.push(`${grant.key}: fence ${grant.fence} after ${before}`);
    last.set(grant.key, grant.fence);
  }
  return found;
}

/** One line per call, for the test log and docs/operations.md. */
export function formatFigures(
  title: string,
  times: FaultTimes,
  figures: Record<LoadCall, CallFigures>,
): string {
  const lines = [`${title}: recovered ${Math.round(times.recoveredAt - times.faultAt)} ms after the fault`];
  for (const call of LOAD_CALLS) {
    const f = figures[call];
    lines.push(
      `  ${call.padEnd(15)} ${String(f.calls).padStart(5)} calls, ${f.failed} failed, ${f.degraded} degraded, ` +
        `${f.broken.length} broken; slowest ${f.slowestMs} ms; failing for ${f.failingMs} ms, ` +
        `until ${f.recoveryMs} ms after recovery`,
    );
  }
  return lines.join('\n');
}

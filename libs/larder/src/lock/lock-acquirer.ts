import { CircuitOpenError } from '../errors';
import type { LockStore } from './lock-store';

/** The outcome of `acquireWithRetry`: a fence and when the winning request was sent, or why not. */
export type AcquireOutcome =
  | { fence: number; attempts: number; sentAt: number; sentPerf: number; waitedMs: number }
  | { fence: null; attempts: number; error?: Error };

/**
 * Pause before the next attempt after `failed` failed attempts: `retryDelay` at first, growing
 * 1.5x per attempt up to 4x, each time randomised by ±50% so waiters released at the same moment
 * spread out instead of retrying in lockstep.
 */
export function retryPause(retryDelay: number, failed: number): number {
  return retryDelay * Math.min(1.5 ** (failed - 1), 4) * (0.5 + Math.random());
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Tries to take `key` until it succeeds or `wait` ms have passed. Pauses never reach past the
 * deadline; the last attempt starts at it at the latest, so the whole call takes at most `wait`
 * plus one round trip (itself bounded by `commandTimeout`). A failed Redis call counts as "not
 * acquired" (fail closed) and is retried like a held lock; the last error is returned as the cause.
 * A failed attempt may still land later (a timeout says nothing about whether Redis ran it), so a
 * token of our own making is released behind it: same connection, so Redis runs that release
 * after the late grant; when the attempt never reached Redis the release simply finds nothing.
 * A caller-chosen owner is not released, as that owner may legitimately hold the lock already.
 */
export function acquireWithRetry(
  store: LockStore,
  key: string,
  token: string,
  plan: { ttl: number; wait: number; retryDelay: number; owner?: string },
): Promise<AcquireOutcome> {
  // The first attempt is a plain promise chain: an uncontended acquire (the common case) then
  // costs no async frame; only a refused or failed one enters the retry loop.
  const sentAt = Date.now();
  const sentPerf = performance.now();
  let first: Promise<number | null>;
  try {
    first = store.acquire(key, token, plan.ttl);
  } catch (error) {
    // A store that throws instead of rejecting still counts as a failed attempt, as in the loop.
    first = Promise.reject(error as Error);
  }
  return first.then(
    (fence) =>
      fence !== null
        ? { fence, attempts: 1, sentAt, sentPerf, waitedMs: 0 }
        : retry(store, key, token, plan, sentPerf, undefined),
    (caught: unknown) => {
      const error = caught as Error;
      // The breaker is open: no attempt reaches Redis before it closes, so fail closed now.
      if (error instanceof CircuitOpenError) return { fence: null, attempts: 1, error };
      if (plan.owner === undefined) store.release(key, token).catch(() => undefined);
      return retry(store, key, token, plan, sentPerf, error);
    },
  );
}

/** Attempts 2 and on, after the first (sent at `startPerf`) was refused or failed with `error`. */
async function retry(
  store: LockStore,
  key: string,
  token: string,
  plan: { ttl: number; wait: number; retryDelay: number; owner?: string },
  startPerf: number,
  firstError: Error | undefined,
): Promise<AcquireOutcome> {
  const deadline = startPerf + plan.wait;
  let error = firstError;
  for (let attempts = 2; ; attempts++) {
    const left = deadline - performance.now();
    if (left <= 0) return { fence: null, attempts: attempts - 1, error };
    await sleep(Math.min(retryPause(plan.retryDelay, attempts - 1), left));
    const sentAt = Date.now();
    const sentPerf = performance.now();
    try {
      const fence = await store.acquire(key, token, plan.ttl);
      if (fence !== null) return { fence, attempts, sentAt, sentPerf, waitedMs: sentPerf - startPerf };
      error = undefined;
    } catch (caught) {
      error = caught as Error;
      if (error instanceof CircuitOpenError) return { fence: null, attempts, error };
      if (plan.owner === undefined) store.release(key, token).catch(() => undefined);
    }
  }
}

import type { TestingModule } from '@nestjs/testing';
import { CacheService, LarderError, LockService, RateLimitService, SessionService } from '@larder/nestjs';

/** The calls the load makes, each with its own failure policy. */
export type LoadCall = 'cache.get' | 'cache.set' | 'lock' | 'rateLimit' | 'session.get' | 'session.update';
export const LOAD_CALLS: readonly LoadCall[] = [
  'cache.get',
  'cache.set',
  'lock',
  'rateLimit',
  'session.get',
  'session.update',
];

/**
 * How one call ended: `ok` (served as usual; a lock held by another loop counts), `degraded` (a
 * rate-limit answer from the insurance limiter), `failed` (the call's failure policy applied: a
 * read missed through a store error, a write or a lock or a session call refused with a typed
 * error) or `broken` (the policy was not followed: an untyped error, a lost session, a wrong value).
 */
export type LoadOutcome = 'ok' | 'degraded' | 'failed' | 'broken';

export interface LoadRecord {
  call: LoadCall;
  key: string;
  /** performance.now() when the call was made and when it settled. */
  startedAt: number;
  endedAt: number;
  outcome: LoadOutcome;
  /** The error code of a failed call, or what went wrong in a broken one. */
  detail?: string;
}

/** One lock grant the load saw, for the "never granted twice" and fence checks. */
export interface LoadGrant {
  key: string;
  fence: number;
  /** When the grant was asked for and when it came back (performance.now()). */
  askedAt: number;
  grantedAt: number;
  /**
   * The earliest moment Redis can have freed the lock: when its release was sent, or asked + ttl
   * when Redis refused the release (a timed-out release may have landed, so it counts as sent).
   */
  heldUntil: number;
}

/** What the load works on. Each loop of a call owns its own keys, so a cache error event names its call. */
export interface LoadPlan {
  cacheKeys: string[];
  lockKeys: string[];
  /** Rate-limit client keys. */
  clientKeys: string[];
  /** Ids of sessions that exist for the whole run. */
  sessionIds: string[];
  /** Concurrent loops per call (default 2) and the pause between one loop's calls (default 10 ms). */
  loops?: number;
  pauseMs?: number;
}

/** Lock ttl under load: short, so a lock whose release failed during the fault frees itself soon. */
export const LOAD_LOCK_TTL_MS = 3000;
const RULE = { name: 'load', limit: 1_000_000, window: '1m' } as const;
const TYPED = new Set(['E_STORE_UNAVAILABLE', 'E_COMMAND_TIMEOUT']);

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function codeOf(error: unknown): string {
  if (!(error instanceof LarderError)) return `untyped: ${String(error)}`;
  const cause = (error as { cause?: unknown }).cause;
  // A lock refused because Redis failed says so in its cause.
  if (error.code === 'E_LOCK_NOT_ACQUIRED' && cause instanceof LarderError) return cause.code;
  return error.code;
}

/**
 * A steady load of cache reads and writes, lock acquire/release, rate-limit checks and session
 * reads and writes through one Larder module, every call recorded with its outcome, until
 * `stop()`. The module's cache must be built with `throwOnError`, so its writes fail typed.
 */
export class SteadyLoad {
  readonly records: LoadRecord[] = [];
  readonly grants: LoadGrant[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];
  /** Cache keys whose pending read saw an error event (the read then misses). */
  private readonly readErrors = new Set<string>();

  constructor(
    private readonly moduleRef: TestingModule,
    private readonly plan: LoadPlan,
  ) {
    moduleRef.get(CacheService).on('error', (event) => {
      if (event.operation === 'get' && event.key) this.readErrors.add(event.key);
    });
    const loops = plan.loops ?? 2;
    for (let i = 0; i < loops; i++) {
      const mine = <T>(all: T[]) => all.filter((_, j) => j % loops === i);
      this.loop(mine(plan.cacheKeys), (key, n) => this.cacheCall(key, n));
      this.loop(plan.lockKeys, (key) => this.lockCall(key)); // shared: the loops contend
      this.loop(mine(plan.clientKeys), (key) => this.rateLimitCall(key));
      this.loop(mine(plan.sessionIds), (id, n) => this.sessionCall(id, n));
    }
  }

  /** Stops making calls and resolves once the calls in flight have settled. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private loop(keys: string[], call: (key: string, n: number) => Promise<void>): void {
    if (keys.length === 0) throw new Error('a load loop without keys');
    const run = async () => {
      for (let n = 0; this.running; n++) {
        // Calls alternate (a write, then a read) on one key before moving to the next.
        await call(keys[Math.floor(n / 2) % keys.length], n);
        await pause(this.plan.pauseMs ?? 10);
      }
    };
    this.loops.push(run());
  }

  /**
   * Runs one call and records how it ended. `accept` says what a call that threw with a given
   * code counts as: by default a typed store error is the policy applied, anything else breaks it.
   */
  private async record(
    call: LoadCall,
    key: string,
    run: () => Promise<LoadOutcome | [LoadOutcome, string]>,
    accept: (code: string) => LoadOutcome = (code) => (TYPED.has(code) ? 'failed' : 'broken'),
  ): Promise<void> {
    const startedAt = performance.now();
    let outcome: LoadOutcome;
    let detail: string | undefined;
    try {
      const result = await run();
      [outcome, detail] = Array.isArray(result) ? result : [result, undefined];
    } catch (error) {
      detail = codeOf(error);
      outcome = accept(detail);
    }
    this.records.push({ call, key, startedAt, endedAt: performance.now(), outcome, detail });
  }

  private cacheCall(key: string, n: number): Promise<void> {
    const cache = this.moduleRef.get(CacheService);
    if (n % 2 === 0)
      return this.record('cache.set', key, async () => (await cache.set(key, `${key}#${n}`), 'ok'));
    return this.record('cache.get', key, async () => {
      this.readErrors.delete(key);
      const value = await cache.get<string>(key);
      if (value !== undefined && !value.startsWith(`${key}#`)) return ['broken', `wrong value ${value}`];
      return this.readErrors.delete(key) ? ['failed', 'miss through a store error'] : 'ok';
    });
  }

  private lockCall(key: string): Promise<void> {
    const locks = this.moduleRef.get(LockService);
    // Held by the other loop (no cause): contention, not a failure.
    const accept = (code: string) =>
      code === 'E_LOCK_NOT_ACQUIRED' ? 'ok' : TYPED.has(code) ? 'failed' : 'broken';
    return this.record(
      'lock',
      key,
      async () => {
        const askedAt = performance.now();
        const lock = await locks.acquireOrThrow(key, { ttl: LOAD_LOCK_TTL_MS, wait: 0 });
        const grant = { key, fence: lock.fence, askedAt, grantedAt: performance.now(), heldUntil: Infinity };
        this.grants.push(grant);
        const releaseAt = performance.now();
        try {
          await lock.release();
          grant.heldUntil = releaseAt;
        } catch (error) {
          // Refused: the lock stays until its ttl. Timed out: it may have been released after all.
          grant.heldUntil = codeOf(error) === 'E_STORE_UNAVAILABLE' ? askedAt + LOAD_LOCK_TTL_MS : releaseAt;
          throw error;
        }
        return 'ok';
      },
      accept,
    );
  }

  private rateLimitCall(key: string): Promise<void> {
    const rateLimits = this.moduleRef.get(RateLimitService);
    // A refusal, or any error, breaks the policy: Redis failing is never "limit exceeded".
    return this.record(
      'rateLimit',
      key,
      async () => {
        const result = await rateLimits.consume(key, RULE);
        if (!result.allowed) return ['broken', 'refused'];
        return result.degraded ? 'degraded' : 'ok';
      },
      () => 'broken',
    );
  }

  private sessionCall(id: string, n: number): Promise<void> {
    const sessions = this.moduleRef.get(SessionService);
    if (n % 2 === 0) {
      return this.record('session.get', id, async () =>
        (await sessions.get(id)) ? 'ok' : ['broken', 'session lost'],
      );
    }
    // A session gone (E_SESSION_NOT_FOUND) is not an expected code: it would be a lost session.
    return this.record('session.update', id, async () => (await sessions.update(id, { n }), 'ok'));
  }
}

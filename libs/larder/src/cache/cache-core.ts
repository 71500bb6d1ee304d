import { systemClock, type LarderClock } from '../common/clock';
import { CommandTimeoutError, LarderError, StoreUnavailableError } from '../errors';
import { CacheEvents, type CacheEventBase, type CacheTier } from './cache-events';
import { CacheCounters } from './cache-stats';
import type { CacheOptions } from './cache-options';
import { CallDeadlines } from '../redis/call-deadlines';
import type { CircuitBreaker } from '../redis/circuit-breaker';
import type { InvalidationBus } from './l1/invalidation-bus';
import type { MemoryTier } from './l1/memory-tier';
import type { CacheStore } from './stores/cache-store';
import { FailSafeThrottle } from './resilience/fail-safe';
import type { LoadLocks } from './resilience/load-locks';
import { ReadBatcher, type ReadFailure } from './read-batcher';

/** A scope of the key space: `prefix` is its place in the key layout (cache-keys.ts), `label` names it in events. */
export interface Scope {
  prefix: string;
  label: string;
}

/** How often the background sweep runs, and how many entries each in-process tier visits per run. */
export const SWEEP_INTERVAL_MS = 1000;
export const SWEEP_BUDGET = 1000;

/**
 * The state every CacheService view shares (values and their tags, L1, events, counters, in-flight loads)
 * and the one place store calls are bounded in time and failures are turned into events.
 */
export class CacheCore {
  readonly counters = new CacheCounters();
  /** Loads in flight per full key: the single-flight map behind `getOrSet`. */
  readonly inflight = new Map<string, Promise<unknown>>();
  /** Keys whose loader failed and is resting (`failSafeThrottle`). */
  readonly failSafe: FailSafeThrottle;
  /** Loads that outlived their callers (past `timeout.soft`), per full key: the value lands when they finish. */
  readonly background = new Map<string, Promise<unknown>>();
  /** Keys whose refresh-ahead another instance holds the load lock of: not tried here again meanwhile. */
  readonly refreshesElsewhere = new FailSafeThrottle();
  /** The load locks of `lock` (cross-instance stampede protection); null when the stores are this process' own. */
  loadLocks: LoadLocks | null = null;
  /** The `commandTimeout` bound of every store call, on one shared timer. */
  private readonly deadlines: CallDeadlines;
  bus?: InvalidationBus;
  /** The Redis connection's breaker (for stats and events), null without Redis or when it is off. */
  breaker: CircuitBreaker | null = null;
  /** The breaker store calls obey: the same one when values live in that Redis, else null. */
  valueBreaker: CircuitBreaker | null = null;
  private sweeper: NodeJS.Timeout | undefined;
  /** Tick-level batching of single-entry reads (`batchReads`), null when reads go one by one. */
  private readonly batcher: ReadBatcher | null;

  constructor(
    readonly options: CacheOptions,
    readonly store: CacheStore,
    readonly l1: MemoryTier | null,
    readonly events: CacheEvents,
    /** The time L1, the memory stores and freshness checks read (see LarderClock). */
    readonly clock: LarderClock = systemClock,
  ) {
    this.deadlines = new CallDeadlines(options.commandTimeout);
    this.failSafe = new FailSafeThrottle(clock);
    // Batching pays on a network store only; an in-process or custom store answers each get itself.
    this.batcher = options.batchReads && store.kind === 'redis' ? new ReadBatcher(this) : null;
  }

  /**
   * One entry's raw read (`keyv.get(full, { raw: true })`) under `storeCall`'s rules, batched with
   * the other reads of this tick when `batchReads` is on (see ReadBatcher). While the breaker is
   * open it fails at once, unbatched.
   */
  readEntry<F>(scope: Scope, key: string, full: string, failure: ReadFailure<F>): Promise<unknown> {
    if (this.batcher !== null && (this.valueBreaker === null || this.valueBreaker.allows)) {
      return this.batcher.read(scope, key, full, failure);
    }
    return this.storeCall<unknown>(
      'get',
      scope,
      key,
      () => this.store.keyv.get(full, { raw: true }),
      failure,
    );
  }

  /**
   * Starts the background sweep of the in-process tiers (L1 and the memory value store): every
   * `SWEEP_INTERVAL_MS` each drops expired entries among the next `SWEEP_BUDGET` it visits, so
   * memory holds live entries even when nobody reads the expired ones, at a bounded cost per tick.
   * The timer is unref'd (it never keeps the process alive) and stops in `release()`.
   */
  startSweep(): void {
    if (this.sweeper || (!this.l1 && !this.store.sweep)) return;
    this.sweeper = setInterval(() => {
      this.l1?.sweep(SWEEP_BUDGET);
      this.store.sweep?.(SWEEP_BUDGET);
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /**
   * At boot: starts the invalidation bus when L1 needs it from the first read, or the module's
   * loads use `lock`; otherwise the first load that waits on another instance starts it.
   */
  listen(waitMs: number): Promise<void> | undefined {
    if (this.l1 || this.options.resilience.lockWait > 0) return this.bus?.start(waitMs);
    return undefined;
  }

  /** At shutdown: store calls still waiting on a closed connection no longer keep the process alive; the sweep stops. */
  release(): void {
    this.deadlines.release();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /**
   * An event payload, built as one object literal: these run on every read while anyone listens
   * (metrics do), and spreading a shared base object costs far more than the literal.
   */
  base(scope: Scope, key?: string, tier?: CacheTier, durationMs?: number): CacheEventBase & { key: string } {
    return { cache: this.options.name, namespace: scope.label, key: key ?? '', tier, durationMs };
  }

  /**
   * Runs a store call under `commandTimeout`. Programming errors (bad value, bad argument) always
   * reach the caller; store failures count as errors, emit `error`, and then either resolve to
   * `fallback` (fail open) or, when `rethrow` is set, reject with a typed error.
   *
   * Every cache read and write passes here, so it is one promise and no timer of its own: the
   * calls share one (CallDeadlines.bound, the mechanism Redis coordination calls use too), and the
   * timeout message is only built when a call times out. `boundedPerRoundTrip` marks operations of
   * many round trips (clear) whose every round trip is already bounded by the coordinator: one
   * overall timeout would cut a large clear off midway.
   */
  storeCall<T>(
    operation: string,
    scope: Scope,
    key: string | undefined,
    run: () => Promise<T>,
    onFailure: { fallback: T; rethrow: boolean; boundedPerRoundTrip?: boolean },
  ): Promise<T> {
    const breaker = this.valueBreaker;
    if (breaker === null) return this.bounded(operation, scope, key, run, onFailure);
    if (!breaker.allows) return this.skipped(breaker, operation, scope, key, onFailure);
    return this.bounded(operation, scope, key, () => breaker.counting(run()), onFailure, breaker);
  }

  private bounded<T>(
    operation: string,
    scope: Scope,
    key: string | undefined,
    run: () => Promise<T>,
    onFailure: { fallback: T; rethrow: boolean; boundedPerRoundTrip?: boolean },
    breaker?: CircuitBreaker,
  ): Promise<T> {
    return this.deadlines.bound(
      run,
      () => this.timedOut(operation, breaker),
      (error) => this.failed(operation, scope, key, error, onFailure),
      !onFailure.boundedPerRoundTrip,
    );
  }

  /** The error of a call past `commandTimeout` (built only then), counted by the breaker. */
  private timedOut(operation: string, breaker: CircuitBreaker | null | undefined): CommandTimeoutError {
    const timeout = new CommandTimeoutError(`cache ${operation} timed out after ${this.deadlines.ms}ms`);
    breaker?.failed(timeout);
    return timeout;
  }

  /**
   * A store call made for several callers (a batched read): bounded by `commandTimeout` and counted
   * by the breaker once. It rejects with what went wrong, untyped; each caller then applies its own
   * policy through `failed`, so its `error` event and count are its own.
   */
  sharedStoreCall<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const breaker = this.valueBreaker;
    if (breaker !== null && !breaker.allows) return Promise.reject(breaker.rejection(`cache ${operation}`));
    return this.deadlines.bound(
      breaker === null ? run : () => breaker.counting(run()),
      () => this.timedOut(operation, breaker),
      (error) => {
        throw error;
      },
    );
  }

  /** A store call the open breaker did not send: it fails like any store failure, at once. */
  private skipped<T>(
    breaker: CircuitBreaker,
    operation: string,
    scope: Scope,
    key: string | undefined,
    onFailure: { fallback: T; rethrow: boolean },
  ): Promise<T> {
    try {
      return Promise.resolve(
        this.failed(operation, scope, key, breaker.rejection(`cache ${operation}`), onFailure),
      );
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** What a failed store call turns into for one caller: the fallback, or a typed error to throw. */
  failed<T>(
    operation: string,
    scope: Scope,
    key: string | undefined,
    error: unknown,
    onFailure: { fallback: T; rethrow: boolean },
  ): T {
    // A caller's mistake or an unsupported operation is not an outage: it always reaches the caller.
    if (error instanceof LarderError && !CacheCore.isStoreFailure(error)) throw error;
    const typed =
      error instanceof LarderError
        ? error
        : new StoreUnavailableError(`cache ${operation} failed: ${(error as Error)?.message ?? error}`, {
            cause: error,
          });
    this.reportError(operation, scope, key, typed);
    if (onFailure.rethrow) throw typed;
    return onFailure.fallback;
  }

  /** Counts a failure and emits its `error` event (a store failure, or an entry that cannot be read back). */
  reportError(operation: string, scope: Scope, key: string | undefined, error: LarderError): void {
    this.counters.errors++;
    if (this.events.wants('error')) this.events.emit('error', { ...this.base(scope, key), operation, error });
  }

  /** Whether an error is a store failure (as opposed to a caller's mistake). */
  static isStoreFailure(error: unknown): boolean {
    return error instanceof StoreUnavailableError || error instanceof CommandTimeoutError;
  }

  /** Drops the L1 copies of what changed, here and (through the invalidation bus) on every other instance. */
  dropCopies(change: { keys?: string[]; prefix?: string }): void {
    if (!this.l1) return;
    if (change.keys) for (const key of change.keys) this.l1.delete(key);
    if (change.prefix !== undefined) this.l1.deletePrefix(change.prefix);
    this.bus?.publish(change);
  }
}

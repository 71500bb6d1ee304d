import { CircuitOpenError } from '../errors';
import type { CircuitBreakerOptions } from './breaker-options';
import { isOutage } from './outage';

/**
 * `closed`: calls go to Redis. `open`: they fail at once, without being sent. `half-open`: the
 * cooldown passed and one PING is probing Redis; calls still fail at once until it answers.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * One change of state. `failures` is the consecutive failures that opened it; `error` the last
 * of them (or the failed probe's).
 * @example breaker.onChange((t) => t.state === 'open' && alerts.raise(`Redis breaker open: ${t.error?.message}`));
 */
export interface BreakerTransition {
  state: BreakerState;
  previous: BreakerState;
  failures: number;
  error?: Error;
}

/**
 * The breaker as `stats().breaker` and the health details show it.
 * @example { state: 'open', opens: 1, consecutiveFailures: 5, changedAt: 1767225600000 }
 */
export interface BreakerSnapshot {
  state: BreakerState;
  /** How many times it opened since the module started (re-opening after a failed probe counts). */
  opens: number;
  /** Connection failures in a row so far; it opens at `circuitBreaker.failures`. */
  consecutiveFailures: number;
  /** Epoch ms of the last change of state (the module's start while it never changed). */
  changedAt: number;
}

/**
 * Larder's view of one Redis connection: after `failures` consecutive connection failures or
 * timeouts (see isOutage) it opens, and every call then fails at once with CircuitOpenError
 * instead of waiting `commandTimeout` for a server that is not answering. After `cooldown` it
 * goes half-open and sends one PING (`probe`, bounded by the caller's timeout): an answer
 * closes it, a failure opens it for another cooldown. Counting is per call and cheap: a success
 * is one comparison while nothing failed. The probe timer is unref'd and stops in `stop()`.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private consecutive = 0;
  private opens = 0;
  private changedAt = Date.now();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly listeners = new Set<(transition: BreakerTransition) => void>();
  /** Errors already counted, so one failure passing through two bounded layers counts once. */
  private readonly counted = new WeakSet<Error>();

  constructor(
    readonly options: CircuitBreakerOptions,
    private readonly probe: () => Promise<unknown>,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call may go to Redis now. */
  get allows(): boolean {
    return this.current === 'closed';
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.current,
      opens: this.opens,
      consecutiveFailures: this.consecutive,
      changedAt: this.changedAt,
    };
  }

  /** The error a call gets while the breaker is not closed; `what` names the call. */
  rejection(what: string): CircuitOpenError {
    const since = new Date(this.changedAt).toISOString();
    return new CircuitOpenError(
      `${what} not sent: the Redis circuit breaker is ${this.current} (since ${since}, after ` +
        `${this.options.failures} consecutive failures); Redis is probed every ${this.options.cooldown}ms`,
    );
  }

  /** A call was answered. */
  succeeded(): void {
    if (this.consecutive !== 0) this.consecutive = 0;
  }

  /** A call failed; only connection failures and timeouts count (see isOutage). */
  failed(error: unknown): void {
    if (this.current !== 'closed' || !isOutage(error)) return;
    if (error instanceof Error) {
      if (this.counted.has(error)) return;
      this.counted.add(error);
    }
    if (++this.consecutive >= this.options.failures) this.open(error);
  }

  /** Settles like `call`, counting its outcome: an answer resets the count, a failure may open the breaker. */
  counting<T>(call: Promise<T>): Promise<T> {
    return call.then(
      (value) => {
        this.succeeded();
        return value;
      },
      (error: unknown) => {
        this.failed(error);
        throw error;
      },
    );
  }

  /** Subscribes to changes of state; returns the unsubscribe function. */
  onChange(listener: (transition: BreakerTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** At shutdown: no more probes. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private open(error: unknown): void {
    this.opens++;
    this.move('open', error);
    if (this.stopped) return;
    this.timer = setTimeout(this.halfOpen, this.options.cooldown);
    this.timer.unref();
  }

  private readonly halfOpen = (): void => {
    this.timer = undefined;
    if (this.stopped) return;
    this.move('half-open');
    void this.probe().then(
      () => {
        this.consecutive = 0;
        this.move('closed');
      },
      (error: unknown) => this.open(error),
    );
  };

  private move(state: BreakerState, error?: unknown): void {
    const previous = this.current;
    this.current = state;
    this.changedAt = Date.now();
    const transition: BreakerTransition = {
      state,
      previous,
      failures: this.consecutive,
      error: error === undefined ? undefined : error instanceof Error ? error : new Error(String(error)),
    };
    for (const listener of this.listeners) {
      try {
        listener(transition);
      } catch {
        /* a listener's error is the listener's business */
      }
    }
  }
}

import { LockLostError } from '../errors';
import { parseDuration, type Duration } from '../common/duration';
import type { ExpiryQueue, Expiring } from './expiry-queue';
import type { LockStore } from './lock-store';
import type { LockEventBase, LockEvents, LockLostReason } from './lock-events';

/** What every Lock of one LockService shares. */
export interface LockContext {
  readonly store: LockStore;
  readonly events: LockEvents;
  readonly cache: string;
  readonly namespace: string;
  /** Deadlines of the held locks: a lock is in it exactly while it is held. */
  readonly queue: ExpiryQueue<Lock>;
}

/** One successful grant, as LockService hands it to the handle. */
export interface LockGrant {
  key: string;
  token: string;
  fence: number;
  ttl: number;
  autoExtend: boolean;
  /** Date.now() and performance.now() taken just before the grant was requested. */
  sentAt: number;
  sentPerf: number;
}

type State = 'held' | 'released' | 'lost';

/**
 * A held lock. `fence` is strictly greater than every fence issued before for the same key: pass
 * it to the resource you protect and let the resource refuse writes carrying an older fence.
 * `signal` aborts when the lock is lost (expired, extension failed) or released.
 * Created by `LockService.acquire()` / `withLock()`, never directly.
 *
 * @example
 * const lock = await locks.acquire('report:2024', { ttl: '30s', autoExtend: true });
 * if (!lock) return;
 * try {
 *   await buildReport({ fence: lock.fence, signal: lock.signal });
 * } finally {
 *   await lock.release();
 * }
 */
export class Lock implements Expiring {
  /** The lock key as given (without the namespace). */
  readonly key: string;
  /** The value stored in the lock: the `owner` option, or a random UUID. */
  readonly token: string;
  /** Fencing token of this grant: strictly increasing per key, also across expiries. */
  readonly fence: number;
  /** Whether the lock renews itself every ttl/3 until released (the `autoExtend` option). */
  readonly autoExtend: boolean;
  /** @internal `performance.now()` time at which the lock counts as expired. */
  deadline: number;
  /** @internal Position in the service's expiry queue. */
  queueIndex = -1;
  private readonly ttl: number;
  private readonly acquiredPerf: number;
  private expires: number;
  private state: State = 'held';
  private controller?: AbortController;
  /** Builds the abort reason; kept lazy so a lock whose signal nobody reads never creates one. */
  private reason?: () => unknown;
  private renewTimer?: NodeJS.Timeout;
  /** The last release() failed on a Redis error, so another one may try again. */
  private releaseFailed = false;

  /** @internal Use `LockService.acquire()`. */
  constructor(
    private readonly ctx: LockContext,
    grant: LockGrant,
  ) {
    this.key = grant.key;
    this.token = grant.token;
    this.fence = grant.fence;
    this.autoExtend = grant.autoExtend;
    this.ttl = grant.ttl;
    this.acquiredPerf = grant.sentPerf;
    this.expires = grant.sentAt + grant.ttl;
    this.deadline = grant.sentPerf + grant.ttl;
    ctx.queue.add(this);
    if (grant.autoExtend) this.scheduleRenewal();
  }

  /**
   * When the lock runs out unless extended, in epoch milliseconds (like `Date.now()`). Measured
   * from just before the request was sent, so it errs early, never late.
   */
  get expiresAt(): number {
    return this.expires;
  }

  /**
   * Aborts when the lock is lost (reason: a `LockLostError`, `E_LOCK_LOST`) or released (reason:
   * an `AbortError` DOMException). Pass it to work that must stop when exclusivity ends.
   * @example await fetch(url, { signal: lock.signal }); lock.signal.throwIfAborted();
   */
  get signal(): AbortSignal {
    // The expiry timer can run late on a busy event loop; whoever reads the signal after the
    // deadline must still see the lock as lost, never as held.
    if (this.state === 'held' && performance.now() >= this.deadline) this.expire();
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason());
    }
    return this.controller.signal;
  }

  /**
   * Deletes the lock if it is still ours (compare-and-delete) and stops auto-extension. Resolves
   * false, deleting nothing, when the lock had already expired or been taken: that is not an
   * error. Rejects only when Redis fails (`E_STORE_UNAVAILABLE`, `E_COMMAND_TIMEOUT`): the lock
   * then expires by its ttl unless a later `release()` gets through.
   * @example try { await work(lock.fence) } finally { await lock.release() }
   */
  release(): Promise<boolean> {
    // Not `async`: every lock ends here, and the store's promise needs only one `.then`.
    if (this.state === 'released' && !this.releaseFailed) return Promise.resolve(false);
    const wasHeld = this.state === 'held';
    this.end('released', () => new DOMException(`Lock "${this.key}" was released`, 'AbortError'));
    this.releaseFailed = false;
    let pending: Promise<boolean>;
    try {
      pending = this.ctx.store.release(this.key, this.token);
    } catch (error) {
      pending = Promise.reject(error as Error);
    }
    return pending.then(
      (released) => this.released(released, wasHeld),
      (error: unknown) => {
        this.releaseFailed = true;
        throw error;
      },
    );
  }

  /** Reports what the store said about a release. */
  private released(released: boolean, wasHeld: boolean): boolean {
    if (released) {
      if (this.ctx.events.wants('lock.released'))
        this.ctx.events.emit('lock.released', { ...this.base(), heldMs: this.heldMs() });
    } else if (wasHeld && this.ctx.events.wants('lock.lost')) {
      this.ctx.events.emit('lock.lost', { ...this.base(), reason: 'not-held', heldMs: this.heldMs() });
    }
    return released;
  }

  /**
   * Sets the lock's remaining lifetime to `ttl` (default: the ttl it was acquired with) if it is
   * still ours (compare-and-pexpire). Resolves false, changing nothing, when the lock is released,
   * lost or no longer ours; an extension that cannot be confirmed (Redis error or timeout) also
   * resolves false and marks the lock lost, since holding it can no longer be assumed.
   * @throws InvalidOptionError naming `ttl` when it is not a positive duration
   * @example if (!(await lock.extend('30s'))) throw lock.signal.reason;
   */
  async extend(ttl?: Duration): Promise<boolean> {
    const ms = ttl === undefined ? this.ttl : parseDuration(ttl, 'ttl');
    return this.renew(ms);
  }

  /** @internal Gives the lock up without releasing it (module shutdown): it expires by its ttl. */
  dispose(): void {
    this.lose('shutdown');
  }

  /** @internal Called by the expiry queue when `deadline` has passed. */
  expire(): void {
    this.lose('expired');
  }

  private async renew(ttl: number): Promise<boolean> {
    if (this.state !== 'held') return false;
    const sentAt = Date.now();
    const sentPerf = performance.now();
    let extended: boolean;
    try {
      extended = await this.ctx.store.extend(this.key, this.token, ttl);
    } catch (error) {
      this.lose('extend-failed', error as Error);
      return false;
    }
    // Released or lost while the call was in flight: the answer no longer matters.
    if (this.state !== 'held') return false;
    if (!extended) {
      this.lose('not-held');
      return false;
    }
    this.expires = sentAt + ttl;
    this.deadline = sentPerf + ttl;
    this.ctx.queue.update(this);
    return true;
  }

  private scheduleRenewal(): void {
    // renew() turns every failure into a lost lock and never rejects; the handler is a backstop.
    this.renewTimer = setTimeout(
      () =>
        void this.renew(this.ttl).then(
          (renewed) => renewed && this.scheduleRenewal(),
          () => undefined,
        ),
      Math.max(1, Math.floor(this.ttl / 3)),
    );
    this.renewTimer.unref();
  }

  private lose(reason: LockLostReason, error?: Error): void {
    if (this.state !== 'held') return;
    const message = `Lock "${this.key}" (fence ${this.fence}) was lost: ${reason}`;
    this.end('lost', () => new LockLostError(message, error ? { cause: error } : undefined));
    if (this.ctx.events.wants('lock.lost')) {
      this.ctx.events.emit('lock.lost', { ...this.base(), reason, heldMs: this.heldMs(), error });
    }
  }

  private end(state: State, reason: () => unknown): void {
    const wasHeld = this.state === 'held';
    this.state = state;
    clearTimeout(this.renewTimer);
    if (!wasHeld) return;
    this.ctx.queue.remove(this);
    this.reason = reason;
    this.controller?.abort(reason());
  }

  private heldMs(): number {
    return performance.now() - this.acquiredPerf;
  }

  private base(): LockEventBase {
    return { cache: this.ctx.cache, namespace: this.ctx.namespace, key: this.key, fence: this.fence };
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InvalidArgumentError, LockNotAcquiredError } from '../errors';
import { LARDER_LOCK_OPTIONS, LARDER_LOCK_STORE } from '../larder.constants';
import { describe } from '../common/describe';
import { assertKey } from '../common/assert-key';
import { ExpiryQueue } from './expiry-queue';
import { acquireWithRetry, type AcquireOutcome } from './lock-acquirer';
import type { LockStore } from './lock-store';
import { LockEvents, type LockEventListener, type LockEventName } from './lock-events';
import { Lock, type LockContext } from './lock-handle';
import { assertLockKey } from './lock-keys';
import {
  OWNER_RULE,
  resolveAcquireOptions,
  type AcquireOptions,
  type LockOptions,
  type ResolvedAcquireOptions,
} from './lock-options';

/**
 * A lock this instance holds, as `LockService.held()` lists it.
 * @example const soonest: HeldLock | undefined = locks.held()[0];
 */
export interface HeldLock {
  key: string;
  /** The owner value stored in the lock (the `owner` option or a random UUID): a secret. */
  token: string;
  fence: number;
  /** When it runs out unless extended, in epoch milliseconds. */
  expiresAt: number;
  autoExtend: boolean;
}

/**
 * Owner-safe distributed locks with fencing tokens, on a LockStore (`LARDER_LOCK_STORE`). On Redis
 * each acquire and each release is one Lua script (one round trip); without `redis` the same
 * semantics hold within one process; `lock.store` brings another store. Locks fail closed: a store
 * error or timeout never grants a lock.
 *
 * @example
 * constructor(private readonly locks: LockService) {}
 *
 * closeMonth(month: string) {
 *   return this.locks.withLock(`close:${month}`, (lock) => this.ledger.close(month, { fence: lock.fence }), {
 *     ttl: '30s',
 *     wait: '5s',
 *     autoExtend: true,
 *   });
 * }
 */
@Injectable()
export class LockService implements OnModuleDestroy {
  private readonly events = new LockEvents();
  private readonly queue = new ExpiryQueue<Lock>();
  private readonly ctx: LockContext;

  constructor(
    @Inject(LARDER_LOCK_OPTIONS) private readonly options: LockOptions,
    @Inject(LARDER_LOCK_STORE) private readonly store: LockStore,
  ) {
    this.ctx = {
      store: this.store,
      events: this.events,
      cache: options.name,
      namespace: options.namespace,
      queue: this.queue,
    };
  }

  /**
   * Takes the lock, retrying for up to `wait` with jittered backoff. Resolves `null` when it stays
   * held by someone else, and also when Redis fails or times out (fail closed; use
   * `acquireOrThrow` to see the cause).
   * @throws InvalidKeyError / InvalidOptionError / InvalidArgumentError for bad arguments (named)
   * @example
   * const lock = await locks.acquire('import:daily', { ttl: '2m', wait: '10s' });
   * if (!lock) return 'busy';
   * try { await runImport(lock.fence) } finally { await lock.release() }
   * @example
   * await locks.acquire('cart:9', { owner: 'user-456', ttl: '5m' }); // release later by owner: locks.release('cart:9', 'user-456')
   */
  acquire(key: string, opts?: AcquireOptions): Promise<Lock | null> {
    return this.take(key, opts, false);
  }

  /**
   * Like `acquire`, but rejects with `LockNotAcquiredError` (`E_LOCK_NOT_ACQUIRED`) instead of
   * resolving `null`; its `cause` is the Redis error when Redis failed.
   * @example const lock = await locks.acquireOrThrow('job:42', { wait: '1s' });
   */
  acquireOrThrow(key: string, opts?: AcquireOptions): Promise<Lock> {
    return this.take(key, opts, true) as Promise<Lock>;
  }

  /**
   * Runs `fn` while holding the lock and returns its result. The lock is always released in
   * `finally`; a lock that already expired is not an error there. Check `lock.signal` in long
   * work: it aborts if the lock is lost.
   * @throws LockNotAcquiredError when the lock stays held for `wait` or Redis fails (see `cause`)
   * @example
   * const total = await locks.withLock('stock:sku-1', async (lock) => {
   *   const n = await repo.count('sku-1');
   *   await repo.save('sku-1', n - 1, { fence: lock.fence });
   *   return n - 1;
   * }, { ttl: '10s', wait: '2s' });
   */
  async withLock<T>(key: string, fn: (lock: Lock) => Promise<T> | T, opts?: AcquireOptions): Promise<T> {
    if (typeof fn !== 'function')
      throw new InvalidArgumentError(`Invalid fn: ${describe(fn)}. Expected a function.`);
    const lock = await this.acquireOrThrow(key, opts);
    try {
      return await fn(lock);
    } finally {
      // A failed release must not hide fn's outcome: the lock then simply expires by its ttl.
      await lock.release().catch(() => false);
    }
  }

  /**
   * Releases `key` only if `owner` holds it (the `owner` given to `acquire`), from any instance.
   * Resolves false, deleting nothing, for another owner or a free lock.
   * @throws StoreUnavailableError / CommandTimeoutError when Redis fails
   * @example await locks.release('cart:9', 'user-456');
   */
  async release(key: string, owner: string): Promise<boolean> {
    assertLockKey(key, this.options.maxKeyLength);
    assertKey('owner', owner, this.options.maxKeyLength, OWNER_RULE);
    const fence = await this.store.releaseOwned(key, owner);
    if (fence !== null && this.events.wants('lock.released')) {
      this.events.emit('lock.released', {
        cache: this.options.name,
        namespace: this.options.namespace,
        key,
        fence,
      });
    }
    return fence !== null;
  }

  /**
   * Whether `key` is held now; with `owner`, whether that owner holds it.
   * @throws StoreUnavailableError / CommandTimeoutError when Redis fails (never a guess either way)
   * @example if (await locks.isLocked('cart:9', 'user-456')) { ... }
   */
  async isLocked(key: string, owner?: string): Promise<boolean> {
    assertLockKey(key, this.options.maxKeyLength);
    if (owner !== undefined) assertKey('owner', owner, this.options.maxKeyLength, OWNER_RULE);
    const holder = await this.store.holder(key);
    return owner === undefined ? holder !== null : holder === owner;
  }

  /**
   * The locks this instance holds now (taken through this service and neither released nor lost),
   * soonest to expire first. Locks held by other instances are not listed: ask `isLocked` for those.
   * `token` is the lock's owner value; treat it as a secret (whoever has it can release the lock).
   * @example for (const lock of locks.held()) logger.log(`${lock.key}#${lock.fence} ${lock.expiresAt - Date.now()}ms left`);
   */
  held(): HeldLock[] {
    return this.queue
      .items()
      .map((lock) => ({
        key: lock.key,
        token: lock.token,
        fence: lock.fence,
        expiresAt: lock.expiresAt,
        autoExtend: lock.autoExtend,
      }))
      .sort((a, b) => a.expiresAt - b.expiresAt);
  }

  /**
   * Subscribes to `lock.acquired`, `lock.released`, `lock.lost` or `lock.failed`.
   * @example locks.on('lock.lost', (e) => logger.warn(`lost ${e.key} (${e.reason})`));
   */
  on<E extends LockEventName>(name: E, listener: LockEventListener<E>): void {
    this.events.on(name, listener);
  }

  /** Unsubscribes a listener added with `on`. */
  off<E extends LockEventName>(name: E, listener: LockEventListener<E>): void {
    this.events.off(name, listener);
  }

  /** Stops the timers of locks still held: they abort their signal (`shutdown`) and expire by their ttl. */
  onModuleDestroy(): void {
    for (const lock of this.queue.items()) lock.dispose();
    this.queue.stop();
  }

  /**
   * The body of `acquire` and `acquireOrThrow`; `orThrow` picks how a refusal ends. Not `async`: a
   * bad argument still rejects (never throws), and the grant is one `.then` on the store's promise.
   */
  private take(key: string, opts: AcquireOptions | undefined, orThrow: boolean): Promise<Lock | null> {
    let plan: ResolvedAcquireOptions;
    try {
      assertLockKey(key, this.options.maxKeyLength);
      plan = resolveAcquireOptions(opts, this.options, this.options.maxKeyLength);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const token = plan.owner ?? randomUUID();
    return acquireWithRetry(this.store, key, token, plan).then((outcome) =>
      this.settle(key, token, plan, outcome, orThrow),
    );
  }

  /** A finished acquire: the Lock for a grant; for a refusal `null`, or the error `acquireOrThrow` rejects with. */
  private settle(
    key: string,
    token: string,
    plan: ResolvedAcquireOptions,
    outcome: AcquireOutcome,
    orThrow: boolean,
  ): Lock | null {
    if (outcome.fence === null) {
      if (this.events.wants('lock.failed')) {
        const { name: cache, namespace } = this.options;
        const { attempts, error } = outcome;
        this.events.emit('lock.failed', { cache, namespace, key, attempts, wait: plan.wait, error });
      }
      if (!orThrow) return null;
      const why = outcome.error ? `Redis failed (${outcome.error.message})` : 'it is held by another owner';
      const message = `Lock "${key}" was not acquired within ${plan.wait}ms after ${outcome.attempts} attempt(s): ${why}.`;
      throw new LockNotAcquiredError(message, outcome.error ? { cause: outcome.error } : undefined);
    }
    const { fence, sentAt, sentPerf } = outcome;
    const lock = new Lock(this.ctx, {
      key,
      token,
      fence,
      ttl: plan.ttl,
      autoExtend: plan.autoExtend,
      sentAt,
      sentPerf,
    });
    if (this.events.wants('lock.acquired')) {
      this.events.emit('lock.acquired', {
        cache: this.options.name,
        namespace: this.options.namespace,
        key,
        fence,
        ttl: plan.ttl,
        autoExtend: plan.autoExtend,
        attempts: outcome.attempts,
        waitedMs: outcome.waitedMs,
      });
    }
    return lock;
  }
}

import { randomUUID } from 'node:crypto';
import { LOAD_LOCK_PREFIX } from '../../lock/lock-keys';
import type { LockStore } from '../../lock/lock-store';
import type { InvalidationBus } from '../l1/invalidation-bus';
import { LoadWakeups } from './load-wakeups';

/**
 * How long a load lock lives unless renewed. Short, so a holder that dies frees its key soon;
 * renewed every third of it while the loader runs, which leaves a loaded event loop some slack.
 */
export const LEASE_TTL_MS = 2_000;

/** Where a cache entry's load lock lives in the lock store: lock keys starting `#load:` are the cache's (LockService refuses them). */
export function loadLockKey(full: string): string {
  return `${LOAD_LOCK_PREFIX}${full}`;
}

/** A load lock this process holds: renewed while the loader runs, released (and announced) by `end()`. */
export class LoadLease {
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly locks: LoadLocks,
    private readonly key: string,
    private readonly full: string,
    private readonly token: string,
  ) {
    // A failed renewal changes nothing here: the worst outcome is a second instance loading too.
    this.renewal = setInterval(
      () => void locks.store.extend(key, token, LEASE_TTL_MS).catch(() => undefined),
      Math.floor(LEASE_TTL_MS / 3),
    );
    this.renewal.unref();
  }

  /**
   * Releases the lock, then tells the other instances, so any waiter whose attempt it refused is
   * woken after it is free, to read the value or take the lock over. Never rejects.
   */
  async end(): Promise<void> {
    clearInterval(this.renewal);
    await this.locks.store.release(this.key, this.token).catch(() => false);
    this.locks.bus?.publish({ keys: [this.full] });
  }
}

/**
 * The cache's load locks: short leases on the module's LockStore (keys from `loadLockKey`, no
 * fence, so nothing stays behind per key), and the wake-ups of this process' waiters, which
 * come over the invalidation bus.
 */
export class LoadLocks {
  readonly wakeups = new LoadWakeups();

  constructor(
    readonly store: LockStore,
    readonly bus: InvalidationBus | undefined,
    private readonly subscribeWithin: number,
  ) {}

  /**
   * Resolves once the bus listens (starting it on first use), at most `commandTimeout` later: a
   * waiter must not miss the message of a load that ends while it subscribes.
   */
  listening(): Promise<void> {
    return this.bus?.start(this.subscribeWithin) ?? Promise.resolve();
  }

  /** The lock of `full` for this process, or null while another instance holds it; rejects when the store fails. */
  async take(full: string): Promise<LoadLease | null> {
    const key = loadLockKey(full);
    const token = randomUUID();
    const taken = this.store.lease
      ? await this.store.lease(key, token, LEASE_TTL_MS)
      : (await this.store.acquire(key, token, LEASE_TTL_MS)) !== null;
    return taken ? new LoadLease(this, key, full, token) : null;
  }
}

import { systemClock, type LarderClock } from '../common/clock';
import type { LockStore } from './lock-store';

interface Held {
  token: string;
  /** A monotonic deadline (`LarderClock.monotonic`, this.clock.monotonic() by default), so wall-clock jumps neither free nor keep a lock. */
  until: number;
}

/** Sweep expired entries after this many grants, so keys locked once and never again do not pile up. */
const SWEEP_EVERY = 1000;

/**
 * Locks in process memory with the same semantics as Redis: expiry, owner checks and fences that
 * keep rising across expiries. For a single instance only (the setup without `redis`).
 */
export class MemoryLockStore implements LockStore {
  private readonly held = new Map<string, Held>();
  /** Like the Redis fence counters, these never expire: a fence must never be issued twice. */
  private readonly fences = new Map<string, number>();
  private grants = 0;

  constructor(private readonly clock: LarderClock = systemClock) {}

  async acquire(key: string, token: string, ttl: number): Promise<number | null> {
    if (this.live(key)) return null;
    this.held.set(key, { token, until: this.clock.monotonic() + ttl });
    const fence = (this.fences.get(key) ?? 0) + 1;
    this.fences.set(key, fence);
    if (++this.grants % SWEEP_EVERY === 0) this.sweep();
    return fence;
  }

  async lease(key: string, token: string, ttl: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.held.set(key, { token, until: performance.now() + ttl });
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    if (this.live(key)?.token !== token) return false;
    return this.held.delete(key);
  }

  async releaseOwned(key: string, token: string): Promise<number | null> {
    return (await this.release(key, token)) ? (this.fences.get(key) ?? null) : null;
  }

  async extend(key: string, token: string, ttl: number): Promise<boolean> {
    const entry = this.live(key);
    if (entry?.token !== token) return false;
    entry.until = this.clock.monotonic() + ttl;
    return true;
  }

  async holder(key: string): Promise<string | null> {
    return this.live(key)?.token ?? null;
  }

  /** The entry if it has not expired; an expired one is dropped on sight. */
  private live(key: string): Held | undefined {
    const entry = this.held.get(key);
    if (entry && entry.until <= this.clock.monotonic()) {
      this.held.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.clock.monotonic();
    for (const [key, entry] of this.held) if (entry.until <= now) this.held.delete(key);
  }
}

import type { CacheEvents } from '../observability/cache-events';
import { LruMap } from './lru-map';

interface L1Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * The L1 tier: an in-process LRU holding the stored object itself (no copy, no serialization),
 * so a hit is one Map lookup and one clock read. Entries live at most `ttl`, and never past the
 * L2 expiry they were read with.
 */
export class MemoryTier {
  private readonly entries: LruMap<L1Entry>;

  constructor(
    maxItems: number,
    private readonly ttl: number,
    private readonly events: CacheEvents,
    private readonly cache: string,
  ) {
    this.entries = new LruMap<L1Entry>(maxItems, (key) => {
      if (this.events.wants('evict')) this.events.emit('evict', { cache, key, namespace: '', tier: 'l1' });
    });
  }

  /** Live entries now: expired ones are dropped while counting, so stats never count them. */
  get size(): number {
    const now = Date.now();
    for (const key of [...this.entries.keys()]) {
      const entry = this.entries.peek(key);
      if (entry !== undefined && entry.expiresAt <= now) this.expire(key);
    }
    return this.entries.size;
  }

  private expire(key: string): void {
    this.entries.delete(key);
    if (this.events.wants('expire'))
      this.events.emit('expire', { cache: this.cache, key, namespace: '', tier: 'l1' });
  }

  /** The value, or `undefined` on a miss or an expired entry. */
  get(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.expire(key);
      return undefined;
    }
    return entry.value;
  }

  /** Stores `value`; `l2ExpiresAt` (epoch ms, or undefined for none) caps the L1 lifetime. */
  set(key: string, value: unknown, l2ExpiresAt?: number): void {
    const own = Date.now() + this.ttl;
    this.entries.set(key, { value, expiresAt: l2ExpiresAt && l2ExpiresAt < own ? l2ExpiresAt : own });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deletePrefix(prefix: string): void {
    if (prefix === '') this.entries.clear();
    else this.entries.deletePrefix(prefix);
  }
}

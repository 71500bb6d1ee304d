import { systemClock, type LarderClock } from '../../common/clock';
import type { CacheEvents } from '../cache-events';
import { LruMap } from '../../common/lru-map';

interface L1Entry {
  value: unknown;
  /** Past this the entry is a miss; until `expiresAt` it is still there as a stale fallback. */
  freshUntil: number;
  expiresAt: number;
  /** Where the L2 entry's ttl ends (Infinity without expiry): refresh-ahead counts from it. */
  endsAt: number;
  /** The serialized size in bytes: the estimate of what this live object costs. */
  size: number;
}

/** One L1 entry as `peekRecent` reports it: the stored key (in the cache's key layout) and its entry. */
export interface L1EntryView extends L1Entry {
  key: string;
}

/**
 * The L1 tier: an in-process LRU holding the stored object itself (no copy, no serialization),
 * so a hit is one Map lookup and one clock read. Entries live at most `ttl`, and never past the
 * L2 expiry they were read with. Bounded by count and by `maxSize` bytes, each entry counted at
 * the size of its serialized form (known from the write or the read that brought it here): a live
 * object usually takes more heap than its JSON, so the budget is an estimate, not a heap limit.
 */
export class MemoryTier {
  private readonly entries: LruMap<L1Entry>;

  constructor(
    limits: { maxItems: number; maxSize: number },
    private readonly ttl: number,
    private readonly events: CacheEvents,
    private readonly cache: string,
    private readonly clock: LarderClock = systemClock,
  ) {
    const onEvict = (key: string) => {
      if (this.events.wants('evict')) this.events.emit('evict', { cache, key, namespace: '', tier: 'l1' });
    };
    this.entries = new LruMap<L1Entry>(limits.maxItems, onEvict, {
      maxSize: limits.maxSize,
      sizeOf: (entry) => entry.size,
    });
  }

  /** Live entries now: expired ones are dropped while counting, so stats never count them. */
  get size(): number {
    const now = this.clock.now();
    for (const key of [...this.entries.keys()]) {
      const entry = this.entries.peek(key);
      if (entry !== undefined && entry.expiresAt <= now) this.expire(key);
    }
    return this.entries.size;
  }

  /** The total of the sizes of the entries held, in bytes. */
  get usedSize(): number {
    return this.entries.usedSize;
  }

  /**
   * Up to `limit` live entries, most recently used first, read without changing their LRU order
   * or expiring anything (the console lists them once a second while someone watches).
   */
  peekRecent(limit: number): L1EntryView[] {
    const now = this.clock.now();
    const keys = [...this.entries.keys()];
    const out: L1EntryView[] = [];
    for (let i = keys.length - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.entries.peek(keys[i]);
      if (entry !== undefined && entry.expiresAt > now) out.push({ key: keys[i], ...entry });
    }
    return out;
  }

  /** Drops up to `max` visited entries past their expiry (see LruMap.sweep), each with its `expire` event; returns how many. */
  sweep(max: number): number {
    const now = this.clock.now();
    const removed = this.entries.sweep((entry) => entry.expiresAt <= now, max);
    if (this.events.wants('expire')) {
      for (const key of removed)
        this.events.emit('expire', { cache: this.cache, key, namespace: '', tier: 'l1' });
    }
    return removed.length;
  }

  private expire(key: string): void {
    this.entries.delete(key);
    if (this.events.wants('expire'))
      this.events.emit('expire', { cache: this.cache, key, namespace: '', tier: 'l1' });
  }

  /** The value, or `undefined` on a miss, an expired entry or one past its ttl (kept only as a fallback). */
  get(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.freshUntil <= this.clock.now()) {
      if (entry.expiresAt <= this.clock.now()) this.expire(key);
      return undefined;
    }
    return entry.value;
  }

  /** Where the ttl of the entry's L2 original ends (Infinity: never), without touching LRU order. */
  endsAt(key: string): number | undefined {
    return this.entries.peek(key)?.endsAt;
  }

  /** The value while it is stored at all, fresh or past its ttl (within grace): the fallback when L2 cannot be read. */
  peekStale(key: string): unknown {
    const entry = this.entries.peek(key);
    return entry !== undefined && entry.expiresAt > this.clock.now() ? entry.value : undefined;
  }

  /**
   * Stores `value` of `size` bytes serialized. `l2ExpiresAt` (epoch ms, or undefined for none)
   * caps the L1 lifetime; `l2FreshUntil`, for an entry with grace, is where its ttl ends. L1's own
   * `ttl` bounds how long a copy is served as a hit; a copy with grace stays as a fallback until
   * the L2 entry itself would be gone.
   */
  set(
    key: string,
    value: unknown,
    l2ExpiresAt: number | undefined,
    size: number,
    l2FreshUntil: number | undefined = l2ExpiresAt,
  ): void {
    const own = this.clock.now() + this.ttl;
    const freshUntil = l2FreshUntil && l2FreshUntil < own ? l2FreshUntil : own;
    const expiresAt = l2FreshUntil === l2ExpiresAt || l2ExpiresAt === undefined ? freshUntil : l2ExpiresAt;
    const endsAt = l2FreshUntil ?? Infinity;
    this.entries.set(key, { value, freshUntil, expiresAt, endsAt, size });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deletePrefix(prefix: string): void {
    if (prefix === '') this.entries.clear();
    else this.entries.deletePrefix(prefix);
  }
}

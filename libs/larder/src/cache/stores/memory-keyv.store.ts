import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { systemClock, type LarderClock } from '../../common/clock';
import { LruMap } from '../../common/lru-map';

/** Why an entry left without a delete: evicted for room, or dropped once past its expiry. */
export type DropReason = 'capacity' | 'expired';

/** Told of each entry that leaves without a delete. */
export type DropListener = (key: string, reason: DropReason) => void;

interface StoredEntry {
  /** What Keyv wrote: the serialized `{ value, expires }` envelope. */
  payload: string;
  /** Epoch ms; Infinity without expiry. */
  expiresAt: number;
  /** The payload's size in UTF-8 bytes. */
  size: number;
}

/**
 * The in-memory value store (no Redis, no `store` option): a Keyv store adapter over an LRU
 * bounded by count and by the total size of the serialized entries (UTF-8 bytes, which for a
 * string V8 keeps in one byte per character is about its heap size), that keeps each entry's
 * expiry beside it. Expiry is decided whenever an entry is looked at
 * (`get`, `has`, `ttl`, counts), so an entry past its ttl is absent on every path, not only
 * after a read has happened to clean it up.
 *
 * @example
 * const keyv = new Keyv({ store: new MemoryKeyvStore(100_000, 256 * 1024 * 1024), useKeyPrefix: false });
 */
export class MemoryKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  namespace?: string;
  /** Entries evicted for room (count or size budget) so far. */
  evictions = 0;
  /** Entries dropped once past their expiry (by the sweep or by a look at them) so far. */
  expired = 0;
  private readonly entries: LruMap<StoredEntry>;
  private readonly dropListeners: DropListener[] = [];

  /**
   * @param onGone told of every entry that leaves without a delete (evicted for room, or dropped
   *   once past its expiry), so the tag index can forget it too
   */
  constructor(
    maxItems: number,
    maxSize: number,
    onGone?: DropListener,
    private readonly clock: LarderClock = systemClock,
  ) {
    super();
    if (onGone) this.dropListeners.push(onGone);
    this.entries = new LruMap<StoredEntry>(maxItems, (key) => this.gone(key, 'capacity'), {
      maxSize,
      sizeOf: (entry) => entry.size,
    });
  }

  /** Adds a listener told of every entry that leaves without a delete (the cache's evict/expire events). */
  onDrop(listener: DropListener): void {
    this.dropListeners.push(listener);
  }

  private gone(key: string, reason: DropReason): void {
    if (reason === 'capacity') this.evictions++;
    else this.expired++;
    for (const listener of this.dropListeners) listener(key, reason);
  }

  /** The entry if it is live; an expired one is dropped on the spot. Does not refresh recency. */
  private live(key: string, now = this.clock.now()): StoredEntry | undefined {
    const entry = this.entries.peek(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now) return entry;
    this.entries.delete(key);
    this.gone(key, 'expired');
    return undefined;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.read(key, this.clock.now()) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const now = this.clock.now();
    return keys.map((key) => this.read(key, now) as StoredData<Value | undefined>);
  }

  private read(key: string, now: number): string | undefined {
    const entry = this.live(key, now);
    if (entry === undefined) return undefined;
    this.entries.get(key); // a read is a use: refresh its recency
    return entry.payload;
  }

  /** The stored text of a live entry, without refreshing its recency (for compare-and-set). */
  payloadOf(key: string): string | undefined {
    return this.live(key)?.payload;
  }

  /** Replaces an entry's text and lifetime (`ttl` ms, 0 = none) in one synchronous step. */
  replace(key: string, payload: string, ttl: number): void {
    const expiresAt = ttl > 0 ? this.clock.now() + ttl : Infinity;
    this.entries.set(key, { payload, expiresAt, size: Buffer.byteLength(payload) });
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    this.replace(key, value as string, ttl ?? 0);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.live(key) !== undefined && this.entries.delete(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let any = false;
    for (const key of keys) if (await this.delete(key)) any = true;
    return any;
  }

  async has(key: string): Promise<boolean> {
    return this.live(key) !== undefined;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    const now = this.clock.now();
    return keys.map((key) => this.live(key, now) !== undefined);
  }

  async clear(): Promise<void> {
    this.entries.clear();
  }

  /** Remaining ms of a live entry, Infinity without expiry, undefined when missing or expired. */
  ttl(key: string): number | undefined {
    const now = this.clock.now();
    const entry = this.live(key, now);
    return entry === undefined ? undefined : entry.expiresAt - now;
  }

  /** Drops up to `max` visited entries past their expiry (see LruMap.sweep), and their tags; returns how many. */
  sweep(max: number): number {
    const now = this.clock.now();
    const removed = this.entries.sweep((entry) => entry.expiresAt <= now, max);
    for (const key of removed) this.gone(key, 'expired');
    return removed.length;
  }

  /** Deletes every entry whose key starts with `prefix`; returns how many live ones went. */
  deletePrefix(prefix: string): number {
    const now = this.clock.now();
    let removed = 0;
    for (const key of [...this.entries.keys()]) {
      if (!key.startsWith(prefix)) continue;
      if (this.live(key, now) !== undefined && this.entries.delete(key)) removed++;
    }
    return removed;
  }

  /** Live entries whose key starts with `prefix` and the bytes of their text; all entries and all their bytes. */
  usage(prefix: string): { keys: number; bytes: number; items: number; totalBytes: number } {
    const now = this.clock.now();
    let keys = 0;
    let bytes = 0;
    for (const key of [...this.entries.keys()]) {
      const entry = this.live(key, now);
      if (entry === undefined || !key.startsWith(prefix)) continue;
      keys++;
      bytes += entry.size;
    }
    return { keys, bytes, items: this.entries.size, totalBytes: this.entries.usedSize };
  }

  /** Live entries now (expired ones are dropped while counting). */
  get size(): number {
    const now = this.clock.now();
    for (const key of [...this.entries.keys()]) this.live(key, now);
    return this.entries.size;
  }
}

import type { Keyv } from 'keyv';
import { systemClock, type LarderClock } from '../../common/clock';
import { InvalidArgumentError, UnsupportedOperationError } from '../../errors';
import type { MemoryKeyvStore } from './memory-keyv.store';
import type { TagStore } from '../tags/tag-store';
import type { EncodedValue } from './encoded-value';
import type { Removal, CacheStore, Renewal, StoreUpkeep } from './cache-store';
import type { DropListener } from './memory-keyv.store';
import type { KeyspaceLimits } from '../../redis/keyspace-stats';
import type { StoreStats } from '../store-stats';
import { storeTtl, type StoredEnvelope } from './encoded-value';

type Envelope = { value?: unknown; expires?: number | null };

/**
 * Cache values in process memory (a bounded LRU) or in a user-supplied Keyv store, with a tag
 * index beside them (in memory, or in Redis when it is configured with a custom store). Value and
 * index are changed one after the other, not in one step. Counters are read-modify-write under a
 * per-key promise chain: atomic within this process, which is all the in-memory setup promises;
 * on a custom shared store they are not atomic across processes.
 */
export class KeyvCacheStore implements CacheStore {
  private readonly counterChains = new Map<string, Promise<unknown>>();

  constructor(
    readonly kind: 'memory' | 'custom',
    readonly keyv: Keyv,
    readonly usesLarderSerializer: boolean,
    readonly tags: TagStore,
    /** The store behind `keyv` on the memory setup (its keys unprefixed); absent for custom stores. */
    private readonly memory?: MemoryKeyvStore,
    private readonly clock: LarderClock = systemClock,
  ) {}

  async write(key: string, entry: EncodedValue, ttl: number, tags: string[]): Promise<void> {
    // The index first (the memory index synchronously), so an eviction this write causes finds
    // the evicted entry's tags. A Keyv instance with its own serializer gets the value itself.
    await Promise.all([
      this.tags.retag(key, tags, ttl),
      this.keyv.set(key, this.usesLarderSerializer ? entry : entry.value, ttl),
    ]);
  }

  async deleteMany(keys: string[]): Promise<number> {
    const removed = await this.deleteValues(keys);
    await this.tags.forget(keys);
    return removed;
  }

  async invalidateTags(tags: string[]): Promise<Removal> {
    const keys = await this.tags.take(tags);
    return { keys, removed: await this.deleteValues(keys) };
  }

  private async deleteValues(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const existed = (await this.keyv.hasMany(keys)).filter(Boolean).length;
    await this.keyv.deleteMany(keys);
    return existed;
  }

  async clearPrefix(prefix: string): Promise<number> {
    const [removed] = await Promise.all([this.clearValues(prefix), this.tags.clear(prefix)]);
    return removed;
  }

  private async clearValues(prefix: string): Promise<number> {
    if (prefix === '') {
      const before = this.memory?.size ?? 0;
      await this.keyv.clear();
      return before;
    }
    if (this.memory) return this.memory.deletePrefix(prefix);
    if (!this.keyv.iterator) {
      throw new UnsupportedOperationError(
        'clear() of a namespace scope needs a store that can iterate its keys',
      );
    }
    const doomed: string[] = [];
    for await (const [key] of this.keyv.iterator(this.keyv.namespace)) {
      if (typeof key === 'string' && key.startsWith(prefix)) doomed.push(key);
    }
    if (doomed.length > 0) await this.keyv.deleteMany(doomed);
    return doomed.length;
  }

  increment(key: string, by: number, ttl: number): Promise<number> {
    const previous = this.counterChains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.incrementNow(key, by, ttl));
    const settled = next.catch(() => undefined);
    this.counterChains.set(key, settled);
    void settled.then(() => {
      if (this.counterChains.get(key) === settled) this.counterChains.delete(key);
    });
    return next;
  }

  private async incrementNow(key: string, by: number, ttl: number): Promise<number> {
    const raw = (await this.keyv.get(key, { raw: true })) as Envelope | undefined;
    const current = raw?.value ?? 0;
    if (typeof current !== 'number' || !Number.isInteger(current)) {
      throw new InvalidArgumentError(`Cannot increment "${key}": it holds a value that is not an integer`);
    }
    const remaining = raw?.expires ? raw.expires - this.clock.now() : raw ? 0 : ttl;
    const next = current + by;
    await this.keyv.set(key, next, remaining > 0 ? remaining : undefined);
    return next;
  }

  async retime(key: string, renew: Renewal): Promise<boolean> {
    const entry = this.memory ? await this.retimeInMemory(key, renew) : await this.retimeCustom(key, renew);
    if (entry === undefined) return false;
    await this.tags.retime(key, entry);
    return true;
  }

  /** Compare-and-set on the in-process store: a write that lands while the payload is decoded wins. */
  private async retimeInMemory(key: string, renew: Renewal): Promise<number | undefined> {
    const memory = this.memory!;
    for (;;) {
      const before = memory.payloadOf(key);
      if (before === undefined) return undefined;
      const entry = await renew((await this.keyv.deserializeData(before)) as StoredEnvelope | undefined);
      if (!entry) return undefined;
      if (memory.payloadOf(key) !== before) continue;
      const ttl = storeTtl(entry, this.clock.now());
      memory.replace(key, entry.payload, ttl);
      return ttl;
    }
  }

  /** A custom store has no compare-and-set: read and write back (a write landing in between is overwritten). */
  private async retimeCustom(key: string, renew: Renewal): Promise<number | undefined> {
    const entry = await renew((await this.keyv.get(key, { raw: true })) as StoredEnvelope | undefined);
    if (!entry) return undefined;
    const ttl = storeTtl(entry, this.clock.now());
    await this.keyv.set(key, this.usesLarderSerializer ? entry : entry.value, ttl > 0 ? ttl : undefined);
    return ttl;
  }

  sweep(max: number): number {
    return this.memory?.sweep(max) ?? 0;
  }

  upkeep(): StoreUpkeep | undefined {
    const memory = this.memory;
    return memory && { items: memory.size, evictions: memory.evictions, expired: memory.expired };
  }

  onDrop(listener: DropListener): void {
    this.memory?.onDrop(listener);
  }

  async stats(prefix: string, limits: KeyspaceLimits): Promise<StoreStats> {
    if (this.memory) {
      const { keys, bytes, items, totalBytes } = this.memory.usage(prefix);
      return { kind: 'memory', keys, approximateBytes: bytes, estimate: false, items, bytes: totalBytes };
    }
    if (!this.keyv.iterator) {
      throw new UnsupportedOperationError('storeStats() needs a store that can iterate its keys');
    }
    let keys = 0;
    let bytes = 0;
    let read = 0;
    for await (const [key, value] of this.keyv.iterator(this.keyv.namespace)) {
      if (++read > limits.maxScanned) break;
      if (typeof key !== 'string' || !key.startsWith(prefix)) continue;
      keys++;
      bytes += Buffer.byteLength(JSON.stringify(value) ?? '');
    }
    // The store's own encoding is unknown here: bytes are the values' JSON size, an estimate.
    return { kind: 'custom', keys, approximateBytes: bytes, estimate: true };
  }

  async ttl(key: string): Promise<number | undefined> {
    if (this.memory) return this.memory.ttl(key);
    const raw = (await this.keyv.get(key, { raw: true })) as Envelope | undefined;
    if (!raw) return undefined;
    return raw.expires ? Math.max(0, raw.expires - this.clock.now()) : Infinity;
  }

  async close(): Promise<void> {
    if (this.kind === 'custom') return;
    await this.keyv.disconnect?.();
  }
}

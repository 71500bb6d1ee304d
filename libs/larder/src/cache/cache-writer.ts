import type { CacheCore, Scope } from './cache-core';
import { entryKey, keyOfEntry } from './cache-keys';
import { encodeValue, renewEnvelope, type EncodedValue, type StoredEnvelope } from './stores/encoded-value';
import { compressEntry, compresses, recompress } from './compression/compress-entry';
import type { CompressionPolicy } from './compression/compression-options';

/** One entry of setMany, its arguments resolved. */
export interface WriteEntry {
  key: string;
  value: unknown;
  ttl: number;
  tags: string[];
  grace: number;
  compression: CompressionPolicy | null;
}

/** The write path: value store and tag index first, then L1, events and the invalidation bus. */
export class CacheWriter {
  constructor(
    private readonly core: CacheCore,
    private readonly scope: Scope,
  ) {}

  private get rethrow(): boolean {
    return this.core.options.throwOnError;
  }

  private encode(key: string, value: unknown, ttl: number, grace = 0): EncodedValue {
    const { serializer, maxValueSize } = this.core.options;
    return encodeValue(serializer, maxValueSize, key, value, ttl, grace, this.core.clock.now());
  }

  /**
   * Stores a value for `ttl`, kept `grace` longer as a stale fallback. A Keyv instance with its
   * own serializer cannot carry where the ttl ends, so there the entry gets no grace: it must
   * never be served as fresh past its ttl. `compression` unset: the module's. `absent`: the key
   * was just read and held no entry (see CacheStore.write).
   */
  set(
    key: string,
    value: unknown,
    ttl: number,
    tags: string[],
    rethrow: boolean,
    grace = 0,
    compression = this.core.options.compression.policy,
    absent = false,
  ): Promise<void> {
    try {
      const kept = this.keptFor(ttl, grace);
      const entry = this.encode(key, value, ttl, kept);
      if (!compresses(this.core, entry, compression))
        return this.store(key, entry, ttl + kept, tags, rethrow, absent);
      return compressEntry(this.core, this.scope, key, entry, compression).then((packed) =>
        this.store(key, packed, ttl + kept, tags, rethrow, absent),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private keptFor(ttl: number, grace: number): number {
    return ttl > 0 && grace > 0 && this.core.store.usesLarderSerializer ? grace : 0;
  }

  /** Writes value and tags together; `tags` replace whatever tags the entry had. */
  private async store(
    key: string,
    entry: EncodedValue,
    ttl: number,
    tags: string[],
    rethrow: boolean,
    absent = false,
  ): Promise<void> {
    const full = entryKey(this.scope.prefix, key);
    const started = performance.now();
    const fullTags = tags.map((t) => entryKey(this.scope.prefix, t));
    const ok = await this.core.storeCall(
      'set',
      this.scope,
      key,
      async () => {
        await this.core.store.write(full, entry, ttl, fullTags, absent);
        return true;
      },
      { fallback: false, rethrow },
    );
    this.core.dropCopies({ keys: [full] });
    if (!ok) return;
    this.core.l1?.set(full, entry.value, entry.expires, entry.size, entry.freshUntil);
    this.core.counters.writes++;
    if (this.core.events.wants('write')) {
      this.core.events.emit('write', this.core.base(this.scope, key, undefined, performance.now() - started));
    }
  }

  async setMany(entries: WriteEntry[]): Promise<void> {
    const kept = entries.map((e) => this.keptFor(e.ttl, e.grace));
    const encoded = entries.map((e, i) => this.encode(e.key, e.value, e.ttl, kept[i]));
    await Promise.all(
      entries.map(async (e, i) => {
        let entry = encoded[i];
        if (compresses(this.core, entry, e.compression))
          entry = await compressEntry(this.core, this.scope, e.key, entry, e.compression);
        return this.store(e.key, entry, e.ttl + kept[i], e.tags, this.rethrow);
      }),
    );
  }

  async delMany(keys: string[]): Promise<void> {
    const fulls = keys.map((k) => entryKey(this.scope.prefix, k));
    const ok = await this.core.storeCall(
      'del',
      this.scope,
      keys.length === 1 ? keys[0] : undefined,
      async () => {
        await this.core.store.deleteMany(fulls);
        return true;
      },
      { fallback: false, rethrow: this.rethrow },
    );
    this.core.dropCopies({ keys: fulls });
    if (!ok) return;
    this.core.counters.deletes += keys.length;
    if (this.core.events.wants('delete'))
      for (const key of keys) this.core.events.emit('delete', this.core.base(this.scope, key));
  }

  async invalidateTags(tags: string[]): Promise<number> {
    const fullTags = tags.map((t) => entryKey(this.scope.prefix, t));
    return this.core.storeCall(
      'invalidateTags',
      this.scope,
      undefined,
      async () => {
        const { keys: fulls, removed } = await this.core.store.invalidateTags(fullTags);
        this.core.dropCopies({ keys: fulls });
        this.core.counters.deletes += removed;
        if (this.core.events.wants('delete')) {
          for (const full of fulls)
            this.core.events.emit('delete', this.core.base(this.scope, keyOfEntry(this.scope.prefix, full)));
        }
        return removed;
      },
      { fallback: 0, rethrow: this.rethrow },
    );
  }

  async clear(): Promise<number> {
    const prefix = this.scope.prefix;
    const removed = await this.core.storeCall(
      'clear',
      this.scope,
      undefined,
      async () => {
        const removed = await this.core.store.clearPrefix(prefix);
        if (this.core.events.wants('clear'))
          this.core.events.emit('clear', { ...this.core.base(this.scope), removed });
        return removed;
      },
      { fallback: 0, rethrow: this.rethrow, boundedPerRoundTrip: this.core.store.kind === 'redis' },
    );
    this.core.dropCopies({ prefix });
    return removed;
  }

  /**
   * Gives a live entry `ttl` ms from now (0 = none); the L1 copies go, so the next read brings the
   * new lifetime. An entry stored compressed is stored compressed again, with the same codec.
   */
  async retime(key: string, ttl: number): Promise<boolean> {
    const full = entryKey(this.scope.prefix, key);
    const retimed = await this.core.storeCall(
      'expire',
      this.scope,
      key,
      () => this.core.store.retime(full, (current) => this.renew(key, current, ttl)),
      { fallback: false, rethrow: this.rethrow },
    );
    this.core.dropCopies({ keys: [full] });
    return retimed;
  }

  private renew(key: string, current: StoredEnvelope | undefined, ttl: number) {
    const entry = renewEnvelope(this.core.options.serializer, key, current, ttl, this.core.clock.now());
    return entry && recompress(this.core, this.scope, key, entry, current);
  }

  async increment(key: string, by: number, ttl: number): Promise<number> {
    const full = entryKey(this.scope.prefix, key);
    const value = await this.core.storeCall(
      'increment',
      this.scope,
      key,
      () => this.core.store.increment(full, by, ttl),
      {
        fallback: 0,
        rethrow: true,
      },
    );
    this.core.dropCopies({ keys: [full] });
    this.core.counters.writes++;
    if (this.core.events.wants('write')) this.core.events.emit('write', this.core.base(this.scope, key));
    return value;
  }
}

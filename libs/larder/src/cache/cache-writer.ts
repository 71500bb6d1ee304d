import { NotSerializableError } from '../errors';
import { serializeOrThrow } from '../options/serializer';
import type { CacheCore, Scope } from './cache-core';
import { entryKey, keyOfEntry } from './cache-key-layout';

/** The write path: value store first, then L1, tags, events and the invalidation bus. */
export class CacheWriter {
  constructor(
    private readonly core: CacheCore,
    private readonly scope: Scope,
  ) {}

  private get rethrow(): boolean {
    return this.core.options.throwOnError;
  }

  /** Serializes once up front so a bad value fails before any store (or tag index) is touched. */
  private check(key: string, value: unknown): void {
    if (value === undefined) {
      throw new NotSerializableError(
        `Value for key "${key}" is undefined; undefined is never stored (use del()).`,
      );
    }
    // Keyv refuses a symbol with a plain Error before any serializer sees it, which would read as
    // an outage; whatever the serializer, a symbol cannot be stored.
    if (typeof value === 'symbol') {
      throw new NotSerializableError(`Value for key "${key}" is a symbol; symbols cannot be stored.`);
    }
    // The same envelope Keyv writes, so the check refuses exactly what the store would.
    serializeOrThrow(this.core.options.serializer, { value }, key);
  }

  async set(key: string, value: unknown, ttl: number, tags: string[], rethrow: boolean): Promise<void> {
    // Without tags Keyv's own serialize step runs before its only write; with tags the tag index
    // is written in parallel, so the value is checked first.
    if (
      value === undefined ||
      typeof value === 'symbol' ||
      tags.length > 0 ||
      !this.core.backend.usesLarderSerializer
    )
      this.check(key, value);
    const full = entryKey(this.scope.prefix, key);
    const started = performance.now();
    const fullTags = tags.map((t) => entryKey(this.scope.prefix, t));
    const ok = await this.core.guard(
      'set',
      this.scope,
      key,
      async () => {
        try {
          await Promise.all([
            this.core.backend.keyv.set(full, value, ttl),
            fullTags.length > 0 ? this.core.tags.add(fullTags, full, ttl) : undefined,
          ]);
        } catch (error) {
          if (error instanceof NotSerializableError) this.check(key, value);
          throw error;
        }
        return true;
      },
      { fallback: false, rethrow },
    );
    this.core.invalidateLocal({ keys: [full] });
    if (!ok) return;
    this.core.l1?.set(full, value, ttl > 0 ? Date.now() + ttl : undefined);
    this.core.counters.writes++;
    if (this.core.events.wants('write')) {
      this.core.events.emit('write', this.core.base(this.scope, key, undefined, performance.now() - started));
    }
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttl: number; tags: string[] }>): Promise<void> {
    for (const e of entries) this.check(e.key, e.value);
    await Promise.all(entries.map((e) => this.set(e.key, e.value, e.ttl, e.tags, this.rethrow)));
  }

  async delMany(keys: string[]): Promise<void> {
    const fulls = keys.map((k) => entryKey(this.scope.prefix, k));
    const ok = await this.core.guard(
      'del',
      this.scope,
      keys.length === 1 ? keys[0] : undefined,
      async () => {
        await this.core.backend.deleteMany(fulls);
        return true;
      },
      { fallback: false, rethrow: this.rethrow },
    );
    this.core.invalidateLocal({ keys: fulls });
    if (!ok) return;
    this.core.counters.deletes += keys.length;
    if (this.core.events.wants('delete'))
      for (const key of keys) this.core.events.emit('delete', this.core.base(this.scope, key));
  }

  async invalidateTags(tags: string[]): Promise<number> {
    const fullTags = tags.map((t) => entryKey(this.scope.prefix, t));
    return this.core.guard(
      'invalidateTags',
      this.scope,
      undefined,
      async () => {
        const fulls = await this.core.tags.take(fullTags);
        this.core.invalidateLocal({ keys: fulls });
        const removed = await this.core.backend.deleteMany(fulls);
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
    const removed = await this.core.guard(
      'clear',
      this.scope,
      undefined,
      async () => {
        const [removed] = await Promise.all([
          this.core.backend.clearPrefix(prefix),
          prefix === '' ? this.core.tags.clear() : undefined,
        ]);
        if (this.core.events.wants('clear'))
          this.core.events.emit('clear', { ...this.core.base(this.scope), removed });
        return removed;
      },
      { fallback: 0, rethrow: this.rethrow, boundedPerRoundTrip: this.core.backend.kind === 'redis' },
    );
    this.core.invalidateLocal({ prefix });
    return removed;
  }

  async increment(key: string, by: number, ttl: number): Promise<number> {
    const full = entryKey(this.scope.prefix, key);
    const value = await this.core.guard(
      'increment',
      this.scope,
      key,
      () => this.core.backend.increment(full, by, ttl),
      {
        fallback: 0,
        rethrow: true,
      },
    );
    this.core.invalidateLocal({ keys: [full] });
    this.core.counters.writes++;
    if (this.core.events.wants('write')) this.core.events.emit('write', this.core.base(this.scope, key));
    return value;
  }
}

/**
 * A Map bounded to `maxItems` that drops its least recently used entry when full. Reads refresh
 * recency by re-inserting the key (Map keeps insertion order), which keeps a hit at two Map
 * operations. Used as the L1 tier and as the in-memory value store.
 */
export class LruMap<V> {
  private readonly map = new Map<string, V>();

  constructor(
    readonly maxItems: number,
    private readonly onEvict?: (key: string, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** The value without refreshing its recency (for checks that are not uses). */
  peek(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): this {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxItems) {
      const oldest = this.map.keys().next().value as string;
      const evicted = this.map.get(oldest) as V;
      this.map.delete(oldest);
      this.onEvict?.(oldest, evicted);
    }
    return this;
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  /** Deletes every key that starts with `prefix`; returns how many went. */
  deletePrefix(prefix: string): number {
    let removed = 0;
    for (const key of [...this.map.keys()]) {
      if (key.startsWith(prefix) && this.map.delete(key)) removed++;
    }
    return removed;
  }
}

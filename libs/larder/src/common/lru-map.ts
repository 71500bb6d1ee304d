/** A size budget for LruMap: the most units it holds, and each value's size in those units. */
export interface LruBudget<V> {
  maxSize: number;
  sizeOf(value: V): number;
}

/**
 * A Map bounded to `maxItems` (and, given a budget, to a total size) that drops its least
 * recently used entries when full. Reads refresh recency by re-inserting the key (Map keeps
 * insertion order), which keeps a hit at two Map operations. A value larger than the whole
 * budget is not kept: making room for it would empty the map for nothing. Used as the L1 tier,
 * as the in-memory value store and by the in-memory rate-limit store.
 */
export class LruMap<V> {
  private readonly map = new Map<string, V>();
  private totalSize = 0;

  constructor(
    readonly maxItems: number,
    private readonly onEvict?: (key: string, value: V) => void,
    private readonly budget?: LruBudget<V>,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** The total size of the values held, in the budget's units (0 without a budget). */
  get usedSize(): number {
    return this.totalSize;
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
    this.delete(key);
    const budget = this.budget;
    if (budget) {
      const size = budget.sizeOf(value);
      if (size > budget.maxSize) {
        this.onEvict?.(key, value);
        return this;
      }
      this.totalSize += size;
    }
    this.map.set(key, value);
    while (this.map.size > this.maxItems || (budget && this.totalSize > budget.maxSize)) {
      const oldest = this.map.keys().next().value as string;
      const evicted = this.map.get(oldest) as V;
      this.delete(oldest);
      this.onEvict?.(oldest, evicted);
    }
    return this;
  }

  delete(key: string): boolean {
    if (!this.map.has(key)) return false;
    if (this.budget) this.totalSize -= this.budget.sizeOf(this.map.get(key) as V);
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.totalSize = 0;
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  /** Deletes every key that starts with `prefix`; returns how many went. */
  deletePrefix(prefix: string): number {
    let removed = 0;
    for (const key of [...this.map.keys()]) {
      if (key.startsWith(prefix) && this.delete(key)) removed++;
    }
    return removed;
  }
}

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
  /** Where the last `sweep` stopped; a Map iterator survives deletes and sees keys added later. */
  private cursor: Iterator<[string, V]> | undefined;

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

  /**
   * Visits up to `max` entries, going on from where the last call stopped and wrapping around at
   * the end, and deletes those `expired` says are: a background sweep whose work per call is
   * bounded however large the map is. Does not change recency. Returns the keys it deleted.
   */
  sweep(expired: (value: V) => boolean, max: number): string[] {
    const removed: string[] = [];
    for (let visited = 0; visited < max && this.map.size > 0; visited++) {
      this.cursor ??= this.map.entries();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = undefined;
        if (visited === 0) break;
        continue;
      }
      const [key, value] = next.value;
      if (this.map.get(key) === value && expired(value) && this.delete(key)) removed.push(key);
    }
    return removed;
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

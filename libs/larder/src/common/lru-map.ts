/** A size budget for LruMap: the most units it holds, and each value's size in those units. */
export interface LruBudget<V> {
  maxSize: number;
  sizeOf(value: V): number;
}

/** One entry, linked into the recency list (oldest at `head`, newest at `tail`). */
interface LruNode<V> {
  readonly key: string;
  value: V;
  prev: LruNode<V> | undefined;
  next: LruNode<V> | undefined;
}

/**
 * A Map bounded to `maxItems` (and, given a budget, to a total size) that drops its least
 * recently used entries when full. Recency is a doubly linked list through the entries, so a hit
 * is one Map lookup and a few pointer writes: re-inserting the key into the Map instead (delete +
 * set) cost several times the lookup and left the Map's table to rehash. A value larger than the
 * whole budget is not kept: making room for it would empty the map for nothing. Used as the L1
 * tier, as the in-memory value store and by the in-memory rate-limit store.
 */
export class LruMap<V> {
  private readonly map = new Map<string, LruNode<V>>();
  private head: LruNode<V> | undefined;
  private tail: LruNode<V> | undefined;
  private totalSize = 0;
  /**
   * The next entry the sweep visits: undefined before it starts a pass (it starts at the oldest),
   * null once a pass reached the newest (an entry added or used meanwhile is visited next).
   */
  private cursor: LruNode<V> | null | undefined;

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
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    if (node !== this.tail) {
      this.unlink(node);
      this.append(node);
    }
    return node.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** The value without refreshing its recency (for checks that are not uses). */
  peek(key: string): V | undefined {
    return this.map.get(key)?.value;
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
    const node: LruNode<V> = { key, value, prev: undefined, next: undefined };
    this.map.set(key, node);
    this.append(node);
    while (this.map.size > this.maxItems || (budget && this.totalSize > budget.maxSize)) {
      const oldest = this.head!;
      this.delete(oldest.key);
      this.onEvict?.(oldest.key, oldest.value);
    }
    return this;
  }

  delete(key: string): boolean {
    const node = this.map.get(key);
    if (node === undefined) return false;
    if (this.budget) this.totalSize -= this.budget.sizeOf(node.value);
    this.unlink(node);
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.head = this.tail = this.cursor = undefined;
    this.totalSize = 0;
  }

  /** The keys, least recently used first. */
  *keys(): IterableIterator<string> {
    for (let node = this.head; node !== undefined; node = node.next) yield node.key;
  }

  /**
   * Visits up to `max` entries, going on from where the last call stopped and wrapping around at
   * the end, and deletes those `expired` says are: a background sweep whose work per call is
   * bounded however large the map is. Does not change recency. Returns the keys it deleted.
   */
  sweep(expired: (value: V) => boolean, max: number): string[] {
    const removed: string[] = [];
    for (let visited = 0; visited < max && this.map.size > 0; visited++) {
      if (this.cursor === undefined) this.cursor = this.head ?? null;
      const node = this.cursor;
      if (node === null) {
        this.cursor = undefined;
        if (visited === 0) break;
        continue;
      }
      this.cursor = node.next ?? null;
      if (expired(node.value) && this.delete(node.key)) removed.push(node.key);
    }
    return removed;
  }

  /** Deletes every key that starts with `prefix`; returns how many went. */
  deletePrefix(prefix: string): number {
    let removed = 0;
    for (const key of [...this.keys()]) {
      if (key.startsWith(prefix) && this.delete(key)) removed++;
    }
    return removed;
  }

  /** Links `node` in as the newest entry. */
  private append(node: LruNode<V>): void {
    node.prev = this.tail;
    node.next = undefined;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    // A pass that reached the end visits what joins it next, as an iterator over a Map would.
    if (this.cursor === null) this.cursor = node;
  }

  /** Takes `node` out of the list; a sweep about to visit it moves on to the one after. */
  private unlink(node: LruNode<V>): void {
    if (this.cursor === node) this.cursor = node.next ?? null;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = undefined;
  }
}

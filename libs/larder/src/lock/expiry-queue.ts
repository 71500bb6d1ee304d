/** Something the queue fires once its deadline (a `performance.now()` time) has passed. */
export interface Expiring {
  deadline: number;
  /** Position in the queue, -1 when not queued; maintained by the queue. */
  queueIndex: number;
  expire(): void;
}

/**
 * The deadlines of every held lock of one LockService, behind a single timer. A timer per lock
 * would be created and cleared on every acquire/release, which costs more than the rest of the
 * lock's own bookkeeping; here the timer is only re-armed when a new deadline is the earliest,
 * and a release merely leaves the heap (the timer, if it fires for nothing, re-arms itself).
 * A binary min-heap keeps add/update/remove at O(log n) however many locks are held.
 */
export class ExpiryQueue<T extends Expiring = Expiring> {
  private readonly heap: T[] = [];
  private timer?: NodeJS.Timeout;
  private armedFor = Infinity;

  get size(): number {
    return this.heap.length;
  }

  /** The queued items, in no particular order. */
  items(): T[] {
    return [...this.heap];
  }

  add(item: T): void {
    item.queueIndex = this.heap.length;
    this.heap.push(item);
    this.up(item.queueIndex);
    this.arm();
  }

  /** Call after an item's deadline changed. */
  update(item: T): void {
    if (item.queueIndex < 0) return;
    this.down(this.up(item.queueIndex));
    this.arm();
  }

  remove(item: T): void {
    const index = item.queueIndex;
    if (index < 0) return;
    item.queueIndex = -1;
    const last = this.heap.pop()!;
    if (index === this.heap.length) return;
    this.heap[index] = last;
    last.queueIndex = index;
    this.down(this.up(index));
  }

  /** Stops the timer; queued items stay as they are. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private arm(): void {
    const next = this.heap[0]?.deadline;
    if (next === undefined || next >= this.armedFor) return;
    clearTimeout(this.timer);
    this.armedFor = next;
    this.timer = setTimeout(this.fire, Math.max(0, next - performance.now()));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    while (this.heap.length > 0 && this.heap[0].deadline <= now) {
      const item = this.heap[0];
      this.remove(item);
      item.expire();
    }
    this.arm();
  };

  private up(index: number): number {
    const item = this.heap[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.heap[parent].deadline <= item.deadline) break;
      this.place(this.heap[parent], index);
      index = parent;
    }
    this.place(item, index);
    return index;
  }

  private down(index: number): void {
    const item = this.heap[index];
    const length = this.heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.heap[right].deadline < this.heap[left].deadline ? right : left;
      if (this.heap[child].deadline >= item.deadline) break;
      this.place(this.heap[child], index);
      index = child;
    }
    this.place(item, index);
  }

  private place(item: T, index: number): void {
    this.heap[index] = item;
    item.queueIndex = index;
  }
}

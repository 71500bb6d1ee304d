/**
 * The last `capacity` items, oldest first, numbered by a sequence that never repeats. Pushing
 * overwrites the oldest slot once full, so memory stays at `capacity` whatever the event rate.
 */
export class EventRing<T> {
  private readonly slots: Array<T | undefined>;
  /** Sequence number of the next item pushed (the first is 1). */
  private next = 1;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  /** The sequence number of the newest item (0 when empty). */
  get last(): number {
    return this.next - 1;
  }

  /** How many items are held now (at most `capacity`). */
  get size(): number {
    return Math.min(this.last, this.capacity);
  }

  push(item: T): number {
    const seq = this.next++;
    this.slots[seq % this.capacity] = item;
    return seq;
  }

  /** Items with a sequence number above `seq` that are still held, oldest first. */
  since(seq: number): T[] {
    const from = Math.max(seq + 1, this.next - this.capacity);
    const out: T[] = [];
    for (let s = from; s < this.next; s++) out.push(this.slots[s % this.capacity] as T);
    return out;
  }
}

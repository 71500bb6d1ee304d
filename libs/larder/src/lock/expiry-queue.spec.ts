import { eventually } from '#test/test-helpers';
import { ExpiryQueue, type Expiring } from './expiry-queue';

class Item implements Expiring {
  queueIndex = -1;
  expiredAt?: number;
  constructor(
    readonly name: string,
    public deadline: number,
  ) {}
  expire(): void {
    this.expiredAt = performance.now();
  }
}

describe('ExpiryQueue', () => {
  let queue: ExpiryQueue<Item>;
  beforeEach(() => (queue = new ExpiryQueue<Item>()));
  afterEach(() => queue.stop());

  it('fires each item once its deadline passes, earliest first, and never a removed one', async () => {
    const now = performance.now();
    const order: string[] = [];
    const items = [300, 60, 180, 120, 240].map((ms) => new Item(`t${ms}`, now + ms));
    for (const item of items) {
      item.expire = () => order.push(item.name);
      queue.add(item);
    }
    queue.remove(items[3]);
    expect(items[3].queueIndex).toBe(-1);
    await eventually(() => order.length === 4, 3000, 'four expiries');
    expect(order).toEqual(['t60', 't180', 't240', 't300']);
    expect(queue.size).toBe(0);
  });

  it('an update moves an item later (or earlier) in the queue', async () => {
    const now = performance.now();
    const a = new Item('a', now + 50);
    const b = new Item('b', now + 100);
    queue.add(a);
    queue.add(b);
    a.deadline = now + 10_000;
    queue.update(a);
    await eventually(() => b.expiredAt !== undefined, 3000, 'b to expire');
    expect(a.expiredAt).toBeUndefined();
    a.deadline = performance.now() + 20;
    queue.update(a);
    await eventually(() => a.expiredAt !== undefined, 3000, 'a to expire');
  });

  it('keeps heap order through many random adds, updates and removes', () => {
    const items = Array.from({ length: 500 }, (_, i) => new Item(String(i), 1e9 + Math.random() * 1e6));
    for (const item of items) queue.add(item);
    for (let i = 0; i < 500; i += 3) queue.remove(items[i]);
    for (let i = 1; i < 500; i += 3) {
      items[i].deadline = 1e9 + Math.random() * 1e6;
      queue.update(items[i]);
    }
    const kept = items.filter((_, i) => i % 3 !== 0);
    expect(queue.size).toBe(kept.length);
    const heap = queue.items();
    heap.forEach((item, i) => {
      expect(item.queueIndex).toBe(heap.indexOf(item));
      if (i > 0) expect(heap[(i - 1) >> 1].deadline).toBeLessThanOrEqual(item.deadline);
    });
  });
});

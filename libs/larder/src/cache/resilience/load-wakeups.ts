import type { Invalidation } from '../l1/invalidation-bus';

/**
 * One caller's watch on a key another instance is loading. A wake that comes while nobody is
 * waiting is kept for the next `next()`, so a value written between two checks is never missed.
 */
export class KeyWatch {
  private woken = false;
  private resolve?: () => void;
  private timer?: NodeJS.Timeout;

  constructor(private readonly onClose: (watch: KeyWatch) => void) {}

  /** Resolves at the next wake (at once if one came since the last call), or after `ms`. */
  next(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(() => this.settle(), ms);
      this.timer.unref();
    });
  }

  wake(): void {
    if (this.resolve) this.settle();
    else this.woken = true;
  }

  close(): void {
    this.settle();
    this.onClose(this);
  }

  private settle(): void {
    clearTimeout(this.timer);
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }
}

/**
 * This process' waiters for values other instances are loading, per full key. Woken by what the
 * invalidation bus brings (a write, a load lock released, a re-subscription) rather than by polling.
 */
export class LoadWakeups {
  private readonly watches = new Map<string, Set<KeyWatch>>();

  /** A watch on `full`, registered now: close it when done waiting. */
  watch(full: string): KeyWatch {
    let set = this.watches.get(full);
    if (!set) this.watches.set(full, (set = new Set()));
    const watch = new KeyWatch((closed) => {
      set.delete(closed);
      if (set.size === 0 && this.watches.get(full) === set) this.watches.delete(full);
    });
    set.add(watch);
    return watch;
  }

  /** Wakes the watches of the keys a change names, or of every key under its prefix. */
  wake(change: Invalidation): void {
    if (this.watches.size === 0) return;
    if (change.keys) for (const key of change.keys) this.watches.get(key)?.forEach((w) => w.wake());
    if (change.prefix !== undefined) {
      for (const [key, set] of this.watches) if (key.startsWith(change.prefix)) set.forEach((w) => w.wake());
    }
  }
}

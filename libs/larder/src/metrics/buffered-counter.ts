import type { Counter, LabelValues } from 'prom-client';

/** One labelled series of a BufferedCounter: the hot path only adds to `pending`. */
export interface CounterCell {
  pending: number;
  /** Flushes the cell and detaches it (its module is closing); the series keeps its value. */
  release(): void;
}

/**
 * A prom-client Counter fed through plain additions. `Counter.inc(labels)` hashes and validates
 * its labels on every call (~200 ns, as much as an L1 hit itself); a cell is bound to its labels
 * once, events only do `cell.pending++`, and the sums reach the counter when it is collected
 * (at scrape time) or when the cell is released.
 *
 * @example
 * const hits = new BufferedCounter<'cache'>((collect) => new Counter({ name: 'hits_total', help: 'Hits.', labelNames: ['cache'], collect }));
 * const cell = hits.cell({ cache: 'default' }, owned);
 * cell.pending++;
 */
export class BufferedCounter<L extends string> {
  readonly counter: Counter<L>;
  private readonly cells = new Set<{ labels: LabelValues<L>; pending: number }>();

  constructor(create: (collect: () => void) => Counter<L>) {
    this.counter = create(() => this.flush());
  }

  /**
   * A new cell for `labels`, added to `owned` (what a module releases when it closes). Its series
   * appears at 0 at once, so rate() works from the first scrape.
   */
  cell(labels: LabelValues<L>, owned: CounterCell[]): CounterCell {
    const entry = { labels, pending: 0 };
    this.counter.inc(labels, 0);
    this.cells.add(entry);
    const cell: CounterCell = Object.assign(entry, {
      release: () => {
        this.flushOne(entry);
        this.cells.delete(entry);
      },
    });
    owned.push(cell);
    return cell;
  }

  /** A cell per value of a label known only from events (operation, reason, rule), created on first use. */
  cellsBy(base: LabelValues<L>, label: L, owned: CounterCell[]): (value: string) => CounterCell {
    const byValue = new Map<string, CounterCell>();
    return (value) => {
      let cell = byValue.get(value);
      if (!cell) {
        cell = this.cell({ ...base, [label]: value }, owned);
        byValue.set(value, cell);
      }
      return cell;
    };
  }

  /** Moves every pending sum into the counter. */
  flush(): void {
    for (const entry of this.cells) this.flushOne(entry);
  }

  private flushOne(entry: { labels: LabelValues<L>; pending: number }): void {
    if (entry.pending === 0) return;
    this.counter.inc(entry.labels, entry.pending);
    entry.pending = 0;
  }
}

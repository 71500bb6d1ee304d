import type { Counter, Registry } from 'prom-client';
import type { CacheStats } from '../cache/cache-stats';
import { LARDER_METRICS } from './metric-names';
import type { loadPromClient } from './load-prom-client';

/** Reads a cache's counters at scrape time. */
export interface StatsSource {
  cache: string;
  read: () => CacheStats;
}

type CounterClass = ReturnType<typeof loadPromClient>['Counter'];

/**
 * The compression counters (`cache_compressed_total`, `cache_compression_bytes_total` with
 * `stage="before"|"after"`), read from each cache's `stats()` at scrape time: a compressed write
 * only adds to plain fields, and nothing happens per write for metrics.
 */
export class CompressionMetrics {
  readonly compressed: Counter<'cache'>;
  readonly bytes: Counter<'cache' | 'stage'>;
  private readonly sources = new Set<StatsSource>();

  constructor(Counter: CounterClass, prefix: string, registers: Registry[]) {
    const sources = this.sources;
    this.compressed = new Counter<'cache'>({
      name: prefix + LARDER_METRICS.cacheCompressed.name,
      help: 'Values stored compressed (the compression option).',
      labelNames: LARDER_METRICS.cacheCompressed.labels,
      registers,
      collect() {
        this.reset();
        for (const source of sources) this.inc({ cache: source.cache }, source.read().compressed);
      },
    });
    this.bytes = new Counter<'cache' | 'stage'>({
      name: prefix + LARDER_METRICS.cacheCompressionBytes.name,
      help: 'Bytes of the values stored compressed: stage="before" serialized, stage="after" as stored.',
      labelNames: LARDER_METRICS.cacheCompressionBytes.labels,
      registers,
      collect() {
        this.reset();
        for (const source of sources) {
          const stats = source.read();
          this.inc({ cache: source.cache, stage: 'before' }, stats.bytesBeforeCompression);
          this.inc({ cache: source.cache, stage: 'after' }, stats.bytesAfterCompression);
        }
      },
    });
  }

  /** Adds a cache; returns how to remove it again. */
  addSource(source: StatsSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}

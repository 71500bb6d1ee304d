import type { Gauge, Histogram, Registry } from 'prom-client';
import { InvalidOptionError } from '../errors';
import { BufferedCounter } from './buffered-counter';
import { CompressionMetrics } from './compression-metrics';
import { LARDER_METRICS } from './metric-names';
import { loadPromClient } from './load-prom-client';
import type { MetricsRegistry, ResolvedMetricsOptions } from './metrics-options';

type M = typeof LARDER_METRICS;
type Labels<K extends keyof M> = M[K]['labels'][number];

/** Reads the item count of one in-process tier of a cache at scrape time. */
export interface ItemSource {
  cache: string;
  tier: 'l1' | 'l2';
  read: () => number;
}

/** Reads a module's circuit breaker state at scrape time (undefined: it has none). */
export interface BreakerSource {
  cache: string;
  read: () => string | undefined;
}

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/** Sets per registry and prefix: two modules sharing both share the metrics and differ by `cache` label. */
const sets = new WeakMap<MetricsRegistry, Map<string, LarderMetricSet>>();

/**
 * The prom-client metrics of one registry and prefix. Created once and reused by every Larder
 * module registering there (prom-client refuses a second metric with the same name), and
 * rebuilt when the app cleared the registry in between.
 */
export class LarderMetricSet {
  readonly hits: BufferedCounter<Labels<'cacheHits'>>;
  readonly misses: BufferedCounter<Labels<'cacheMisses'>>;
  readonly writes: BufferedCounter<Labels<'cacheWrites'>>;
  readonly deletes: BufferedCounter<Labels<'cacheDeletes'>>;
  readonly errors: BufferedCounter<Labels<'cacheErrors'>>;
  readonly evictions: BufferedCounter<Labels<'cacheEvictions'>>;
  readonly items: Gauge<Labels<'cacheItems'>>;
  readonly duration: Histogram<Labels<'cacheDuration'>>;
  readonly compression: CompressionMetrics;
  readonly lockAcquired: BufferedCounter<Labels<'lockAcquired'>>;
  readonly lockFailed: BufferedCounter<Labels<'lockFailed'>>;
  readonly lockLost: BufferedCounter<Labels<'lockLost'>>;
  readonly rateLimitRequests: BufferedCounter<Labels<'rateLimitRequests'>>;
  readonly sessionsCreated: BufferedCounter<Labels<'sessionsCreated'>>;
  readonly sessionsDestroyed: BufferedCounter<Labels<'sessionsDestroyed'>>;
  readonly breakerState: Gauge<Labels<'breakerState'>>;
  readonly breakerTransitions: BufferedCounter<Labels<'breakerTransitions'>>;
  private readonly itemSources = new Set<ItemSource>();
  private readonly breakerSources = new Set<BreakerSource>();

  /** The set for these options, created on first use. */
  static for(options: ResolvedMetricsOptions): LarderMetricSet {
    let byPrefix = sets.get(options.registry);
    if (!byPrefix) sets.set(options.registry, (byPrefix = new Map()));
    const existing = byPrefix.get(options.prefix);
    if (existing && existing.isRegisteredIn(options.registry)) {
      existing.assertBuckets(options.buckets);
      return existing;
    }
    const created = new LarderMetricSet(options);
    byPrefix.set(options.prefix, created);
    return created;
  }

  private constructor(private readonly options: ResolvedMetricsOptions) {
    const { registry, prefix } = options;
    for (const { name } of Object.values(LARDER_METRICS)) {
      if (registry.getSingleMetric(prefix + name)) {
        throw new InvalidOptionError(
          `Invalid Larder option "metrics.prefix": ${JSON.stringify(prefix)}. The registry already has a metric ` +
            `named "${prefix + name}" that Larder did not create; choose another prefix.`,
        );
      }
    }
    const { Counter, Gauge, Histogram } = loadPromClient();
    // resolveMetricsOptions() accepted it as a prom-client Registry (or took prom-client's own).
    const registers = [registry as Registry];
    const counter = <K extends keyof M>(key: K, help: string) =>
      new BufferedCounter<Labels<K>>(
        (collect) =>
          new Counter<Labels<K>>({
            name: prefix + LARDER_METRICS[key].name,
            help,
            labelNames: LARDER_METRICS[key].labels,
            registers,
            collect,
          }),
      );
    this.hits = counter(
      'cacheHits',
      'Cache reads answered from the cache, by tier (l1: in-process, l2: value store).',
    );
    this.misses = counter('cacheMisses', 'Cache reads that found nothing (or failed open on a store error).');
    this.writes = counter(
      'cacheWrites',
      'Values written to the cache (set, setMany entries, getOrSet loads, increments).',
    );
    this.deletes = counter('cacheDeletes', 'Keys deleted (del, delMany, invalidateTags).');
    this.errors = counter('cacheErrors', 'Store calls that failed or timed out, by operation.');
    this.evictions = counter(
      'cacheEvictions',
      'In-process entries dropped, by tier (l1, or l2: the memory value store): reason="capacity" (LRU) or "expired".',
    );
    const sources = this.itemSources;
    this.items = new Gauge<Labels<'cacheItems'>>({
      name: prefix + LARDER_METRICS.cacheItems.name,
      help: 'Entries in the in-process tiers now: tier="l1", and tier="l2" for the memory value store (not Redis).',
      labelNames: LARDER_METRICS.cacheItems.labels,
      registers,
      collect() {
        // Read at scrape time: nothing on the hot path. Modules sharing a name add up, like their counters.
        this.reset();
        for (const source of sources) this.inc({ cache: source.cache, tier: source.tier }, source.read());
      },
    });
    this.duration = new Histogram<Labels<'cacheDuration'>>({
      name: prefix + LARDER_METRICS.cacheDuration.name,
      help: 'Duration of cache operations that reached a store (L1 hits are not timed), in seconds.',
      labelNames: LARDER_METRICS.cacheDuration.labels,
      buckets: options.buckets,
      registers,
    });
    this.compression = new CompressionMetrics(Counter, prefix, registers);
    this.lockAcquired = counter('lockAcquired', 'Locks granted.');
    this.lockFailed = counter(
      'lockFailed',
      'Lock attempts that gave up: reason="held" (contention) or "error" (Redis failed).',
    );
    this.lockLost = counter(
      'lockLost',
      'Held locks lost before release, by reason (expired, extend-failed, not-held, shutdown).',
    );
    this.rateLimitRequests = counter(
      'rateLimitRequests',
      'Rate-limit checks per rule: result="allowed" or "blocked".',
    );
    this.sessionsCreated = counter('sessionsCreated', 'Sessions created (including by rotation).');
    this.sessionsDestroyed = counter(
      'sessionsDestroyed',
      'Sessions ended, by reason (destroy, rotate, destroy-all, evict).',
    );
    const breakers = this.breakerSources;
    this.breakerState = new Gauge<Labels<'breakerState'>>({
      name: prefix + LARDER_METRICS.breakerState.name,
      help: 'The Redis circuit breaker: 1 for the state it is in (closed, open, half-open), 0 for the others.',
      labelNames: LARDER_METRICS.breakerState.labels,
      registers,
      collect() {
        this.reset();
        for (const source of breakers) {
          const current = source.read();
          if (current === undefined) continue;
          for (const state of BREAKER_STATES)
            this.set({ cache: source.cache, state }, current === state ? 1 : 0);
        }
      },
    });
    this.breakerTransitions = counter(
      'breakerTransitions',
      'Changes of state of the Redis circuit breaker, by the state entered (open, half-open, closed).',
    );
  }

  /** Adds a module's breaker to the `breaker_state` gauge; returns how to remove it again. */
  addBreakerSource(source: BreakerSource): () => void {
    this.breakerSources.add(source);
    return () => this.breakerSources.delete(source);
  }

  /** Adds a cache to the `cache_items` gauge; returns how to remove it again. */
  addItemSource(source: ItemSource): () => void {
    this.itemSources.add(source);
    return () => this.itemSources.delete(source);
  }

  private isRegisteredIn(registry: MetricsRegistry): boolean {
    return (
      registry.getSingleMetric(this.options.prefix + LARDER_METRICS.cacheHits.name) === this.hits.counter
    );
  }

  private assertBuckets(buckets: number[]): void {
    const mine = this.options.buckets;
    if (buckets.length !== mine.length || buckets.some((b, i) => b !== mine[i])) {
      throw new InvalidOptionError(
        `Invalid Larder option "metrics.buckets": [${buckets.join(', ')}]. Another Larder module already registered ` +
          `this histogram in the same registry with [${mine.join(', ')}]; use the same buckets or another prefix.`,
      );
    }
  }
}

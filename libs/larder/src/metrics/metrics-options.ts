import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';
import { optionKeys } from '../common/known-keys';
import { HasMethods, invalidOption, validateOptions } from '../common/validate-options';
import { loadPromClient } from './load-prom-client';

/**
 * A prom-client `Registry` (`new Registry()` or prom-client's `register`), by the members Larder
 * uses. Larder's published types never import prom-client, an optional peer, so an app without
 * it still compiles with `skipLibCheck: false`.
 * @example CacheModule.forRoot({ metrics: { registry: new Registry() } })
 */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
  getSingleMetric(name: string): unknown;
  registerMetric(metric: object): void;
}

/**
 * The `metrics` option of `CacheModule.forRoot()`: Prometheus metrics through prom-client (an
 * optional peer dependency). Unset: off, and nothing subscribes to any event. Given: on (unless
 * `enabled: false`), in `registry` or prom-client's default registry.
 *
 * @example
 * const registry = new Registry();
 * CacheModule.forRoot({ redis: process.env.REDIS_URL, name: 'catalog', metrics: { registry } })
 * @example
 * CacheModule.forRoot({ metrics: { enabled: process.env.METRICS === 'on' } }) // default registry
 */
export interface MetricsModuleOptions {
  /** Default `true` once `metrics` is given; `false` turns metrics off (e.g. from configuration). */
  enabled?: boolean;
  /** Where the metrics are registered. Default: prom-client's global `register`. */
  registry?: MetricsRegistry;
  /** Prefix of every metric name. Default `'larder_'` (e.g. `larder_cache_hits_total`). */
  prefix?: string;
  /** Buckets of `<prefix>cache_operation_duration_seconds`, in seconds, strictly increasing. Default `DEFAULT_DURATION_BUCKETS`. */
  buckets?: number[];
}

/** Metrics options after validation; present only when metrics are on. */
export interface ResolvedMetricsOptions {
  registry: MetricsRegistry;
  prefix: string;
  buckets: number[];
}

/** The metrics slice (`LARDER_METRICS_OPTIONS`, `null` when off): the options and the cache name metric labels carry. */
export interface MetricsOptions extends ResolvedMetricsOptions {
  name: string;
}

/**
 * Default histogram buckets (seconds): from 100 µs (a loopback Redis round trip) to 2.5 s (well
 * past the default 1 s `commandTimeout`, so timeouts land in a bucket of their own).
 * @example CacheModule.forRoot({ metrics: { buckets: [...DEFAULT_DURATION_BUCKETS, 5] } })
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
]);

const METRICS_KEYS = optionKeys<MetricsModuleOptions>({
  enabled: true,
  registry: true,
  prefix: true,
  buckets: true,
});
const METRICS_PLACE = { subject: 'Larder option', path: 'metrics' };

/** The rules of the `metrics` option (see validateOptions); `buckets` is checked by hand. */
class MetricsOptionRules {
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional()
  @HasMethods(['metrics', 'registerMetric', 'getSingleMetric'], 'a prom-client Registry')
  registry?: MetricsRegistry;
  @IsOptional()
  @IsString()
  @Matches(/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/, {
    message: 'letters, digits, "_" or ":", not starting with a digit',
  })
  prefix?: string;
}

function resolveBuckets(buckets: unknown): number[] {
  if (buckets === undefined) return [...DEFAULT_DURATION_BUCKETS];
  const increasing =
    Array.isArray(buckets) &&
    buckets.length > 0 &&
    buckets.every(
      (b, i) => typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]),
    );
  if (!increasing) {
    throw invalidOption(
      METRICS_PLACE,
      'buckets',
      buckets,
      'a non-empty array of positive numbers of seconds, strictly increasing',
    );
  }
  return [...(buckets as number[])];
}

/**
 * Validates the `metrics` option once at boot; `undefined` means metrics are off.
 * @throws InvalidOptionError naming `metrics.<field>`, or `metrics` when prom-client is not installed
 * @example resolveMetricsOptions({ prefix: 'shop_' }) // { registry: <default>, prefix: 'shop_', buckets: [...] }
 */
export function resolveMetricsOptions(raw: unknown): ResolvedMetricsOptions | undefined {
  if (raw === undefined) return undefined;
  const options = validateOptions<MetricsModuleOptions>(MetricsOptionRules, raw, METRICS_KEYS, METRICS_PLACE);
  const prefix = options.prefix ?? 'larder_';
  const buckets = resolveBuckets(options.buckets);
  if (options.enabled === false) return undefined;
  // The metric classes come from prom-client even when the app brings its own registry.
  const promClient = loadPromClient();
  const registry = options.registry ?? promClient.register;
  return { registry, prefix, buckets };
}

import { IsBoolean, IsOptional, IsString, MinLength } from 'class-validator';
import { optionKeys } from '../common/known-keys';
import { invalidOption, validateOptions } from '../common/validate-options';
import { InvalidOptionError } from '../errors';
import { loadOtelApi } from './otel-api';

/**
 * The `tracing` option of `CacheModule.forRoot()`: OpenTelemetry spans around cache reads and
 * writes, `getOrSet` (its loader a child span), lock acquire/release, rate-limit checks and
 * session reads, through `@opentelemetry/api` (an optional peer dependency) and whatever tracer
 * provider the app registered. `true` is `{}`. Unset or `false`: off, and `@opentelemetry/api` is
 * never loaded. See docs/tracing.md.
 *
 * @example CacheModule.forRoot({ redis: process.env.REDIS_URL, tracing: true })
 * @example CacheModule.forRoot({ tracing: { tracerName: 'shop-cache', keys: process.env.NODE_ENV !== 'production' } })
 */
export interface TracingModuleOptions {
  /** Default `true` once `tracing` is an object; `false` turns tracing off (e.g. from configuration). */
  enabled?: boolean;
  /** The name of the tracer Larder asks the tracer provider for. Default `'@larder/nestjs'`. */
  tracerName?: string;
  /**
   * Record cache, lock and rate-limit keys (and namespace scopes) in `larder.key` / `larder.scope`.
   * Default `false`: keys often carry user data (ids, emails, IP addresses). Session ids are never recorded.
   */
  keys?: boolean;
}

/** The tracing slice (`LARDER_TRACING_OPTIONS`), `null` when tracing is off. */
export interface TracingOptions {
  tracerName: string;
  keys: boolean;
  /** Cache name (`name` option), in `larder.name`. */
  name: string;
  /** The module's `namespace` option, in `larder.namespace`. */
  namespace: string;
}

/** The tracer name when `tracerName` is unset: the package, as OpenTelemetry suggests for an instrumentation scope. */
export const DEFAULT_TRACER_NAME = '@larder/nestjs';

const TRACING_KEYS = optionKeys<TracingModuleOptions>({ enabled: true, tracerName: true, keys: true });
const TRACING_PLACE = { subject: 'Larder option', path: 'tracing' };

/** The rules of the `tracing` option (see validateOptions). */
class TracingOptionRules {
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsString() @MinLength(1, { message: 'a non-empty string' }) tracerName?: string;
  @IsOptional() @IsBoolean() keys?: boolean;
}

/**
 * Validates the `tracing` option once at boot and, when it is on, checks that
 * `@opentelemetry/api` can be loaded. Off (`undefined`, `false`, `enabled: false`) loads nothing.
 * @throws InvalidOptionError naming `tracing.<field>`, or `tracing` when @opentelemetry/api is not installed
 * @example resolveTracingOptions(true, { name: 'default', namespace: 'shop' })?.keys // false
 */
export function resolveTracingOptions(
  raw: unknown,
  shared: { name: string; namespace: string },
): TracingOptions | null {
  if (raw === undefined || raw === false) return null;
  if (raw !== true && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw invalidOption(
      { subject: 'Larder option' },
      'tracing',
      raw,
      'true, false or { enabled, tracerName, keys }',
    );
  }
  const options =
    raw === true
      ? {}
      : validateOptions<TracingModuleOptions>(TracingOptionRules, raw, TRACING_KEYS, TRACING_PLACE);
  if (options.enabled === false) return null;
  if (!loadOtelApi()) {
    throw new InvalidOptionError(
      'Invalid Larder option "tracing": tracing needs @opentelemetry/api. ' +
        'Install it (npm i @opentelemetry/api) with a tracer provider, or remove the option.',
    );
  }
  return {
    tracerName: options.tracerName ?? DEFAULT_TRACER_NAME,
    keys: options.keys ?? false,
    name: shared.name,
    namespace: shared.namespace,
  };
}

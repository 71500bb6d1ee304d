import { InvalidOptionError } from '../../errors';
import { parseDuration } from '../../common/duration';
import { describe } from '../../common/describe';
import { assertKnownKeys, optionKeys, type OptionKeys } from '../../common/known-keys';
import type { CacheableOptions, CacheEvictOptions, CachePutOptions } from './decorator-options';
import { TextSource } from './text-source';
import { policyOf } from '../resilience/load-policy';
import type { LoadPolicy, ResilienceOptions } from '../resilience/resilience-options';
import { compressionOf, type CompressionOptions } from '../compression/compression-options';

const NO_RESILIENCE: LoadPolicy = {
  grace: 0,
  failSafeThrottle: 1,
  soft: 0,
  hard: 0,
  refreshAhead: 0,
  lockWait: 0,
};

type Callback = (...args: unknown[]) => unknown;

/** Tags of a write or an eviction: templates over the arguments, or a user function. */
export type TagPlan = { templates: TextSource[] } | { fn: Callback };

/** A parsed `@Cacheable` or `@CachePut`. */
export interface WritePlan {
  readonly decorator: '@Cacheable' | '@CachePut';
  /** Unset: the default key (`ClassName.method:` + argument hash). */
  readonly key?: TextSource;
  readonly ttl?: number;
  readonly tags?: TagPlan;
  readonly condition?: Callback;
  readonly unless?: Callback;
  readonly namespace?: TextSource;
  /** Unset: the module's `resilience.grace`. */
  readonly grace?: number;
  /** The `@Cacheable` fields over the module's `resilience` defaults (checked when applied). */
  readonly resilience: ResilienceOptions;
  /** Unset: the module's `compression` (checked when applied; resolved per write). */
  readonly compression?: CompressionOptions | false;
}

/** A parsed `@CacheEvict`. */
export interface EvictPlan {
  readonly key?: TextSource;
  readonly tags?: TagPlan;
  readonly allEntries: boolean;
  readonly beforeInvocation: boolean;
  readonly condition?: Callback;
  readonly namespace?: TextSource;
}

/** `@CachePut` takes the fields of a write; the compiler checks this list against it. */
const PUT_FIELDS: { readonly [K in keyof Required<CachePutOptions>]: true } = {
  key: true,
  ttl: true,
  grace: true,
  tags: true,
  condition: true,
  unless: true,
  namespace: true,
  compression: true,
};

const DECORATOR_KEYS: Record<WritePlan['decorator'] | '@CacheEvict', OptionKeys> = {
  '@Cacheable': optionKeys<CacheableOptions>({
    ...PUT_FIELDS,
    failSafeThrottle: true,
    timeout: true,
    refreshAhead: true,
    lock: true,
  }),
  '@CachePut': optionKeys<CachePutOptions>(PUT_FIELDS),
  '@CacheEvict': optionKeys<CacheEvictOptions>({
    key: true,
    tags: true,
    allEntries: true,
    beforeInvocation: true,
    condition: true,
    namespace: true,
  }),
};

/** Reads a decorator's options object, refusing unknown fields (a typo must not silently do nothing). */
function fieldsOf(
  decorator: keyof typeof DECORATOR_KEYS,
  raw: unknown,
  where: string,
): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidOptionError(
      `Invalid ${decorator} options on ${where}: ${describe(raw)}. Expected an object.`,
    );
  }
  assertKnownKeys(raw, DECORATOR_KEYS[decorator], { subject: `${decorator} option`, where });
  return raw as Record<string, unknown>;
}

function callback(decorator: string, name: string, value: unknown, where: string): Callback | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    throw new InvalidOptionError(
      `Invalid ${decorator} option "${name}" on ${where}: ${describe(value)}. Expected a function.`,
    );
  }
  return value as Callback;
}

function flag(decorator: string, name: string, value: unknown, where: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(
      `Invalid ${decorator} option "${name}" on ${where}: ${describe(value)}. Expected true or false.`,
    );
  }
  return value;
}

function duration(
  decorator: string,
  name: string,
  value: unknown,
  where: string,
  allowZero: boolean,
): number | undefined {
  return value === undefined
    ? undefined
    : parseDuration(value, `${decorator} option "${name}" on ${where}`, { allowZero });
}

/** The resilience fields a decorator sets, checked now (against neutral defaults) so a bad one fails at start-up. */
function checkedResilience(decorator: string, o: Record<string, unknown>, where: string): ResilienceOptions {
  const fields = {
    grace: o.grace,
    failSafeThrottle: o.failSafeThrottle,
    timeout: o.timeout,
    refreshAhead: o.refreshAhead,
    lock: o.lock,
  } as ResilienceOptions;
  policyOf(fields, NO_RESILIENCE, { subject: `${decorator} option`, where });
  return fields;
}

function tagPlan(decorator: string, value: unknown, where: string): TagPlan | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return { fn: value as Callback };
  if (!Array.isArray(value)) {
    throw new InvalidOptionError(
      `Invalid ${decorator} option "tags" on ${where}: ${describe(value)}. Expected an array of templates or a function.`,
    );
  }
  return {
    templates: value.map((tag) => TextSource.from(tag, where, `${decorator} option "tags"`, 'tag', false)),
  };
}

function optionalText(
  decorator: string,
  name: string,
  value: unknown,
  where: string,
  allowFunction: boolean,
): TextSource | undefined {
  return value === undefined
    ? undefined
    : TextSource.from(value, where, `${decorator} option "${name}"`, name, allowFunction);
}

/**
 * Parses and checks `@Cacheable` / `@CachePut` options when the decorator is applied.
 * @throws InvalidOptionError naming the option and `Class.method`; InvalidKeyError for a bad template
 */
export function writePlan(decorator: WritePlan['decorator'], raw: unknown, where: string): WritePlan {
  const o = fieldsOf(decorator, raw, where);
  if (decorator === '@CachePut' && o.key === undefined) {
    throw new InvalidOptionError(
      `Missing @CachePut option "key" on ${where}: give the key of the entry this method refreshes.`,
    );
  }
  return {
    decorator,
    key: optionalText(decorator, 'key', o.key, where, true),
    ttl: duration(decorator, 'ttl', o.ttl, where, true),
    grace: duration(decorator, 'grace', o.grace, where, true),
    resilience: checkedResilience(decorator, o, where),
    tags: tagPlan(decorator, o.tags, where),
    condition: callback(decorator, 'condition', o.condition, where),
    unless: callback(decorator, 'unless', o.unless, where),
    namespace: optionalText(decorator, 'namespace', o.namespace, where, false),
    compression: checkedCompression(decorator, o.compression, where),
  };
}

function checkedCompression(decorator: string, value: unknown, where: string): WritePlan['compression'] {
  compressionOf(value, null, { subject: `${decorator} option`, path: 'compression', where });
  return value as WritePlan['compression'];
}

/**
 * Parses and checks `@CacheEvict` options when the decorator is applied.
 * @throws InvalidOptionError naming the option and `Class.method`; InvalidKeyError for a bad template
 */
export function evictPlan(raw: unknown, where: string): EvictPlan {
  const decorator = '@CacheEvict';
  const o = fieldsOf(decorator, raw, where);
  const plan: EvictPlan = {
    key: optionalText(decorator, 'key', o.key, where, true),
    tags: tagPlan(decorator, o.tags, where),
    allEntries: flag(decorator, 'allEntries', o.allEntries, where),
    beforeInvocation: flag(decorator, 'beforeInvocation', o.beforeInvocation, where),
    condition: callback(decorator, 'condition', o.condition, where),
    namespace: optionalText(decorator, 'namespace', o.namespace, where, false),
  };
  if (!plan.key && !plan.tags && !plan.allEntries) {
    throw new InvalidOptionError(
      `${decorator} on ${where} evicts nothing: give "key", "tags" or "allEntries: true".`,
    );
  }
  return plan;
}

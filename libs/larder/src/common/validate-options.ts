import 'reflect-metadata';
import { ValidateBy, validateSync, type ValidationOptions } from 'class-validator';
import { InvalidOptionError } from '../errors';
import { describe } from './describe';
import { DURATION_HELP, parseDuration } from './duration';
import { assertKnownKeys, type OptionKeys, type OptionPlace } from './known-keys';

/*
 * The one way options are validated. Each kind of options object is a class whose fields carry
 * class-validator decorators (plus the two below for durations and duck-typed objects), checked
 * by `validateOptions`: not an object, an unknown field (with the closest valid name) or the first
 * field that breaks a rule becomes one InvalidOptionError naming the field's full path, the value
 * and what is allowed. Checks too particular for a decorator (a Redis URL that must not be echoed,
 * a rule list) throw through `invalidOption`, so every message has the same shape.
 *
 * Module options are validated once, at boot. Per-call options on hot paths (acquire options,
 * a rate-limit rule given per call) keep their hand-written checks, for speed, with the same
 * messages: `assertKnownKeys`/`checkCallOptions` and `invalidOption`.
 */

/**
 * The error for a field that breaks a rule, in the one message shape:
 * `Invalid <subject> "<path>.<field>"[ on <where>]: <value>. Allowed: <allowed>.`
 * @example invalidOption({ subject: 'Larder option', path: 'lock' }, 'ttl', 0, '> 0') // Invalid Larder option "lock.ttl": 0. Allowed: > 0.
 */
export function invalidOption(
  place: OptionPlace,
  field: string,
  value: unknown,
  allowed: string,
): InvalidOptionError {
  const path = [place.path, field].filter(Boolean).join('.');
  const on = place.where ? ` on ${place.where}` : '';
  return new InvalidOptionError(
    `Invalid ${place.subject} "${path}"${on}: ${describe(value)}. Allowed: ${allowed}.`,
  );
}

/**
 * Validates one options object against its class and returns it typed: refuses a non-object
 * (`null`, a string, an array), then a field `known` does not list (naming the closest valid one),
 * then the first field that breaks one of the class's rules. Nothing is converted: durations and
 * defaults are the caller's to resolve once the object is known to be valid.
 * @throws InvalidOptionError naming the full path of the field (`lock.ttl`, `session.cookie.name`)
 * @example const lock = validateOptions(LockOptionRules, raw, LOCK_KEYS, { subject: 'Larder option', path: 'lock' });
 */
export function validateOptions<T extends object>(
  rules: new () => object,
  value: unknown,
  known: OptionKeys,
  place: OptionPlace,
): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption({ ...place, path: '' }, place.path ?? '', value, `an object { ${known.list()} }`);
  }
  assertKnownKeys(value, known, place);
  applyRules(rules, value, place);
  return value as T;
}

/**
 * The rules part of `validateOptions` alone, for fields that sit in a larger object whose shape is
 * checked elsewhere (the top-level module options, which every capability reads a part of).
 * @throws InvalidOptionError naming the first field that breaks a rule
 * @example applyRules(SharedOptionRules, options, { subject: 'Larder option' })
 */
export function applyRules(rules: new () => object, value: object, place: OptionPlace): void {
  const [first] = validateSync(Object.assign(new rules(), value), { forbidUnknownValues: false });
  if (first) {
    const allowed = Object.values(first.constraints ?? {}).join('; ');
    throw invalidOption(place, first.property, first.value, allowed);
  }
}

/**
 * A field holding a duration (`Duration`: milliseconds or `'30s'`-style), checked by parseDuration.
 * @example class LockRules { @IsOptional() @IsDuration() ttl?: Duration; @IsOptional() @IsDuration({ allowZero: true }) wait?: Duration }
 */
export function IsDuration(
  opts: { allowZero?: boolean } = {},
  options?: ValidationOptions,
): PropertyDecorator {
  const bound = opts.allowZero ? '>= 0' : '> 0';
  return ValidateBy(
    {
      name: 'isDuration',
      validator: {
        validate(value: unknown): boolean {
          try {
            parseDuration(value, 'duration', opts);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: () => `${DURATION_HELP}, ${bound}`,
      },
    },
    options,
  );
}

/**
 * A field holding an object recognised by its methods (a store, a serializer, a registry): any
 * object or function that has every one of `methods`.
 * @example class CacheRules { @IsOptional() @HasMethods(['get', 'set', 'delete'], 'a Keyv store') store?: unknown }
 */
export function HasMethods(methods: string[], what: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasMethods',
      validator: {
        validate(value: unknown): boolean {
          if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
          const record = value as Record<string, unknown>;
          return methods.every((method) => typeof record[method] === 'function');
        },
        defaultMessage: () => what,
      },
    },
    options,
  );
}

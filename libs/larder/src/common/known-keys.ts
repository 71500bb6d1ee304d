import { InvalidArgumentError, InvalidOptionError } from '../errors';
import { closestName } from './closest-name';
import { describe } from './describe';

/**
 * The field names one kind of options object accepts, built once per kind (see `optionKeys`).
 * A misspelt field must fail loudly: read as `undefined`, it would silently become a default.
 * Plain functions, independent of class-validator, so a custom validation decorator can use
 * `findUnknown` and `unknownOptionError` for the same check and the same message.
 *
 * @example new OptionKeys(['ttl', 'wait']).findUnknown({ tll: 5 }) // 'tll'
 */
export class OptionKeys {
  private readonly names: ReadonlySet<string>;

  constructor(
    names: Iterable<string>,
    /** Names from other libraries that mean one of ours, e.g. throttler's `ttl` for a rule's `window`. */
    private readonly aliases: Readonly<Record<string, string>> = {},
  ) {
    this.names = new Set(names);
  }

  /** Whether `name` is a field of this kind of options object. */
  has(name: string): boolean {
    return this.names.has(name);
  }

  /** The first enumerable key of `options` that is not a field, or undefined. No allocation when all are. */
  findUnknown(options: object): string | undefined {
    for (const key in options) if (!this.names.has(key)) return key;
    return undefined;
  }

  /** The field `name` was probably meant to be: a known alias, else the closest by edit distance. */
  suggest(name: string): string | undefined {
    return Object.hasOwn(this.aliases, name) ? this.aliases[name] : closestName(name, this.names);
  }

  /** The fields, comma-separated, for messages. */
  list(): string {
    return [...this.names].join(', ');
  }
}

/**
 * The fields of the options type `T`, listed once at module load. The compiler checks that the
 * list names every field of `T` and nothing else, so a field added to the interface cannot be
 * forgotten here (and then refused as unknown).
 *
 * @example const LOCK_KEYS = optionKeys<LockModuleOptions>({ ttl: true, wait: true, retryDelay: true });
 * @example optionKeys<RateLimitRule>({ ... }, { ttl: 'window' }) // suggests "window" for throttler's "ttl"
 */
export function optionKeys<T extends object>(
  fields: { readonly [K in keyof Required<T>]: true },
  aliases: Readonly<Record<string, keyof T & string>> = {},
): OptionKeys {
  return new OptionKeys(Object.keys(fields), aliases);
}

/**
 * Where an options object sits, for messages: `subject` says what kind of option it is
 * (`'Larder option'`, `'LockService.acquire() option'`), `path` where the object is inside it
 * (`'lock'`, `'rateLimit.rules[2]'`; empty at the top), `where` the code it is attached to
 * (`'Catalog.find'` for decorator options).
 */
export interface OptionPlace {
  subject: string;
  path?: string;
  where?: string;
}

/**
 * The error for an unknown field: names its full path and, when one is close, the field it resembles.
 * @example unknownOptionError('tll', LOCK_KEYS, { subject: 'Larder option', path: 'lock' }).message
 * // 'Unknown Larder option "lock.tll". Did you mean "lock.ttl"? Allowed: ttl, wait, retryDelay.'
 */
export function unknownOptionError(key: string, known: OptionKeys, place: OptionPlace): InvalidOptionError {
  const at = (name: string) => (place.path ? `${place.path}.${name}` : name);
  const suggestion = known.suggest(key);
  const on = place.where ? ` on ${place.where}` : '';
  const hint = suggestion === undefined ? '' : ` Did you mean "${at(suggestion)}"?`;
  return new InvalidOptionError(
    `Unknown ${place.subject} "${at(key)}"${on}.${hint} Allowed: ${known.list()}.`,
  );
}

/**
 * Refuses an options object with a field `known` does not list. Cheap enough for per-call options
 * on hot paths: one for-in over the object, nothing allocated unless a field is unknown.
 * @throws InvalidOptionError (`E_INVALID_OPTION`) naming the field's full path and the closest valid name
 * @example assertKnownKeys(options, ACQUIRE_KEYS, ACQUIRE_PLACE) // Unknown LockService.acquire() option "tll". Did you mean "ttl"? ...
 */
export function assertKnownKeys(options: object, known: OptionKeys, place: OptionPlace): void {
  const key = known.findUnknown(options);
  if (key !== undefined) throw unknownOptionError(key, known, place);
}

/**
 * Refuses anything but a plain options object (`null`, `undefined`, a string, an array).
 * @throws InvalidOptionError naming `what`
 * @example assertOptionsObject(options, 'CacheModule.forRoot()', 'an object')
 */
export function assertOptionsObject(value: unknown, what: string, expected: string): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(`Invalid ${what} options: ${describe(value)}. Expected ${expected}.`);
  }
}

/**
 * Checks a per-call options argument: an object (`InvalidArgumentError` otherwise, as for any bad
 * argument) with only known fields (`InvalidOptionError` naming the unknown one).
 * @example checkCallOptions(options, ACQUIRE_KEYS, ACQUIRE_PLACE, '{ ttl?, wait?, retryDelay?, owner?, autoExtend? }')
 */
export function checkCallOptions(
  options: unknown,
  known: OptionKeys,
  place: OptionPlace,
  expected: string,
): asserts options is object {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`Invalid options: ${describe(options)}. Expected ${expected}.`);
  }
  assertKnownKeys(options, known, place);
}

import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { jsonSerializer, type Serializer } from './serializer';
import { HasMethods, applyRules } from './validate-options';

const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)*$/;

/**
 * The module options every capability reads: where keys live, what the module is called, how long
 * a key may be and how values are encoded. Part of `LarderModuleOptions`.
 */
export interface SharedModuleOptions {
  /** Prefix of every key Larder writes; `clear()` removes only this namespace. Default `'larder'`. */
  namespace?: string;
  /** Name of this cache in events and metric labels. Default `'default'`. */
  name?: string;
  /** Longest accepted cache key (and lock key and owner), in characters. Default 1024. */
  maxKeyLength?: number;
  /** How values are encoded for the value store (and session data). Default: strict JSON (`jsonSerializer`). */
  serializer?: Serializer;
}

/** `SharedModuleOptions` after validation, with defaults; each capability's slice carries the part it uses. */
export interface SharedOptions {
  namespace: string;
  name: string;
  maxKeyLength: number;
  serializer: Serializer;
}

/** The rules of the shared fields (see validateOptions). */
class SharedOptionRules {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(NAMESPACE_PATTERN, {
    message: 'must be letters, digits, "_", "." or "-", in segments separated by single ":"',
  })
  namespace?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'must be letters, digits, "_", "." or "-"' })
  name?: string;

  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxKeyLength?: number;

  @IsOptional()
  @HasMethods(
    ['serialize', 'deserialize'],
    'an object with serialize(value) => string and deserialize(string) => value',
  )
  serializer?: Serializer;
}

/**
 * Validates the shared fields of the module options (whose other fields are not looked at) and
 * fills in defaults.
 * @throws InvalidOptionError naming the field
 * @example resolveSharedOptions({ namespace: 'shop' }) // { namespace: 'shop', name: 'default', maxKeyLength: 1024, serializer: jsonSerializer }
 */
export function resolveSharedOptions(options: SharedModuleOptions): SharedOptions {
  applyRules(SharedOptionRules, options, { subject: 'Larder option' });
  return {
    namespace: options.namespace ?? 'larder',
    name: options.name ?? 'default',
    maxKeyLength: options.maxKeyLength ?? 1024,
    serializer: options.serializer ?? jsonSerializer,
  };
}

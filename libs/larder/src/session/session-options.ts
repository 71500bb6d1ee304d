import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  validateSync,
} from 'class-validator';
import { InvalidOptionError } from '../errors';
import { parseDuration, parseOptionalDuration, type Duration } from '../common/duration';
import { describe } from '../common/describe';
import { assertKnownKeys, optionKeys } from '../common/known-keys';

const DAY = 86_400_000;

/** SameSite attribute of the session cookie. */
export type SessionSameSite = 'lax' | 'strict' | 'none';

/**
 * The session cookie `SessionService.cookieHeader()` writes and `SessionGuard` reads.
 *
 * @example
 * CacheModule.forRoot({ session: { cookie: { name: 'sid', domain: 'example.com' } } })
 */
export interface SessionCookieOptions {
  /** Cookie name. Default `'larder.sid'`. */
  name?: string;
  /** Send the cookie over HTTPS only. Default: true unless `NODE_ENV` is `'development'`. */
  secure?: boolean;
  /** Default `'lax'`. `'none'` requires `secure: true` (browsers drop it otherwise). */
  sameSite?: SessionSameSite;
  /** Default `'/'`. */
  path?: string;
  /** Default: none (host-only cookie). */
  domain?: string;
}

/**
 * The `session` option of `CacheModule.forRoot()`, validated at boot.
 *
 * @example
 * CacheModule.forRoot({ redis: process.env.REDIS_URL, session: { ttl: '30m', rolling: true, maxLifetime: '7d', maxPerUser: 5 } })
 */
export interface SessionModuleOptions {
  /** Idle lifetime of a session. Default `'1d'` (or `maxLifetime`, if shorter). */
  ttl?: Duration;
  /** Every `get` (and `update`) extends the idle lifetime, up to `maxLifetime`. Default false. */
  rolling?: boolean;
  /** Absolute lifetime from creation that nothing extends. Default `'30d'` (or `ttl`, if longer). Must be >= `ttl`. */
  maxLifetime?: Duration;
  /** Most live sessions per user; creating one more ends the oldest. Default: no limit. */
  maxPerUser?: number;
  /** Accept `Authorization: Bearer <id>` in `SessionGuard` when no cookie is sent. Default true. */
  bearer?: boolean;
  cookie?: SessionCookieOptions;
}

/** Session options after validation; durations in milliseconds. */
export interface ResolvedSessionOptions {
  ttl: number;
  rolling: boolean;
  maxLifetime: number;
  /** 0 = no limit. */
  maxPerUser: number;
  bearer: boolean;
  cookie: { name: string; secure: boolean; sameSite: SessionSameSite; path: string; domain?: string };
}

// RFC 6265 token characters for the name; path and domain must not break out of their attribute.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ATTRIBUTE_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/;

const SESSION_KEYS = optionKeys<SessionModuleOptions>({
  ttl: true,
  rolling: true,
  maxLifetime: true,
  maxPerUser: true,
  bearer: true,
  cookie: true,
});
const COOKIE_KEYS = optionKeys<SessionCookieOptions>({
  name: true,
  secure: true,
  sameSite: true,
  path: true,
  domain: true,
});

class SessionScalars {
  @IsOptional() @IsBoolean() rolling?: boolean;
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxPerUser?: number;
  @IsOptional() @IsBoolean() bearer?: boolean;
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(COOKIE_NAME, { message: "must be a cookie token (letters, digits, !#$%&'*+-.^_`|~)" })
  'cookie.name'?: string;
  @IsOptional() @IsBoolean() 'cookie.secure'?: boolean;
  @IsOptional() @IsIn(['lax', 'strict', 'none']) 'cookie.sameSite'?: string;
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @Matches(ATTRIBUTE_VALUE, { message: 'must be printable ASCII without ";" or spaces' })
  'cookie.path'?: string;
  @IsOptional()
  @IsString()
  @MaxLength(253)
  @Matches(ATTRIBUTE_VALUE, { message: 'must be printable ASCII without ";" or spaces' })
  'cookie.domain'?: string;
}

function fail(field: string, value: unknown, allowed: string): never {
  throw new InvalidOptionError(
    `Invalid Larder option "session.${field}": ${describe(value)}. Allowed: ${allowed}.`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates the `session` module option and fills in defaults.
 * @throws InvalidOptionError naming the field as `session.<field>` (also an unknown one)
 * @example resolveSessionOptions({ ttl: '30m', rolling: true }).ttl // 1_800_000
 */
export function resolveSessionOptions(raw: SessionModuleOptions | undefined): ResolvedSessionOptions {
  if (raw !== undefined && !isPlainObject(raw)) {
    throw new InvalidOptionError(`Invalid Larder option "session": ${describe(raw)}. Allowed: an object.`);
  }
  const options: SessionModuleOptions = raw ?? {};
  assertKnownKeys(options, SESSION_KEYS, { subject: 'Larder option', path: 'session' });
  if (options.cookie !== undefined && !isPlainObject(options.cookie))
    fail('cookie', options.cookie, 'an object');
  const cookie: SessionCookieOptions = options.cookie ?? {};
  assertKnownKeys(cookie, COOKIE_KEYS, { subject: 'Larder option', path: 'session.cookie' });
  const scalars = plainToInstance(SessionScalars, {
    rolling: options.rolling,
    maxPerUser: options.maxPerUser,
    bearer: options.bearer,
    'cookie.name': cookie.name,
    'cookie.secure': cookie.secure,
    'cookie.sameSite': cookie.sameSite,
    'cookie.path': cookie.path,
    'cookie.domain': cookie.domain,
  });
  const [first] = validateSync(scalars, { forbidUnknownValues: false });
  if (first) fail(first.property, first.value, Object.values(first.constraints ?? {}).join('; '));

  // Each default yields to the other option when only that one is given, so { maxLifetime: '1h' } alone is valid.
  const explicitMax = parseOptionalDuration(options.maxLifetime, 'Larder option "session.maxLifetime"');
  const ttl = parseDuration(options.ttl ?? Math.min(DAY, explicitMax ?? DAY), 'Larder option "session.ttl"');
  const maxLifetime = explicitMax ?? Math.max(ttl, 30 * DAY);
  if (maxLifetime < ttl) fail('maxLifetime', options.maxLifetime, `a duration >= session.ttl (${ttl}ms)`);
  const secure = cookie.secure ?? process.env.NODE_ENV !== 'development';
  const sameSite = (cookie.sameSite ?? 'lax') as SessionSameSite;
  if (sameSite === 'none' && !secure)
    fail('cookie.sameSite', sameSite, '"none" only with cookie.secure: true');
  return {
    ttl,
    rolling: options.rolling ?? false,
    maxLifetime,
    maxPerUser: options.maxPerUser ?? 0,
    bearer: options.bearer ?? true,
    cookie: {
      name: cookie.name ?? 'larder.sid',
      secure,
      sameSite,
      path: cookie.path ?? '/',
      domain: cookie.domain,
    },
  };
}

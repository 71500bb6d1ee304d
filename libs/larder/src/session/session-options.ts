import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { parseDuration, parseOptionalDuration, type Duration } from '../common/duration';
import type { Serializer } from '../common/serializer';
import { optionKeys } from '../common/known-keys';
import { HasMethods, IsDuration, invalidOption, validateOptions } from '../common/validate-options';
import type { SessionStore } from './session-store';

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
  /**
   * Where sessions live instead of Redis (or memory without Redis): any `SessionStore`. It is the
   * application's: Larder never closes it. See docs/architecture.md, "Providing your own store".
   */
  store?: SessionStore;
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
  store?: SessionStore;
}

/** The session slice (`LARDER_SESSION_OPTIONS`): `session` after validation, the namespace and the serializer of session data. */
export interface SessionOptions extends ResolvedSessionOptions {
  namespace: string;
  serializer: Serializer;
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
  store: true,
});
const COOKIE_KEYS = optionKeys<SessionCookieOptions>({
  name: true,
  secure: true,
  sameSite: true,
  path: true,
  domain: true,
});

/** The rules of the `session` option (see validateOptions); `cookie` has its own. */
class SessionOptionRules {
  @IsOptional() @IsDuration() ttl?: Duration;
  @IsOptional() @IsBoolean() rolling?: boolean;
  @IsOptional() @IsDuration() maxLifetime?: Duration;
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) maxPerUser?: number;
  @IsOptional() @IsBoolean() bearer?: boolean;
  @IsOptional()
  @HasMethods(
    ['write', 'read', 'update', 'touch', 'destroy', 'list', 'destroyAll'],
    'a SessionStore (write, read, update, touch, destroy, list, destroyAll)',
  )
  store?: SessionStore;
}

/** The rules of `session.cookie`. */
class CookieOptionRules {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(COOKIE_NAME, { message: "must be a cookie token (letters, digits, !#$%&'*+-.^_`|~)" })
  name?: string;
  @IsOptional() @IsBoolean() secure?: boolean;
  @IsOptional() @IsIn(['lax', 'strict', 'none']) sameSite?: string;
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @Matches(ATTRIBUTE_VALUE, { message: 'must be printable ASCII without ";" or spaces' })
  path?: string;
  @IsOptional()
  @IsString()
  @MaxLength(253)
  @Matches(ATTRIBUTE_VALUE, { message: 'must be printable ASCII without ";" or spaces' })
  domain?: string;
}

const SESSION_PLACE = { subject: 'Larder option', path: 'session' };
const COOKIE_PLACE = { subject: 'Larder option', path: 'session.cookie' };

/**
 * Validates the `session` module option and fills in defaults.
 * @throws InvalidOptionError naming the field as `session.<field>` (also an unknown one)
 * @example resolveSessionOptions({ ttl: '30m', rolling: true }).ttl // 1_800_000
 */
export function resolveSessionOptions(raw: SessionModuleOptions | undefined): ResolvedSessionOptions {
  const options = validateOptions<SessionModuleOptions>(
    SessionOptionRules,
    raw === undefined ? {} : raw,
    SESSION_KEYS,
    SESSION_PLACE,
  );
  const cookie = validateOptions<SessionCookieOptions>(
    CookieOptionRules,
    options.cookie === undefined ? {} : options.cookie,
    COOKIE_KEYS,
    COOKIE_PLACE,
  );
  // Each default yields to the other option when only that one is given, so { maxLifetime: '1h' } alone is valid.
  const explicitMax = parseOptionalDuration(options.maxLifetime, 'session.maxLifetime');
  const ttl = parseDuration(options.ttl ?? Math.min(DAY, explicitMax ?? DAY), 'session.ttl');
  const maxLifetime = explicitMax ?? Math.max(ttl, 30 * DAY);
  if (maxLifetime < ttl) {
    throw invalidOption(
      SESSION_PLACE,
      'maxLifetime',
      options.maxLifetime,
      `a duration >= session.ttl (${ttl}ms)`,
    );
  }
  const secure = cookie.secure ?? process.env.NODE_ENV !== 'development';
  const sameSite = (cookie.sameSite ?? 'lax') as SessionSameSite;
  if (sameSite === 'none' && !secure) {
    throw invalidOption(COOKIE_PLACE, 'sameSite', sameSite, '"none" only with cookie.secure: true');
  }
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
    store: options.store,
  };
}

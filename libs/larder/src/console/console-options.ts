import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { optionKeys } from '../common/known-keys';
import { invalidOption, validateOptions } from '../common/validate-options';

/**
 * Decides whether a request may open the console, like a Nest guard. Given the adapter's request
 * (Express `Request`, Fastify `FastifyRequest`) after the app's own middleware (so `req.user` set
 * by passport and the like is there). Anything but `true` (or a throw) is a 401.
 * @example const guard: ConsoleGuard = (req) => (req as { user?: { role?: string } }).user?.role === 'admin';
 */
export type ConsoleGuardFunction = (request: unknown) => boolean | Promise<boolean>;

/**
 * A Nest guard instance (`CanActivate`); it is called with an HTTP `ExecutionContext` whose
 * request is the adapter's request.
 * @example CacheModule.forRoot({ console: { guard: new AdminGuard(jwt) } })
 */
export interface ConsoleGuardObject {
  canActivate(context: never): boolean | Promise<boolean> | { subscribe: unknown };
}

/** What the `console.guard` option accepts: a function of the request, or a Nest guard instance. */
export type ConsoleGuard = ConsoleGuardFunction | ConsoleGuardObject;

/**
 * The `console` option of `CacheModule.forRoot()`: a live page of what Larder does (cache events,
 * hit ratio and ops/s, L1 items, locks held, rate-limit blocks, sessions per user, connection
 * state), served by the app itself. Off unless given; when on, every request needs the `token` or
 * passes the `guard` (401 otherwise). Values are never shown unless `showValues`; session ids and
 * lock tokens never are. See docs/console.md.
 *
 * @example
 * CacheModule.forRoot({ console: { token: process.env.LARDER_CONSOLE_TOKEN } }) // http://host/_larder?token=...
 * @example
 * CacheModule.forRoot({ console: { path: '/ops/larder', guard: (req) => isAdmin(req), showValues: true } })
 */
export interface ConsoleModuleOptions {
  /** Default `true` once `console` is given; `false` turns it off (e.g. from configuration). */
  enabled?: boolean;
  /** Where the page is served, an absolute path (not under a global prefix). Default `'/_larder'`. */
  path?: string;
  /** A shared secret (at least 16 characters) a request must carry: `?token=` once, then a cookie, or `Authorization: Bearer`. */
  token?: string;
  /** Who may open the console, instead of or besides a token (either one lets a request in). */
  guard?: ConsoleGuard;
  /** Show L1 values (truncated) in the page. Default `false`: keys, sizes and times only. */
  showValues?: boolean;
  /** How many recent events the server keeps (replayed to a new page), and how far a slow page may fall behind before events are dropped for it. Default 500. */
  bufferSize?: number;
}

/** The console slice (`LARDER_CONSOLE_OPTIONS`), `null` when the console is off. */
export interface ConsoleOptions {
  path: string;
  token?: string;
  guard?: ConsoleGuard;
  showValues: boolean;
  bufferSize: number;
  /** Cache name (`name` option), shown in the page title. */
  name: string;
}

const CONSOLE_KEYS = optionKeys<ConsoleModuleOptions>({
  enabled: true,
  path: true,
  token: true,
  guard: true,
  showValues: true,
  bufferSize: true,
});
const CONSOLE_PLACE = { subject: 'Larder option', path: 'console' };

/** The rules of the `console` option (see validateOptions); `guard` is checked by hand. */
class ConsoleOptionRules {
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional()
  @IsString()
  @Matches(/^(\/[A-Za-z0-9._~-]+)+$/, {
    message:
      'an absolute path such as "/_larder" (letters, digits, "._~-" between slashes, no trailing slash)',
  })
  path?: string;
  @IsOptional()
  @IsString()
  @MinLength(16, {
    message: 'a string of at least 16 characters (e.g. randomBytes(24).toString("base64url"))',
  })
  token?: string;
  @IsOptional() @IsBoolean() showValues?: boolean;
  @IsOptional() @IsInt() @Min(10) @Max(100_000) bufferSize?: number;
}

function isGuard(value: unknown): value is ConsoleGuard {
  if (typeof value === 'function') return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { canActivate?: unknown }).canActivate === 'function'
  );
}

/**
 * Validates the `console` option once at boot; `undefined` (or `enabled: false`) means off.
 * @throws InvalidOptionError naming `console.<field>`, or `console` when neither `token` nor `guard` is given
 * @example resolveConsoleOptions({ token: 'a-long-random-token' }, 'demo').path // '/_larder'
 */
export function resolveConsoleOptions(raw: unknown, name: string): ConsoleOptions | null {
  if (raw === undefined) return null;
  const options = validateOptions<ConsoleModuleOptions>(ConsoleOptionRules, raw, CONSOLE_KEYS, CONSOLE_PLACE);
  if (options.guard !== undefined && !isGuard(options.guard)) {
    throw invalidOption(
      CONSOLE_PLACE,
      'guard',
      options.guard,
      'a function (request) => boolean | Promise<boolean>, or a Nest guard (an object with canActivate)',
    );
  }
  if (options.enabled === false) return null;
  if (options.token === undefined && options.guard === undefined) {
    // An open console would show every key the app touches to anyone who finds the path.
    throw invalidOption(
      { subject: 'Larder option', path: '' },
      'console',
      options,
      'an object with a "token" or a "guard" (the console is never served unprotected)',
    );
  }
  return {
    path: options.path ?? '/_larder',
    token: options.token,
    guard: options.guard,
    showValues: options.showValues ?? false,
    bufferSize: options.bufferSize ?? 500,
    name,
  };
}

import type { ExecutionContext } from '@nestjs/common';
import { isIPv6 } from 'node:net';
import type { RateLimitBy } from './rate-limit.types';

/** The parts of an Express or Fastify request this file reads. */
interface HttpRequestLike {
  ip?: string;
  socket?: { remoteAddress?: string };
  raw?: { socket?: { remoteAddress?: string } };
  user?: { id?: unknown } | null;
}

/**
 * The client ip as the framework resolved it: Express `req.ip` (honours `app.set('trust proxy', ...)`),
 * Fastify `request.ip` (honours `new FastifyAdapter({ trustProxy })`). X-Forwarded-For is never
 * read here: only the framework knows which proxies are trusted.
 */
export function clientIp(request: HttpRequestLike): string {
  return request.ip ?? request.socket?.remoteAddress ?? request.raw?.socket?.remoteAddress ?? 'unknown';
}

/**
 * The address a budget is counted against. An IPv6 client usually holds a whole /64 and could
 * pick a fresh address per request, so IPv6 addresses count per /64 network; an IPv4-mapped
 * IPv6 address (`::ffff:1.2.3.4`) counts as the IPv4 address it is.
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  const address = ip.split('%')[0];
  if (!isIPv6(address)) return ip;
  const [head, tail] = address.toLowerCase().split('::');
  const first = head ? head.split(':') : [];
  const last = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? first : [...first, ...Array(8 - first.length - last.length).fill('0'), ...last];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** The client key of `by: 'ip'`, and of every request without a usable key of another kind. */
export function ipKey(request: HttpRequestLike): string {
  return `ip:${ipBucket(clientIp(request))}`;
}

/** `undefined`, `null` and `''`: the request has no key of this kind (anonymous, header absent). */
function absent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** A usable key part: a non-empty string or a finite number. */
function usable(value: unknown): value is string | number {
  return (
    (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * Who the request's user is when `req.user.id` is unset: a user id, or undefined for none. Larder
 * provides one that reads its own session (cookie or bearer), so `by: 'user'` needs no auth
 * library; override `LARDER_RATE_LIMIT_USER` to bring your own. It must not throw for a bad
 * request, and its failure counts the request against its ip.
 * @example const resolver: RateLimitUserResolver = (req) => (req as { tenant?: { ownerId?: string } }).tenant?.ownerId;
 */
export type RateLimitUserResolver = (request: object) => unknown;

/**
 * Called when `by` (or `req.user.id`) gives something that is neither a key nor "no key": an
 * object, an array, a boolean... The request still counts (against its ip); the caller reports it.
 */
export type UnusableKeyReporter = (received: string) => void;

/** `req.user.id` (passport and the like), else the resolver's user; a failing resolver gives none. */
async function userId(request: HttpRequestLike, userOf: RateLimitUserResolver | undefined): Promise<unknown> {
  const own = request.user?.id;
  if (!absent(own) || !userOf) return own;
  try {
    return await userOf(request);
  } catch {
    return undefined;
  }
}

/**
 * The client key of one rule for one request: `ip:<ip or IPv6 /64>`, `user:<id>` or `key:<value>`. The prefix
 * keeps the spaces apart (a user id can never count against an ip's budget). A missing user or an
 * empty custom key falls back to the ip, so it can never lift a limit. A value of the wrong type
 * (a `by` returning `req.query.key`, which is an array for `?key=a&key=b`) falls back to the ip
 * too, and is reported: it is a bug in `by`, but the value may come from the request, so it must
 * never fail the request. Any length is fine: the key is hashed before it is stored.
 */
export async function clientKey(
  by: RateLimitBy,
  context: ExecutionContext,
  request: HttpRequestLike,
  reportUnusable?: UnusableKeyReporter,
  userOf?: RateLimitUserResolver,
): Promise<string> {
  if (by === 'user' || typeof by === 'function') {
    const value: unknown = by === 'user' ? await userId(request, userOf) : await by(context);
    if (usable(value)) return `${by === 'user' ? 'user' : 'key'}:${value}`;
    if (!absent(value)) reportUnusable?.(Array.isArray(value) ? 'an array' : typeof value);
  }
  return ipKey(request);
}

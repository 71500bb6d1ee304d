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

function present(value: unknown): value is string | number {
  return (
    (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * The client key of one rule for one request: `ip:<ip or IPv6 /64>`, `user:<id>` or `key:<value>`. The prefix
 * keeps the spaces apart (a user id can never count against an ip's budget); a missing user or an
 * empty custom key falls back to the ip, so it can never lift a limit.
 */
export async function clientKey(
  by: RateLimitBy,
  context: ExecutionContext,
  request: HttpRequestLike,
): Promise<string> {
  if (by === 'user') {
    const id = request.user?.id;
    if (present(id)) return `user:${id}`;
  } else if (typeof by === 'function') {
    const value = await by(context);
    if (present(value)) return `key:${value}`;
  }
  return `ip:${ipBucket(clientIp(request))}`;
}

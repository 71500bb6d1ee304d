import type { SessionSameSite } from '../session-options';

/** Request headers as Express and Fastify expose them. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/**
 * The value of cookie `name` in a `Cookie` request header (RFC 6265 syntax: `a=1; b="2"`), or
 * undefined. Values are percent-decoded; a value that cannot be decoded is returned as sent.
 * Written here rather than pulling in cookie-parser: the guard needs one cookie, read-only.
 * @example readCookie('theme=dark; larder.sid=abc', 'larder.sid') // 'abc'
 */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * The token of an `Authorization: Bearer <token>` header, or undefined.
 * @example readBearer('Bearer abc') // 'abc'
 */
export function readBearer(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  const match = text ? /^Bearer[ \t]+([^\s,]+)[ \t]*$/i.exec(text) : null;
  return match?.[1];
}

/** Attributes of a Set-Cookie header written by `serializeCookie`. */
export interface CookieAttributes {
  path: string;
  domain?: string;
  secure: boolean;
  sameSite: SessionSameSite;
  /** Absolute expiry; omitted for a browser-session cookie. */
  expires?: Date;
  /** Seconds; 0 deletes the cookie. */
  maxAge?: number;
}

const SAME_SITE: Record<SessionSameSite, string> = { lax: 'Lax', strict: 'Strict', none: 'None' };

/**
 * A `Set-Cookie` header value, always `HttpOnly` (scripts have no business reading a session id).
 * @example serializeCookie('sid', id, { path: '/', secure: true, sameSite: 'lax' })
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${attributes.path}`];
  if (attributes.domain) parts.push(`Domain=${attributes.domain}`);
  if (attributes.expires) parts.push(`Expires=${attributes.expires.toUTCString()}`);
  if (attributes.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`);
  parts.push('HttpOnly', `SameSite=${SAME_SITE[attributes.sameSite]}`);
  if (attributes.secure) parts.push('Secure');
  return parts.join('; ');
}

import { hash } from 'node:crypto';

/**
 * What the console may show of the values it sees. Session ids and lock tokens are credentials
 * (a session id logs in as its user, a lock owner releases the lock from anywhere), so they never
 * leave the process: a key carrying a session-id-shaped part shows it masked, and tokens, owners
 * and session handles are shown as short fingerprints that only tell two apart.
 */

/** A session id (`newSessionId`: 43 base64url characters) standing on its own inside a key. */
const SESSION_ID_IN_TEXT = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/** What replaces a session-id-shaped part of a key. */
export const REDACTED = '[redacted]';

/** Longest value preview the page receives when `showValues` is on. */
const PREVIEW_CHARS = 200;

/**
 * `key` with anything shaped like a session id masked.
 * @example redactKey('sess:q3X9...43 chars...') // 'sess:[redacted]'
 */
export function redactKey(key: string): string {
  return key.length < 43 ? key : key.replace(SESSION_ID_IN_TEXT, REDACTED);
}

/**
 * A short, stable, one-way fingerprint of a secret (8 hex characters of SHA-256): equal for equal
 * secrets, useless for recovering them.
 * @example fingerprint(lock.token) // 'a41f09c2'
 */
export function fingerprint(secret: string): string {
  return hash('sha256', `larder-console:${secret}`, 'hex').slice(0, 8);
}

/**
 * A bounded text preview of a cached value (JSON where it can be), for `showValues: true` only.
 * @example preview({ id: 1 }) // '{"id":1}'
 */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

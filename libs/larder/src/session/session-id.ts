import { hash, randomBytes } from 'node:crypto';

/** Random bytes per session id: 256 bits, so guessing a live id is out of reach. */
export const SESSION_ID_BYTES = 32;

/** 32 bytes in base64url without padding are exactly 43 characters of [A-Za-z0-9_-]. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new session id: 32 bytes from the OS CSPRNG, base64url-encoded (43 characters).
 * @example newSessionId() // 'q3X9...' (43 chars)
 */
export function newSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}

/**
 * Whether `id` has the shape of an id `newSessionId` makes; anything else is refused before any store call.
 * @example isWellFormedSessionId('abc') // false
 */
export function isWellFormedSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID_PATTERN.test(id);
}

/**
 * The handle a session is stored under: SHA-256 of the id, base64url. A Redis dump or key listing
 * therefore shows handles, which cannot be turned back into usable ids.
 * @example sessionHandle(id).length // 43
 */
export function sessionHandle(id: string): string {
  // One-shot hash: no Hash object per call, this is on every get's path.
  return hash('sha256', id, 'base64url');
}

/** How many recent ids HandleMemo remembers: a request reads its session a few times, apps serve many sessions at once. */
const MEMO_SIZE = 1024;

/**
 * `sessionHandle` for the ids read lately: the SHA-256 of a session id cost about a sixth of a
 * session read's CPU in the profile (0.8 µs of 5), and the same session is read on request after
 * request. A handle is a pure function of its id, so a remembered one is never stale; the memo
 * is bounded and simply starts over when full, so it holds at most MEMO_SIZE ids (which the
 * process sees on every request anyway) and never grows with traffic.
 * @example const memo = new HandleMemo(); memo.handle(id) === sessionHandle(id) // true
 */
export class HandleMemo {
  private readonly handles = new Map<string, string>();

  handle(id: string): string {
    let handle = this.handles.get(id);
    if (handle === undefined) {
      if (this.handles.size >= MEMO_SIZE) this.handles.clear();
      handle = sessionHandle(id);
      this.handles.set(id, handle);
    }
    return handle;
  }

  /** Drops a destroyed or rotated-away id, so the memo keeps no id longer than its session lives. */
  forget(id: string): void {
    this.handles.delete(id);
  }
}

/**
 * The per-user index name part: SHA-256 of the user id, so any user id (an e-mail address, ids
 * with ':' or '{') makes a safe, fixed-length key that does not expose the user id.
 * @example userHandle('alice@example.com').length // 43
 */
export function userHandle(userId: string): string {
  return hash('sha256', `user:${userId}`, 'base64url');
}

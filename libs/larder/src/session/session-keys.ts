/**
 * Where sessions live in Redis, under the module namespace:
 *
 *   <namespace>:sess:{s:<namespace>}:<handle>        string: `s1|<times>|<version>|<user>|<data>` (session.scripts.ts)
 *   <namespace>:sess-user:{s:<namespace>}:<userKey>  sorted set of handles, scored by absolute deadline (µs)
 *
 * `handle` is SHA-256(id) and `userKey` SHA-256(userId), both base64url, so a key listing shows
 * neither usable ids nor user ids. All keys of a namespace share one hash tag, so on Redis Cluster
 * they sit in one slot and every script (create with eviction, rotate, log out everywhere) stays a
 * single atomic step. The price is that one shard holds all sessions of a namespace; see
 * docs/sessions.md ("Redis Cluster") for why atomicity won over spreading.
 */
export interface SessionKeys {
  session(handle: string): string;
  userIndex(userKey: string): string;
}

/**
 * The key layout of a namespace.
 * @example sessionKeys('shop').session(handle) // 'shop:sess:{s:shop}:<handle>'
 */
export function sessionKeys(namespace: string): SessionKeys {
  const tag = `{s:${namespace}}`;
  return {
    session: (handle) => `${namespace}:sess:${tag}:${handle}`,
    userIndex: (userKey) => `${namespace}:sess-user:${tag}:${userKey}`,
  };
}

import type { LarderOptionSlices } from './larder-options';

/**
 * What runs in this process's memory only, given the options: a capability is shared between
 * instances when Redis is configured or when the application brought its own store for it (a
 * plain `Map` as the cache store is memory too). Empty when nothing is per-process.
 * @example perProcessCapabilities(resolveLarderOptions({})) // ['cache', 'locks', 'rate limits', 'sessions']
 */
export function perProcessCapabilities(slices: LarderOptionSlices): string[] {
  if (slices.connection.redis !== undefined) return [];
  const cacheStore = slices.cache.store;
  const kept: Array<[string, boolean]> = [
    ['cache', cacheStore === undefined || cacheStore instanceof Map],
    ['locks', slices.lock.store === undefined],
    ['rate limits', slices.rateLimit.store === undefined],
    ['sessions', slices.session.store === undefined],
  ];
  return kept.filter(([, inMemory]) => inMemory).map(([name]) => name);
}

/**
 * The one WARN logged at boot when something runs per process: with two instances behind a load
 * balancer, each would have its own cache, grant the same lock, count its own rate limits and
 * not know the other's sessions. Undefined when there is nothing to warn about.
 */
export function perProcessWarning(slices: LarderOptionSlices): string | undefined {
  const names = perProcessCapabilities(slices);
  if (names.length === 0) return undefined;
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return (
    `no Redis configured: ${list} ${names.length === 1 ? 'is' : 'are'} per-process (kept in this ` +
    `process's memory, not shared with other instances). Set "redis" to share them, or ` +
    `"requireRedis: true" to refuse to start without it.`
  );
}

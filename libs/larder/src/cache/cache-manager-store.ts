import type { Keyv } from 'keyv';
import type { CacheCore, Scope } from './cache-core';

/** cache-manager's keys are root keys: its failures are reported under the root scope. */
const ROOT: Scope = { prefix: '', label: '' };

/**
 * The Keyv that the `CACHE_MANAGER` cache talks to: Larder's own value store, with CacheService's
 * failure policy. Every call is bounded by `commandTimeout`, and a store failure or timeout is
 * counted in `stats().errors` and emitted as an `error` event, then fails open: a read is a miss,
 * a write or delete resolves as if nothing were cached (it rejects with a typed error when
 * `throwOnError` is set, like CacheService's writes). Without it cache-manager rejects `set`,
 * `del` and `wrap` with the client's own error (`ClientOfflineError`) during an outage and waits
 * on a stalled Redis for as long as the client does.
 */
export function failOpenKeyv(core: CacheCore): Keyv {
  const keyv = core.store.keyv;
  const write = { rethrow: core.options.throwOnError };
  const read = { rethrow: false };
  const overrides: Record<string, unknown> = {
    get: (key: string, options?: { raw?: boolean }) =>
      core.storeCall('get', ROOT, key, () => keyv.get(key, options as { raw: false }), {
        ...read,
        fallback: undefined,
      }),
    getMany: (keys: string[], options?: { raw?: boolean }) =>
      core.storeCall('getMany', ROOT, undefined, () => keyv.getMany(keys, options as { raw: false }), {
        ...read,
        fallback: keys.map(() => undefined),
      }),
    set: (key: string, value: unknown, ttl?: number) =>
      core.storeCall('set', ROOT, key, () => keyv.set(key, value, ttl), { ...write, fallback: false }),
    setMany: (entries: Array<{ key: string; value: unknown; ttl?: number }>) =>
      core.storeCall('set', ROOT, undefined, () => keyv.setMany(entries), {
        ...write,
        fallback: entries.map(() => false),
      }),
    delete: (key: string) =>
      core.storeCall('del', ROOT, key, () => keyv.delete(key), { ...write, fallback: false }),
    deleteMany: (keys: string[]) =>
      core.storeCall('del', ROOT, undefined, () => keyv.deleteMany(keys), { ...write, fallback: false }),
    clear: () =>
      core.storeCall('clear', ROOT, undefined, () => keyv.clear(), { ...write, fallback: undefined }),
  };
  // Everything else (`store`, `namespace`, `disconnect`, ...) is the Keyv itself, as before.
  return new Proxy(keyv, {
    get: (target, property) => {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property];
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

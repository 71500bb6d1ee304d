import type { FactoryProvider, ModuleMetadata, Provider, Type } from '@nestjs/common';
import type { Keyv, KeyvStoreAdapter } from 'keyv';
import { describe } from './common/describe';
import { assertOptionsObject } from './common/known-keys';
import { InvalidOptionError } from './errors';
import type { LarderModuleOptions } from './larder-options';
import type { LarderModuleExtras } from './larder.module-definition';

/** A value store as @nestjs/cache-manager takes it: a Keyv instance or a Keyv store adapter. */
export type CacheManagerStore = Keyv | KeyvStoreAdapter;

/**
 * Options of `CacheModule.register()`: @nestjs/cache-manager's names (cache-manager v7), mapped onto
 * Larder's, beside any Larder option (`redis`, `memory`, `lock`, ...). `ttl` is milliseconds and
 * becomes `defaultTtl`; `max` bounds the in-memory value store (`maxMemoryItems`); `stores` is one
 * value store (`store`); `cacheId` names the cache in events and metrics (`name`). What Larder cannot
 * honour (several stores, `refreshThreshold`, `nonBlocking: true`, `refreshAllStores: true`) fails
 * start-up with `E_INVALID_OPTION` saying what to use instead. See docs/migrating-from-cache-manager.md.
 *
 * @example CacheModule.register({ ttl: 5000, max: 1000, isGlobal: true })
 */
export interface CacheRegisterOptions extends Omit<LarderModuleOptions, 'store'> {
  /** Default time to live in milliseconds (cache-manager v7); Larder's `defaultTtl`. 0 = no expiry. */
  ttl?: number;
  /** Most entries of the in-memory value store; Larder's `maxMemoryItems`. */
  max?: number;
  /** One value store (or an array of one); several stores are refused: use `redis` plus `memory` instead. */
  stores?: CacheManagerStore | CacheManagerStore[];
  /** Larder's own name for one value store; give `stores` or `store`, not both. */
  store?: LarderModuleOptions['store'];
  /** Names the cache in events and metrics; Larder's `name`. */
  cacheId?: string;
  /** Not supported: use `resilience: { refreshAhead }` (a fraction of each entry's ttl). */
  refreshThreshold?: number;
  /** Only `false`: Larder writes one value store (and its L1), so there is nothing to not wait for. */
  nonBlocking?: boolean;
  /** Only `false`: there is one value store to refresh. */
  refreshAllStores?: boolean;
}

/** `CacheModule.register()` options with the module extras (`isGlobal`). */
export type CacheRegisterModuleOptions = CacheRegisterOptions & LarderModuleExtras;

/**
 * A class that produces `CacheModule.registerAsync()` options, as @nestjs/cache-manager's
 * `CacheOptionsFactory` (a `createLarderOptions()` method is accepted too).
 * @example
 * @Injectable() class CacheConfig implements CacheOptionsFactory {
 *   createCacheOptions() { return { ttl: 5000 }; }
 * }
 */
export interface CacheOptionsFactory {
  createCacheOptions(): CacheRegisterOptions | Promise<CacheRegisterOptions>;
}

/**
 * Options of `CacheModule.registerAsync()`, as @nestjs/cache-manager's `CacheModuleAsyncOptions`:
 * one of `useFactory` (with `inject`), `useClass` or `useExisting`; `imports`, `extraProviders`
 * (registered in the module, e.g. for the factory to inject) and `isGlobal`.
 */
export interface CacheRegisterAsyncOptions extends Pick<ModuleMetadata, 'imports'>, LarderModuleExtras {
  useFactory?: (...args: never[]) => CacheRegisterOptions | Promise<CacheRegisterOptions>;
  inject?: FactoryProvider['inject'];
  useClass?: Type<
    CacheOptionsFactory | { createLarderOptions(): LarderModuleOptions | Promise<LarderModuleOptions> }
  >;
  useExisting?: Type<CacheOptionsFactory> | string | symbol;
  extraProviders?: Provider[];
}

const PLACE = 'CacheModule.register()';

function invalid(field: string, value: unknown, expected: string): never {
  throw new InvalidOptionError(
    `Invalid ${PLACE} option "${field}": ${describe(value)}. Expected ${expected}.`,
  );
}

function refuse(field: string, value: unknown, instead: string): never {
  throw new InvalidOptionError(`Unsupported ${PLACE} option "${field}": ${describe(value)}. ${instead}`);
}

/** Whether `store` is a `Cacheable` (primary + secondary stores), which Larder does not take. */
function isCacheable(store: unknown): boolean {
  return typeof store === 'object' && store !== null && 'primary' in store && 'secondary' in store;
}

function singleStore(stores: unknown): CacheManagerStore | undefined {
  const list = Array.isArray(stores) ? stores : stores === undefined ? [] : [stores];
  if (list.length > 1 || list.some(isCacheable)) {
    refuse(
      'stores',
      stores,
      'Larder keeps one value store: give Redis as `redis` (or one Keyv store) and an in-process tier in front of it as `memory: { maxItems, ttl }`.',
    );
  }
  return list[0] as CacheManagerStore | undefined;
}

/**
 * Larder module options from @nestjs/cache-manager's option names (see CacheRegisterOptions).
 * Larder's own fields pass through and are validated at boot like forRoot's.
 * @throws InvalidOptionError naming the option that cannot be mapped, and what to use instead
 * @example fromCacheManagerOptions({ ttl: 5000, max: 100 }) // { defaultTtl: 5000, maxMemoryItems: 100 }
 */
export function fromCacheManagerOptions(options: CacheRegisterOptions): LarderModuleOptions {
  assertOptionsObject(options, PLACE, 'an object (registerAsync factories must return one)');
  const { ttl, max, stores, cacheId, refreshThreshold, nonBlocking, refreshAllStores, ...larder } = options;
  if (refreshThreshold !== undefined) {
    refuse(
      'refreshThreshold',
      refreshThreshold,
      'Use `resilience: { refreshAhead: 0.8 }` (a fraction of the ttl).',
    );
  }
  if (nonBlocking !== undefined && nonBlocking !== false) {
    refuse('nonBlocking', nonBlocking, 'Larder writes one value store; leave it out.');
  }
  if (refreshAllStores !== undefined && refreshAllStores !== false) {
    refuse('refreshAllStores', refreshAllStores, 'Larder has one value store; leave it out.');
  }
  const mapped: LarderModuleOptions = { ...larder };
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      invalid(
        'ttl',
        ttl,
        'milliseconds, a number >= 0 (0 = no expiry), as in cache-manager v7 (or defaultTtl, which also takes "5m"-style strings)',
      );
    }
    assertNotBoth('ttl', 'defaultTtl', larder.defaultTtl);
    mapped.defaultTtl = ttl;
  }
  if (max !== undefined) {
    if (!Number.isInteger(max) || max < 1)
      invalid('max', max, 'an integer >= 1 (most entries kept in memory)');
    assertNotBoth('max', 'maxMemoryItems', larder.maxMemoryItems);
    mapped.maxMemoryItems = max;
  }
  const store = singleStore(stores);
  if (store !== undefined) {
    assertNotBoth('stores', 'store', larder.store);
    mapped.store = store;
  }
  if (cacheId !== undefined) {
    assertNotBoth('cacheId', 'name', larder.name);
    mapped.name = cacheId;
  }
  return mapped;
}

function assertNotBoth(theirs: string, ours: string, oursValue: unknown): void {
  if (oursValue === undefined) return;
  throw new InvalidOptionError(
    `${PLACE} options "${theirs}" and "${ours}" mean the same thing: give one of them.`,
  );
}

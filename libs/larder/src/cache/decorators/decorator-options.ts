import type { Duration } from '../../common/duration';
import type { ResilienceOptions } from '../resilience/resilience-options';
import type { CompressionOptions } from '../compression/compression-options';

/*
 * Callback parameters default to `never`: any callback whose parameters are annotated with the
 * method's own types is accepted (`(id: number) => ...`), without `any` in the public API. Pass the
 * type arguments to get them inferred instead: `@Cacheable<User, [string]>({ unless: (u, id) => ... })`.
 */

/**
 * Where an entry lives: a template over the method's arguments, or a function of them.
 *
 * A template is literal text with placeholders `{index}` or `{index.path.to.property}`:
 * `'product:{0}'`, `'user:{0.id}:orders:{1}'`. `{{` and `}}` stand for literal braces. Each
 * placeholder must resolve to a non-empty string, a finite number, a bigint or a boolean;
 * anything else (undefined, null, '', an object) is an `E_INVALID_KEY` error naming the method.
 *
 * @example '{0}'                             // the first argument
 * @example 'user:{0.id}:orders:{1}'          // a property of the first argument, then the second
 * @example (id: string, page: number) => `user:${id}:page:${page}`
 */
export type CacheKeySource<A extends readonly unknown[] = never[]> = string | ((...args: A) => string);

/**
 * Options of `@Cacheable`.
 *
 * @example
 * @Cacheable({ key: 'user:{0}', ttl: '5m', tags: ['user:{0}'] })
 * async findUser(id: string): Promise<User> { ... }
 */
export interface CacheableOptions<
  R = never,
  A extends readonly unknown[] = never[],
> extends ResilienceOptions {
  /** Default: `ClassName.method:` + a SHA-1 of the arguments (object key order does not matter). */
  key?: CacheKeySource<A>;
  /** Lifetime of the entry. Default: the module's `defaultTtl`; 0 = no expiry. */
  ttl?: Duration;
  /** Tags for `invalidateTags()` / `@CacheEvict({ tags })`: templates like the key, or a function of the result and arguments. */
  tags?: string[] | ((result: R, ...args: A) => string[]);
  /** `false` bypasses the cache entirely for this call: the method runs, nothing is read or stored. */
  condition?: (...args: A) => boolean;
  /** `true` returns the result without storing it. `undefined` is never stored in any case. */
  unless?: (result: R, ...args: A) => boolean;
  /** A namespace scope (`CacheService.namespace()`) for the entry; a template like the key. */
  namespace?: string;
  /** Compression of the stored result (see CompressionOptions); `false`: none. Default: the module's. */
  compression?: CompressionOptions | false;
}

/**
 * Options of `@CachePut`: the method always runs and its result is stored under `key` (write-through).
 *
 * @example
 * @CachePut({ key: 'user:{0}', ttl: '5m', tags: ['user:{0}'] })
 * async rename(id: string, name: string): Promise<User> { ... }
 */
export interface CachePutOptions<R = never, A extends readonly unknown[] = never[]> {
  /** Required: the key of the `@Cacheable` entry this method refreshes. */
  key: CacheKeySource<A>;
  ttl?: Duration;
  /** How long past `ttl` the entry stays a fallback for `@Cacheable` readers. Default: the module's `resilience.grace`. */
  grace?: Duration;
  tags?: string[] | ((result: R, ...args: A) => string[]);
  /** `false` skips the write for this call (the method still runs). */
  condition?: (...args: A) => boolean;
  /** `true` skips the write for this result. */
  unless?: (result: R, ...args: A) => boolean;
  namespace?: string;
  /** Compression of the stored result, as for `@Cacheable`. */
  compression?: CompressionOptions | false;
}

/**
 * Options of `@CacheEvict`. At least one of `key`, `tags` or `allEntries` is required.
 *
 * @example
 * @CacheEvict({ key: 'user:{0}' })
 * @CacheEvict({ tags: ['user:{0}'], beforeInvocation: true })
 * async deleteUser(id: string): Promise<void> { ... }
 */
export interface CacheEvictOptions<A extends readonly unknown[] = never[]> {
  /** One key to delete. */
  key?: CacheKeySource<A>;
  /** Delete every entry carrying any of these tags: templates, or a function of the arguments. */
  tags?: string[] | ((...args: A) => string[]);
  /** Delete every entry of `namespace` (or, without `namespace`, of the whole module cache). */
  allEntries?: boolean;
  /** Evict before the method runs, even if it then throws. Default false: only after it succeeds. */
  beforeInvocation?: boolean;
  /** `false` skips this eviction for this call (the method still runs). */
  condition?: (...args: A) => boolean;
  /** The namespace scope the key, tags or `allEntries` refer to; a template like the key. */
  namespace?: string;
}

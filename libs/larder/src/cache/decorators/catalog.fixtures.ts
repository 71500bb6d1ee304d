import { Injectable } from '@nestjs/common';
import { Cacheable, CacheEvict, CachePut } from '@larder/nestjs';

export interface Product {
  id: number;
  name: string;
  version: number;
}

/** Thrown by `CatalogService.failing`: tests check the caller gets this very instance. */
export class CatalogError extends Error {}

/**
 * A service whose decorated methods count their real invocations, so tests can tell a cache hit
 * (no invocation) from a miss.
 */
@Injectable()
export class CatalogService {
  readonly calls = new Map<string, number>();
  /** Bumped by each real invocation that produces a product, so a stale value is detectable. */
  version = 0;
  /** When set, `slow` waits for it: lets tests pile up concurrent callers on one miss. */
  gate?: Promise<void>;
  lastError?: CatalogError;

  count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  private bump(method: string): void {
    this.calls.set(method, this.count(method) + 1);
  }

  private product(id: number): Product {
    return { id, name: `product ${id}`, version: ++this.version };
  }

  @Cacheable({ key: 'product:{0}', tags: ['products'] })
  async find(id: number): Promise<Product> {
    this.bump('find');
    return this.product(id);
  }

  @Cacheable({ key: 'short:{0}', ttl: '1s' })
  async findShortLived(id: number): Promise<Product> {
    this.bump('findShortLived');
    return this.product(id);
  }

  @Cacheable({ key: 'user:{0.id}:orders:{1}' })
  async orders(user: { id: string; name?: string }, page: number): Promise<string[]> {
    this.bump('orders');
    return [`${user.id}-order-${page}`];
  }

  @Cacheable()
  async search(
    filter: Record<string, unknown>,
    page?: number,
  ): Promise<{ filter: Record<string, unknown>; page?: number; version: number }> {
    this.bump('search');
    return { filter, page, version: ++this.version };
  }

  // Type arguments give the callbacks their parameter types without annotations.
  @Cacheable<Product | null, [number, boolean?]>({
    key: 'lookup:{0}',
    condition: (id) => id > 0,
    unless: (result, id) => result === null && id > 0,
  })
  async lookup(id: number, exists = true): Promise<Product | null> {
    this.bump('lookup');
    return exists ? this.product(Math.abs(id)) : null;
  }

  @Cacheable({ key: 'nullable:{0}' })
  async nullable(_id: number): Promise<null> {
    this.bump('nullable');
    return null;
  }

  @Cacheable({ key: 'nothing:{0}' })
  async nothing(_id: number): Promise<undefined> {
    this.bump('nothing');
    return undefined;
  }

  @Cacheable({ key: 'failing:{0}' })
  async failing(_id: number): Promise<Product> {
    this.bump('failing');
    this.lastError = new CatalogError('the database is on fire');
    throw this.lastError;
  }

  @Cacheable({ key: 'slow:{0}' })
  async slow(id: number): Promise<Product> {
    this.bump('slow');
    await this.gate;
    return this.product(id);
  }

  @Cacheable({ key: 'category:{0}', tags: (result: Product[]) => result.map((p) => `product:${p.id}`) })
  async byCategory(category: string): Promise<Product[]> {
    this.bump('byCategory');
    return [this.product(1), this.product(2)].map((p) => ({ ...p, name: `${category} ${p.id}` }));
  }

  @Cacheable({ namespace: 'user:{0}', key: 'profile' })
  async profile(userId: string): Promise<{ userId: string; version: number }> {
    this.bump('profile');
    return { userId, version: ++this.version };
  }

  @Cacheable({ namespace: 'user:{0}', key: 'settings' })
  async settings(userId: string): Promise<{ userId: string; version: number }> {
    this.bump('settings');
    return { userId, version: ++this.version };
  }

  @Cacheable({ key: 'bigint:{0}' })
  async unstorable(_id: number): Promise<{ big: bigint }> {
    this.bump('unstorable');
    return { big: 10n };
  }

  @CachePut({ key: 'product:{0}', tags: ['products'] })
  async rename(id: number, name: string): Promise<Product> {
    this.bump('rename');
    return { ...this.product(id), name };
  }

  @CachePut({
    key: 'product:{0}',
    condition: (id: number) => id !== 13,
    unless: (result: Product) => result.name === 'draft',
  })
  async renameIf(id: number, name: string): Promise<Product> {
    this.bump('renameIf');
    return { ...this.product(id), name };
  }

  @Cacheable({ key: (id: number) => (id === 0 ? '' : `fn:${id}`) })
  async byKeyFunction(id: number): Promise<Product> {
    this.bump('byKeyFunction');
    return this.product(id);
  }

  @CacheEvict({ key: 'product:{0}' })
  async update(id: number): Promise<void> {
    this.bump('update');
    void id;
  }

  @CacheEvict({ tags: ['products'] })
  async invalidateAll(): Promise<number> {
    this.bump('invalidateAll');
    return 7;
  }

  @CacheEvict({ tags: (id: number) => [`product:${id}`] })
  async invalidateProductTag(_id: number): Promise<void> {
    this.bump('invalidateProductTag');
  }

  @CacheEvict({ namespace: 'user:{0}', allEntries: true })
  async forgetUser(_userId: string): Promise<void> {
    this.bump('forgetUser');
  }

  @CacheEvict({ key: 'product:{0}', beforeInvocation: true })
  async evictThenFail(_id: number): Promise<void> {
    this.bump('evictThenFail');
    this.lastError = new CatalogError('failed after the eviction');
    throw this.lastError;
  }

  @CacheEvict({ key: 'product:{0}' })
  async failBeforeEvict(_id: number): Promise<void> {
    this.bump('failBeforeEvict');
    this.lastError = new CatalogError('failed, so nothing is evicted');
    throw this.lastError;
  }

  @CacheEvict({ key: 'product:{0}' })
  @CacheEvict({ key: 'lookup:{0}' })
  @CacheEvict({ tags: ['never-used'], condition: () => false })
  async evictSeveral(_id: number): Promise<string> {
    this.bump('evictSeveral');
    return 'done';
  }
}

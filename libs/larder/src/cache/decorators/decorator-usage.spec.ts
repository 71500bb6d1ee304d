import { Injectable, Logger, Module, Scope } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Observable, of } from 'rxjs';
import {
  Cacheable,
  CacheEvict,
  CachePut,
  CacheService,
  InvalidDecoratorUsageError,
  InvalidKeyError,
  InvalidOptionError,
} from '@larder/nestjs';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';

/** Defines a class with one decorated method; decoration-time errors surface here. */
function decorate(decorator: MethodDecorator): void {
  class Shop {
    async find(_id: number): Promise<number> {
      return 1;
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(Shop.prototype, 'find') as PropertyDescriptor;
  decorator(Shop.prototype, 'find', descriptor);
}

describe('caching decorators: checks when applied', () => {
  it('refuses malformed key templates with E_INVALID_KEY naming Class.method', () => {
    expect(() => decorate(Cacheable({ key: 'product:{id}' }))).toThrow(InvalidKeyError);
    expect(() => decorate(Cacheable({ key: 'product:{id}' }))).toThrow(/Shop\.find/);
    expect(() => decorate(CacheEvict({ tags: ['t:{0'] }))).toThrow(InvalidKeyError);
    expect(() => decorate(CachePut({ key: '' }))).toThrow(InvalidKeyError);
    expect(() => decorate(Cacheable({ namespace: 'user:{x}' }))).toThrow(/Shop\.find/);
  });

  it('refuses bad options with E_INVALID_OPTION naming the option and Class.method', () => {
    const cases: Array<[MethodDecorator, RegExp]> = [
      [Cacheable({ ttl: '5 minutes' as '5m' }), /@Cacheable option "ttl" on Shop\.find/],
      [
        Cacheable({ keys: 'x' } as unknown as object),
        /Unknown @Cacheable option "keys" on Shop\.find\. Did you mean "key"\?/,
      ],
      [
        Cacheable({ tll: '5m' } as unknown as object),
        /Unknown @Cacheable option "tll" on Shop\.find\. Did you mean "ttl"\?/,
      ],
      [
        CachePut({ key: 'k', unles: () => false } as unknown as { key: string }),
        /Unknown @CachePut option "unles" on Shop\.find\. Did you mean "unless"\?/,
      ],
      [
        CacheEvict({ key: 'k', beforeInvokation: true } as unknown as object),
        /Unknown @CacheEvict option "beforeInvokation" on Shop\.find\. Did you mean "beforeInvocation"\?/,
      ],
      [
        CacheEvict({ key: 'k', colour: 1 } as unknown as object),
        /Unknown @CacheEvict option "colour" on Shop\.find\. Allowed/,
      ],
      [Cacheable({ key: 42 as unknown as string }), /"key" on Shop\.find/],
      [Cacheable({ condition: true as unknown as () => boolean }), /"condition" on Shop\.find/],
      [Cacheable({ tags: 'products' as unknown as string[] }), /"tags" on Shop\.find/],
      [CachePut({} as { key: string }), /Missing @CachePut option "key" on Shop\.find/],
      [CacheEvict({}), /@CacheEvict on Shop\.find evicts nothing/],
      [
        CacheEvict({ key: 'k', beforeInvocation: 'yes' as unknown as boolean }),
        /"beforeInvocation" on Shop\.find/,
      ],
    ];
    for (const [decorator, message] of cases) {
      expect(() => decorate(decorator)).toThrow(InvalidOptionError);
      expect(() => decorate(decorator)).toThrow(message);
    }
  });

  it('refuses @Cacheable with @CachePut, @Cacheable twice, static methods and properties', () => {
    const both = () => {
      class Shop {
        @Cacheable({ key: 'a' })
        @CachePut({ key: 'a' })
        async find(): Promise<number> {
          return 1;
        }
      }
      return Shop;
    };
    expect(both).toThrow(InvalidDecoratorUsageError);
    expect(both).toThrow(/Shop\.find/);
    expect(() => {
      class Shop {
        @Cacheable()
        @Cacheable()
        async find(): Promise<number> {
          return 1;
        }
      }
      return Shop;
    }).toThrow(/applied twice to Shop\.find/);
    expect(() => {
      class Shop {
        @Cacheable()
        static async find(): Promise<number> {
          return 1;
        }
      }
      return Shop;
    }).toThrow(/static method Shop\.find/);
    expect(() => Cacheable()({}, 'field', undefined as unknown as PropertyDescriptor)).toThrow(
      InvalidDecoratorUsageError,
    );
  });
});

@Injectable()
class SyncService {
  @Cacheable({ key: 'sync' })
  compute(): number {
    return 1;
  }
}

@Injectable()
class ObservableService {
  @CacheEvict({ key: 'obs' })
  stream(): Observable<number> {
    return of(1);
  }
}

@Injectable()
class PromiseTypedService {
  calls = 0;
  @Cacheable({ key: 'typed:{0}' })
  find(id: number): Promise<number> {
    this.calls++;
    return Promise.resolve(id * 2);
  }
}

@Injectable()
class BaseRepository {
  calls = 0;
  @Cacheable()
  async all(): Promise<string[]> {
    this.calls++;
    return [this.constructor.name];
  }
}

@Injectable()
class UserRepository extends BaseRepository {}

@Injectable()
class OrderRepository extends BaseRepository {}

@Injectable({ scope: Scope.REQUEST })
class PerRequestService {
  calls = 0;
  @Cacheable({ key: 'per-request' })
  async find(): Promise<number> {
    return ++this.calls;
  }
}

/** A feature module that does not import CacheModule at all. */
@Module({ providers: [PromiseTypedService], exports: [PromiseTypedService] })
class FeatureModule {}

describe('caching decorators: checks at start-up', () => {
  let moduleRef: TestingModule | undefined;

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  it.each([
    [
      '@Cacheable on a synchronous method',
      SyncService,
      /@Cacheable on SyncService\.compute: the method must be async/,
    ],
    [
      '@CacheEvict on a method returning an Observable',
      ObservableService,
      /@CacheEvict on ObservableService\.stream/,
    ],
  ])('fails the boot with E_INVALID_DECORATOR for %s', async (_what, provider, message) => {
    const boot = createLarderModule({ namespace: uniqueNamespace() }, { providers: [provider] });
    await expect(boot).rejects.toThrow(InvalidDecoratorUsageError);
    await expect(
      createLarderModule({ namespace: uniqueNamespace() }, { providers: [provider] }),
    ).rejects.toThrow(message);
  });

  it('wraps non-async methods that declare a Promise return type, in a module that does not import CacheModule', async () => {
    moduleRef = await createLarderModule({ namespace: uniqueNamespace() }, { imports: [FeatureModule] });
    const service = moduleRef.get(PromiseTypedService);
    expect(await service.find(21)).toBe(42);
    expect(await service.find(21)).toBe(42);
    expect(service.calls).toBe(1);
    expect(await moduleRef.get(CacheService).get('typed:21')).toBe(42);
  });

  it('wraps inherited methods per instance, with the default key named after the instance class', async () => {
    moduleRef = await createLarderModule(
      { namespace: uniqueNamespace() },
      { providers: [UserRepository, OrderRepository] },
    );
    const users = moduleRef.get(UserRepository);
    const orders = moduleRef.get(OrderRepository);
    expect(await users.all()).toEqual(['UserRepository']);
    expect(await users.all()).toEqual(['UserRepository']);
    expect(await orders.all()).toEqual(['OrderRepository']);
    expect(users.calls).toBe(1);
    expect(orders.calls).toBe(1);
    expect(Object.prototype.hasOwnProperty.call(BaseRepository.prototype, 'all')).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(users, 'all')).toBe(true);
  });

  it('leaves request-scoped providers unwrapped and says so in a warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      moduleRef = await createLarderModule(
        { namespace: uniqueNamespace() },
        { providers: [PerRequestService] },
      );
      const messages = warn.mock.calls.map(([m]) => String(m));
      expect(messages.some((m) => m.includes('PerRequestService.find is not cached'))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });
});

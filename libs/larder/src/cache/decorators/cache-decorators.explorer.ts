import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { CacheScope } from '../cache-scope';
import { CacheService } from '../cache.service';
import { InvalidDecoratorUsageError } from '../../errors';
import { LARDER_CACHE_OPTIONS, LARDER_DECORATED_CALLS } from '../../larder.constants';
import type { CacheOptions } from '../cache-options';
import { buildCachedMethod, type MethodFunction } from './cached-method';
import type { DecoratedCallHook } from './decorated-call-hook';
import { readPlans, type MethodPlans } from './decorated-method';
import { DecoratorScope } from './decorator-scope';
import { failureReporter } from './failure-reporter';
import { installWrapper, wrappedBy } from './method-wrapper';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

const logger = new Logger('Larder');

function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === 'function' && fn.constructor?.name === 'AsyncFunction';
}

function decoratorNames(plans: MethodPlans): string[] {
  const names = plans.cacheable ? ['Cacheable'] : [];
  if (plans.puts.length > 0) names.push('CachePut');
  if (plans.evicts.length > 0) names.push('CacheEvict');
  return names;
}

/**
 * Applies `@Cacheable` / `@CachePut` / `@CacheEvict`: finds decorated methods on every provider
 * and controller instance of the application and replaces them, on the instance only, with a
 * wrapper bound to this module's CacheService.
 *
 * It must run before Nest maps routes (route handlers capture `instance[method]`), which happens
 * before `onModuleInit`; so CacheModule calls `explore()` from its `configure()` (run by HTTP
 * applications before routing) and `onModuleInit()` covers application contexts. Both are
 * idempotent. With several CacheModules in one application, an instance belongs to the one its
 * own module imports (directly or as a global module), else to the first; each wrapper is marked
 * with the module that made it, and a method already wrapped by another module is left alone.
 *
 * When a test replaces CacheService with a mock (`overrideProvider(CacheService).useValue(...)`),
 * there is no cache behind the decorators: nothing is wrapped, so decorated methods run as written
 * (nothing cached, put or evicted) and the mock sees only the calls the code makes itself.
 */
@Injectable()
export class CacheDecoratorExplorer implements OnModuleInit, OnModuleDestroy {
  private readonly owner = Object.freeze({ module: 'CacheModule' });
  private readonly restores: Array<() => void> = [];
  private explored = false;
  /** Undefined when CacheService is a test's mock rather than a cache: the methods are then left as they are. */
  private readonly root: DecoratorScope | undefined;

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(CacheService) cache: CacheService,
    @Inject(LARDER_CACHE_OPTIONS) private readonly options: CacheOptions,
    @Optional() @Inject(LARDER_DECORATED_CALLS) private readonly hook?: DecoratedCallHook,
  ) {
    this.root = cache instanceof CacheScope ? DecoratorScope.of(cache) : undefined;
  }

  onModuleInit(): void {
    this.explore();
  }

  /** Puts the original methods back, so a shared instance does not keep calling a closed cache. */
  onModuleDestroy(): void {
    for (const restore of this.restores.splice(0)) restore();
    this.explored = false;
  }

  /**
   * Wraps every decorated method this module owns.
   * @throws InvalidDecoratorUsageError naming `Class.method` when a decorated method is not async
   */
  explore(): void {
    if (this.explored || !this.root) return;
    this.explored = true;
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const explorers = wrappers.filter((w) => w.instance instanceof CacheDecoratorExplorer && !w.isAlias);
    try {
      for (const wrapper of wrappers) {
        if (wrapper.isAlias || !this.owns(wrapper, explorers)) continue;
        this.exploreInstance(wrapper);
      }
    } catch (error) {
      this.onModuleDestroy();
      throw error;
    }
  }

  private owns(wrapper: InstanceWrapper, explorers: InstanceWrapper[]): boolean {
    if (explorers.length <= 1) return true;
    const host = wrapper.host;
    const visible = explorers.find(
      (e) => e.host !== undefined && (e.host === host || host?.imports.has(e.host)),
    );
    return (visible ?? explorers[0]).instance === this;
  }

  private exploreInstance(wrapper: InstanceWrapper): void {
    const staticTree = wrapper.isDependencyTreeStatic() && !wrapper.isTransient;
    const instance: unknown = staticTree
      ? wrapper.instance
      : (wrapper.metatype as { prototype?: unknown } | null)?.prototype;
    if (typeof instance !== 'object' || instance === null) return;
    const prototype: object | null = staticTree ? Object.getPrototypeOf(instance) : instance;
    if (!prototype) return;
    for (const name of this.scanner.getAllMethodNames(prototype)) {
      const described = (prototype as Record<string, unknown>)[name] as object;
      const plans = readPlans(described);
      if (!plans) continue;
      const where = `${prototype.constructor.name}.${name}`;
      if (!staticTree) {
        logger.warn(
          `${where} is not cached: request-scoped and transient providers are not wrapped (see docs/decorators.md).`,
        );
        continue;
      }
      if (wrappedBy(instance, name) !== undefined) continue;
      this.assertAsync(prototype, name, described, plans, where);
      this.wrap(instance, name, described, plans, where);
    }
  }

  private assertAsync(prototype: object, name: string, fn: object, plans: MethodPlans, where: string): void {
    if (isAsyncFunction(fn) || Reflect.getMetadata('design:returntype', prototype, name) === Promise) return;
    const decorator = plans.cacheable ? '@Cacheable' : plans.puts.length > 0 ? '@CachePut' : '@CacheEvict';
    throw new InvalidDecoratorUsageError(
      `${decorator} on ${where}: the method must be async or declare a Promise return type, because the cache ` +
        'is asynchronous (a synchronous method would start returning a promise).',
    );
  }

  private wrap(instance: object, name: string, described: object, plans: MethodPlans, where: string): void {
    if (!this.root) return;
    const original = (instance as Record<string, MethodFunction>)[name];
    const built = buildCachedMethod(original, plans, {
      where,
      keyKind: `cache key for ${where}`,
      defaultKeyPrefix: `${instance.constructor.name}.${name}:`,
      root: this.root,
      maxKeyLength: this.options.maxKeyLength,
      report: failureReporter(logger, where),
    });
    const wrapped = this.hook
      ? this.hook.wrapDecorated(built, { where, decorators: decoratorNames(plans) })
      : built;
    try {
      this.restores.push(installWrapper(instance, name, wrapped, described, this.owner));
    } catch (error) {
      throw new InvalidDecoratorUsageError(
        `Cannot wrap ${where}: the instance is frozen or the method is read-only.`,
        { cause: error },
      );
    }
  }
}

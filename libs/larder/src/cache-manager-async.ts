import type { Provider } from '@nestjs/common';
import { describe } from './common/describe';
import { InvalidOptionError } from './errors';
import { fromCacheManagerOptions, type CacheRegisterAsyncOptions } from './cache-manager-options';
import type { LarderModuleOptions } from './larder-options';
import type { LARDER_ASYNC_OPTIONS_TYPE } from './larder.module-definition';

type OptionsFactoryInstance = {
  createCacheOptions?: () => unknown;
  createLarderOptions?: () => unknown;
};

/** The options an options class produced, from whichever of the two factory methods it has. */
async function produced(factory: OptionsFactoryInstance, name: string): Promise<LarderModuleOptions> {
  if (typeof factory?.createCacheOptions === 'function') {
    return fromCacheManagerOptions((await factory.createCacheOptions()) as never);
  }
  if (typeof factory?.createLarderOptions === 'function') {
    return (await factory.createLarderOptions()) as LarderModuleOptions;
  }
  throw new InvalidOptionError(
    `CacheModule.registerAsync() options class ${name} has no createCacheOptions() (or createLarderOptions()) method.`,
  );
}

/**
 * `registerAsync()` options (@nestjs/cache-manager's shape) as `forRootAsync()` options: one
 * factory that maps what the user's factory or options class produces, plus the providers the
 * module must also register (`extraProviders`, and the `useClass` class itself).
 * @throws InvalidOptionError when none of useFactory, useClass, useExisting is given
 */
export function toForRootAsync(options: CacheRegisterAsyncOptions): {
  asyncOptions: typeof LARDER_ASYNC_OPTIONS_TYPE;
  providers: Provider[];
} {
  const { useFactory, useClass, useExisting, inject = [], imports, extraProviders = [], isGlobal } = options;
  const providers = [...extraProviders];
  if (useFactory) {
    const factory = useFactory as (...args: unknown[]) => unknown;
    return {
      asyncOptions: {
        imports,
        isGlobal,
        inject,
        useFactory: async (...args: unknown[]) => fromCacheManagerOptions((await factory(...args)) as never),
      },
      providers,
    };
  }
  const token = useClass ?? useExisting;
  if (token === undefined) {
    throw new InvalidOptionError(
      `Invalid CacheModule.registerAsync() options: ${describe(options)}. Give useFactory, useClass or useExisting.`,
    );
  }
  if (useClass) providers.push(useClass);
  const name = typeof token === 'function' ? token.name : String(token);
  return {
    asyncOptions: {
      imports,
      isGlobal,
      inject: [token],
      useFactory: (factory: OptionsFactoryInstance) => produced(factory, name),
    },
    providers,
  };
}

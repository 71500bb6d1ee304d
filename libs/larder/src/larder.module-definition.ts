import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { LarderModuleOptions } from './larder-options';

/** Extras of `forRoot`/`forRootAsync` that shape the module rather than the cache. */
export interface LarderModuleExtras {
  /** Register the module globally so every module can inject Larder's services. Default false. */
  isGlobal?: boolean;
}

/**
 * A class that produces the module options at boot, for `CacheModule.forRootAsync({ useClass })` or
 * `{ useExisting }`.
 * @example
 * @Injectable() class LarderConfig implements LarderOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createLarderOptions() { return { redis: this.config.get('REDIS_URL') }; }
 * }
 */
export interface LarderOptionsFactory {
  createLarderOptions(): LarderModuleOptions | Promise<LarderModuleOptions>;
}

export const {
  ConfigurableModuleClass: LarderConfigurableModule,
  MODULE_OPTIONS_TOKEN: LARDER_MODULE_OPTIONS,
  OPTIONS_TYPE: LARDER_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: LARDER_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<LarderModuleOptions>({ moduleName: 'Larder' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createLarderOptions' satisfies keyof LarderOptionsFactory)
  .setExtras<LarderModuleExtras>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

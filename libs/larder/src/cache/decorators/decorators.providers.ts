import type { Provider } from '@nestjs/common';
import { CacheDecoratorExplorer } from './cache-decorators.explorer';

/** Providers of the caching decorators: the explorer that wraps decorated methods at start-up. */
export const DECORATORS_PROVIDERS: Provider[] = [CacheDecoratorExplorer];

/** Nothing to inject: the decorators are used directly. */
export const DECORATORS_EXPORTS: Array<string | symbol | Provider> = [];

import type { Provider } from '@nestjs/common';
import { LarderLensBridge } from './lens-bridge';
import { LarderConsole } from './larder-console.service';

/** Console providers every Larder module instance has (each does nothing while its option is off). */
export const CONSOLE_PROVIDERS: Provider[] = [LarderConsole, LarderLensBridge];

/** What a module importing CacheModule can inject for the console. */
export const CONSOLE_EXPORTS = [LarderConsole];

import type { Provider } from '@nestjs/common';
import { LarderConsole } from './larder-console.service';

/** Console providers every Larder module instance has (LarderConsole mounts nothing when the console is off). */
export const CONSOLE_PROVIDERS: Provider[] = [LarderConsole];

/** What a module importing CacheModule can inject for the console. */
export const CONSOLE_EXPORTS = [LarderConsole];

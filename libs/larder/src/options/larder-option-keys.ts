import { optionKeys } from '../common/known-keys';
import type { LarderModuleOptions, MemoryTierOptions, RedisClusterConfig } from './larder-options.interface';

/** The fields of `CacheModule.forRoot()` options; each capability checks its own slice. */
export const MODULE_KEYS = optionKeys<LarderModuleOptions>({
  redis: true,
  namespace: true,
  name: true,
  defaultTtl: true,
  memory: true,
  store: true,
  maxMemoryItems: true,
  maxMemorySize: true,
  maxValueSize: true,
  commandTimeout: true,
  serializer: true,
  maxKeyLength: true,
  throwOnError: true,
  logConnectionEvents: true,
  lock: true,
  rateLimit: true,
  session: true,
  metrics: true,
});

/** The fields of the `memory` (L1 tier) option. */
export const MEMORY_KEYS = optionKeys<MemoryTierOptions>({ maxItems: true, ttl: true, maxSize: true });

/** The fields of `redis: { nodes, options }`; the ioredis options inside `options` are ioredis' own. */
export const CLUSTER_KEYS = optionKeys<RedisClusterConfig>({ nodes: true, options: true });

/** How module options are named in errors. */
export const LARDER_OPTION = { subject: 'Larder option' } as const;

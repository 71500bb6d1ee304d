/**
 * Every metric Larder registers, without the prefix (`'larder_'` by default), and its labels.
 * One list so the docs, the Grafana dashboard test and the code cannot drift apart.
 *
 * @example `${prefix}${LARDER_METRICS.cacheHits.name}` // 'larder_cache_hits_total'
 */
export const LARDER_METRICS = {
  cacheHits: { name: 'cache_hits_total', labels: ['cache', 'tier'] },
  cacheMisses: { name: 'cache_misses_total', labels: ['cache'] },
  cacheWrites: { name: 'cache_writes_total', labels: ['cache'] },
  cacheDeletes: { name: 'cache_deletes_total', labels: ['cache'] },
  cacheErrors: { name: 'cache_errors_total', labels: ['cache', 'operation'] },
  cacheEvictions: { name: 'cache_evictions_total', labels: ['cache', 'tier', 'reason'] },
  cacheItems: { name: 'cache_items', labels: ['cache', 'tier'] },
  cacheCompressed: { name: 'cache_compressed_total', labels: ['cache'] },
  cacheCompressionBytes: { name: 'cache_compression_bytes_total', labels: ['cache', 'stage'] },
  cacheDuration: { name: 'cache_operation_duration_seconds', labels: ['cache', 'operation', 'tier'] },
  lockAcquired: { name: 'lock_acquired_total', labels: ['cache'] },
  lockFailed: { name: 'lock_failed_total', labels: ['cache', 'reason'] },
  lockLost: { name: 'lock_lost_total', labels: ['cache', 'reason'] },
  rateLimitRequests: { name: 'ratelimit_requests_total', labels: ['cache', 'rule', 'result'] },
  sessionsCreated: { name: 'sessions_created_total', labels: ['cache'] },
  sessionsDestroyed: { name: 'sessions_destroyed_total', labels: ['cache', 'reason'] },
  breakerState: { name: 'breaker_state', labels: ['cache', 'state'] },
  breakerTransitions: { name: 'breaker_transitions_total', labels: ['cache', 'state'] },
} as const;

/** The key of one Larder metric in `LARDER_METRICS`. */
export type LarderMetricKey = keyof typeof LARDER_METRICS;

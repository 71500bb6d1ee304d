import type { LoggerService } from '@nestjs/common';

/** Reports a cache failure the decorators swallowed (the method's outcome stands). */
export type FailureReporter = (what: string, error: unknown) => void;

/**
 * Logs each kind of swallowed failure once per method, so an outage or a value that can never be
 * stored does not flood the log; every store failure is still counted in `stats().errors` and
 * emitted as an `error` event by CacheService.
 */
export function failureReporter(logger: LoggerService, where: string): FailureReporter {
  const seen = new Set<string>();
  return (what, error) => {
    const code = (error as { code?: unknown } | null)?.code;
    const id = `${what}:${typeof code === 'string' ? code : (error as Error | null)?.name}`;
    if (seen.has(id)) return;
    seen.add(id);
    const message =
      error instanceof Error
        ? `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`
        : String(error);
    logger.warn(
      `${where}: could not ${what} (${message}). The method's own outcome was kept; repeats are not logged.`,
    );
  };
}

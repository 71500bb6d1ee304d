import { CommandTimeoutError } from '../errors';

/**
 * Resolves like `promise`, or rejects with CommandTimeoutError after `ms`. The late outcome of
 * `promise` is always observed, so an abandoned call can never become an unhandled rejection.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CommandTimeoutError(`${what} timed out after ${ms}ms`)), ms);
    void promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

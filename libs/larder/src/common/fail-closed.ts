import { CommandTimeoutError, StoreUnavailableError } from '../errors';

/**
 * Runs a store call of a capability that fails closed (sessions, leaderboards). Store failures
 * all surface as StoreUnavailableError (a timeout becomes its `cause`), so one catch maps them to
 * 503; anything else (a caller's mistake) passes unchanged.
 * @param what names the call in the message: `'Session create'`, `'Leaderboard top'`
 * @example await failClosed('Session touch', () => store.touch(handle))
 */
export async function failClosed<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw closedError(what, error);
  }
}

/** The error failClosed rejects with for `error`: a timeout as StoreUnavailableError (its `cause`), anything else as it is. */
export function closedError(what: string, error: unknown): unknown {
  if (error instanceof CommandTimeoutError) {
    return new StoreUnavailableError(`${what} failed: ${error.message}`, { cause: error });
  }
  return error;
}

import { UnavailableException } from '../common/problem-details';

/**
 * Thrown by `SessionGuard` when the session store (Redis) fails: 503 with a problem-details body
 * (`Content-Type: application/problem+json`, `Retry-After: 1`), never 401: an outage is not a
 * logout. The cause is kept for logging; the body says nothing about the store.
 *
 * @example
 * // { "type": "about:blank", "title": "Service Unavailable", "status": 503,
 * //   "detail": "Sessions cannot be read right now.", "retryAfter": 1 }
 */
export class SessionUnavailableException extends UnavailableException {
  constructor(cause: Error) {
    super('Sessions cannot be read right now.', cause);
  }
}

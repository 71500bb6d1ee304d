import { HttpException, HttpStatus } from '@nestjs/common';
import { unavailableProblem, type ProblemDetails } from '../common/problem-details';

/**
 * Thrown by `SessionGuard` when the session store (Redis) fails: 503 with a problem-details body
 * (`Content-Type: application/problem+json`, `Retry-After: 1`), never 401: an outage is not a
 * logout. The cause is kept for logging; the body says nothing about the store.
 *
 * @example
 * // { "type": "about:blank", "title": "Service Unavailable", "status": 503,
 * //   "detail": "Sessions cannot be read right now.", "retryAfter": 1 }
 */
export class SessionUnavailableException extends HttpException {
  /** The body sent. */
  readonly problem: ProblemDetails;

  constructor(cause: Error) {
    const problem = unavailableProblem('Sessions cannot be read right now.');
    super(problem, HttpStatus.SERVICE_UNAVAILABLE, { cause });
    this.problem = problem;
  }
}

import { ProblemException, UnavailableException, type ProblemDetails } from '../common/problem-details';

/**
 * Thrown by `RateLimitGuard` when a rule refuses a request: 429 with a problem-details body
 * (`Content-Type: application/problem+json`) and `Retry-After`. Catch it in an exception filter to
 * render your own body; the headers are already set.
 *
 * @example
 * // { "type": "about:blank", "title": "Too Many Requests", "status": 429,
 * //   "detail": "Rate limit \"burst\" exceeded (10 per 1s). Retry in 1 s.", "retryAfter": 1 }
 */
export class RateLimitExceededException extends ProblemException {
  constructor(
    problem: ProblemDetails,
    /** Names of the rules that refused the request. */
    readonly rules: string[],
  ) {
    super(problem);
  }
}

/**
 * Thrown by `RateLimitGuard` when Redis fails and `failOpen` is false: 503 with a problem-details
 * body, never 429 (the client did nothing wrong).
 *
 * @example
 * // { "type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": "Rate limits cannot be checked right now." }
 */
export class RateLimitUnavailableException extends UnavailableException {
  constructor(cause: Error) {
    super('Rate limits cannot be checked right now.', cause);
  }
}

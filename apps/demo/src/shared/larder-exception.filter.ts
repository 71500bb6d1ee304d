import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  CommandTimeoutError,
  InvalidArgumentError,
  InvalidKeyError,
  LockNotAcquiredError,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  StoreUnavailableError,
} from '@larder/nestjs';

/** The errors this filter answers; any other error keeps Nest's own handling (a 500 that is logged). */
type MappedError =
  StoreUnavailableError | CommandTimeoutError | LockNotAcquiredError | InvalidKeyError | InvalidArgumentError;

const TITLES: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.BAD_REQUEST]: 'Bad Request',
  [HttpStatus.CONFLICT]: 'Conflict',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'Service Unavailable',
};

function isStoreFailure(error: unknown): boolean {
  return error instanceof StoreUnavailableError || error instanceof CommandTimeoutError;
}

/**
 * The status and the public detail of a Larder error. A store failure says nothing about the
 * store (its message can name hosts and ports); the others describe what the client ran into.
 */
function classify(error: MappedError): { status: HttpStatus; detail: string } {
  if (isStoreFailure(error) || (error instanceof LockNotAcquiredError && isStoreFailure(error.cause))) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      detail: 'A backing store is unavailable. Try again shortly.',
    };
  }
  if (error instanceof LockNotAcquiredError) return { status: HttpStatus.CONFLICT, detail: error.message };
  return { status: HttpStatus.BAD_REQUEST, detail: error.message };
}

/**
 * Maps Larder's errors to HTTP in one place, on Express and Fastify alike (it replies through
 * Nest's HTTP adapter), with RFC 9457 problem-details bodies (`application/problem+json`):
 *
 * - `StoreUnavailableError`, `CommandTimeoutError`: 503 with `Retry-After: 1` and `retryAfter: 1`
 *   in the body, as the guards send it (locks and sessions fail closed; the client did nothing wrong);
 * - `LockNotAcquiredError`: 409 while another owner holds the lock, 503 when a store failure was
 *   the reason;
 * - `InvalidKeyError`, `InvalidArgumentError`: 400 (at the HTTP edge they come from request data);
 * - rate limits are already answered by `RateLimitGuard` (429, or 503 with `failOpen: false`).
 *
 * Other errors are not caught here. Non-HTTP contexts get the error back unchanged.
 *
 * @example
 * // app.module.ts: for every route of the app
 * providers: [{ provide: APP_FILTER, useClass: LarderExceptionFilter }]
 */
@Catch(
  StoreUnavailableError,
  CommandTimeoutError,
  LockNotAcquiredError,
  InvalidKeyError,
  InvalidArgumentError,
)
export class LarderExceptionFilter implements ExceptionFilter<MappedError> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(error: MappedError, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const { status, detail } = classify(error);
    const problem: ProblemDetails = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
    if (status === HttpStatus.SERVICE_UNAVAILABLE) problem.retryAfter = 1;
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    // A handler that already streamed part of its answer can only be cut short.
    if (httpAdapter.isHeadersSent(response)) return void httpAdapter.end(response);
    if (problem.retryAfter !== undefined)
      httpAdapter.setHeader(response, 'Retry-After', String(problem.retryAfter));
    httpAdapter.setHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
    httpAdapter.reply(response, problem, status);
  }
}

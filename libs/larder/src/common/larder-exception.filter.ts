import { type ArgumentsHost, Catch, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import {
  CommandTimeoutError,
  InvalidArgumentError,
  InvalidKeyError,
  LarderError,
  LoaderTimeoutError,
  LockNotAcquiredError,
  StoreUnavailableError,
} from '../errors';
import {
  PROBLEM_CONTENT_TYPE,
  ProblemException,
  unavailableProblem,
  type ProblemDetails,
} from './problem-details';

/** The public detail of a store failure: nothing about the store (its message can name hosts and ports). */
const UNAVAILABLE_DETAIL = 'A backing store is unavailable. Try again shortly.';
/** The public detail of a loader past its hard timeout: the key it was loading stays private. */
const LOADER_TIMEOUT_DETAIL = 'The data source did not answer in time. Try again shortly.';

function isStoreFailure(error: unknown): boolean {
  return error instanceof StoreUnavailableError || error instanceof CommandTimeoutError;
}

/**
 * The problem-details answer to a Larder error, or undefined for one that is a bug or a
 * configuration mistake rather than something the client ran into (`E_INVALID_OPTION`,
 * `E_LOCK_LOST`, `E_NOT_SERIALIZABLE`, ...): those stay a logged 500. For an application's own
 * exception filter that wants Larder's statuses with its own body.
 *
 * - `E_STORE_UNAVAILABLE`, `E_COMMAND_TIMEOUT`: 503 with `retryAfter: 1` (the client did nothing wrong);
 * - `E_LOCK_NOT_ACQUIRED`: 409 while another owner holds the lock, 503 when a store failure was the reason;
 * - `E_LOADER_TIMEOUT`: 504 (a getOrSet loader, the app's own data source, passed its hard timeout
 *   with no stale value to serve);
 * - `E_INVALID_KEY`, `E_INVALID_ARGUMENT`: 400 (at the HTTP edge they come from request data).
 *
 * @example larderProblem(new LockNotAcquiredError('Lock "job" ...'))?.status // 409
 */
export function larderProblem(error: unknown): ProblemDetails | undefined {
  if (isStoreFailure(error) || (error instanceof LockNotAcquiredError && isStoreFailure(error.cause))) {
    return unavailableProblem(UNAVAILABLE_DETAIL);
  }
  if (error instanceof LoaderTimeoutError) {
    return {
      type: 'about:blank',
      title: 'Gateway Timeout',
      status: HttpStatus.GATEWAY_TIMEOUT,
      detail: LOADER_TIMEOUT_DETAIL,
    };
  }
  if (error instanceof LockNotAcquiredError) {
    return { type: 'about:blank', title: 'Conflict', status: HttpStatus.CONFLICT, detail: error.message };
  }
  if (error instanceof InvalidKeyError || error instanceof InvalidArgumentError) {
    return {
      type: 'about:blank',
      title: 'Bad Request',
      status: HttpStatus.BAD_REQUEST,
      detail: error.message,
    };
  }
  return undefined;
}

/**
 * Maps Larder's errors to HTTP in one place, on Express and Fastify alike (it replies through
 * Nest's HTTP adapter, never `res.status().json()`), with RFC 9457 problem-details bodies
 * (`application/problem+json`, `Retry-After` when the body has `retryAfter`):
 *
 * - store unavailable or timed out: 503; a lock not acquired: 409, or 503 when Redis was the
 *   reason; a loader past its hard timeout: 504; an invalid key or argument: 400 (see `larderProblem`);
 * - the guards' refusals (`RateLimitExceededException` 429, the 503s of `RateLimitGuard` and
 *   `SessionGuard`): their own problem body, written the same way;
 * - any other Larder error (a bug or a configuration mistake): Nest's own 500, logged.
 *
 * Errors that are not Larder's are not caught. Outside HTTP (microservices, websockets) the error
 * is passed on unchanged.
 *
 * @example
 * // app.module.ts: for every route of the app
 * providers: [{ provide: APP_FILTER, useClass: LarderExceptionFilter }]
 * @example
 * // main.ts, outside dependency injection
 * app.useGlobalFilters(new LarderExceptionFilter(app.getHttpAdapter()));
 */
@Catch(LarderError, ProblemException)
export class LarderExceptionFilter extends BaseExceptionFilter<LarderError | ProblemException> {
  override catch(error: LarderError | ProblemException, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const problem = error instanceof ProblemException ? error.problem : larderProblem(error);
    if (!problem) return super.catch(error, host);
    const adapter = this.applicationRef ?? this.httpAdapterHost?.httpAdapter;
    if (!adapter) return super.catch(error, host);
    const response: unknown = host.switchToHttp().getResponse();
    // A handler that already streamed part of its answer can only be cut short.
    if (adapter.isHeadersSent(response)) return void adapter.end(response);
    if (problem.retryAfter !== undefined)
      adapter.setHeader(response, 'Retry-After', String(problem.retryAfter));
    adapter.setHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
    adapter.reply(response, problem, problem.status);
  }
}

import { HttpException } from '@nestjs/common';
/**
 * An RFC 9457 problem-details body, the shape of every error response Larder's guards send.
 * @example const body: ProblemDetails = { type: 'about:blank', title: 'Too Many Requests', status: 429, detail: '...', retryAfter: 3 };
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Seconds to wait before retrying (also sent as `Retry-After`). */
  retryAfter?: number;
}

/**
 * The body of a 503: the client did nothing wrong and may retry in a second. `detail` says what
 * could not be done, never why (a store's error can name hosts and ports).
 */
export function unavailableProblem(detail: string): ProblemDetails {
  return { type: 'about:blank', title: 'Service Unavailable', status: 503, detail, retryAfter: 1 };
}

/**
 * An HTTP exception whose body is problem details: every refusal Larder's guards throw (429, 503)
 * is one, so `LarderExceptionFilter` writes them all the same way on Express and Fastify.
 * @example throw new ProblemException({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'Already paid.' });
 */
export class ProblemException extends HttpException {
  constructor(
    /** The body sent; its `status` is the response status. */
    readonly problem: ProblemDetails,
    options?: { cause?: unknown },
  ) {
    super(problem, problem.status, options);
  }
}

/**
 * A 503 whose body is problem details (see `unavailableProblem`), keeping the store's error as
 * `cause` for logging. The guards' own exceptions extend it with their `detail`.
 * @example class QueueUnavailableException extends UnavailableException { constructor(cause: Error) { super('The queue cannot be reached right now.', cause); } }
 */
export class UnavailableException extends ProblemException {
  constructor(detail: string, cause: Error) {
    super(unavailableProblem(detail), { cause });
  }
}

/** The media type of a problem-details body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Express `res.header`/`res.setHeader` and Fastify `reply.header`, whichever exists. */
export interface ResponseLike {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/** Sets a response header on Express or Fastify, from a guard (before any body is written). */
export function setResponseHeader(response: ResponseLike, name: string, value: string | number): void {
  if (typeof response.header === 'function') response.header(name, String(value));
  else response.setHeader?.(name, String(value));
}

/**
 * Marks a refusal a guard is about to throw as problem details: the content type, and
 * `Retry-After` when the body has one. The exception filter then writes the body as JSON.
 */
export function prepareProblemResponse(response: ResponseLike, problem: ProblemDetails): void {
  if (problem.retryAfter !== undefined) setResponseHeader(response, 'Retry-After', problem.retryAfter);
  setResponseHeader(response, 'Content-Type', PROBLEM_CONTENT_TYPE);
}

import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { LockNotAcquiredError } from '@larder/nestjs';

/** The HTTP edge of locking: a held lock is a 409 Conflict, not a 500. */
@Catch(LockNotAcquiredError)
export class LockConflictFilter implements ExceptionFilter {
  catch(error: LockNotAcquiredError, host: ArgumentsHost): void {
    const cause = error.cause as { code?: string } | undefined;
    // A Redis failure behind the refusal is not a conflict: locks fail closed, and say so with 503.
    const unavailable = cause?.code === 'E_STORE_UNAVAILABLE' || cause?.code === 'E_COMMAND_TIMEOUT';
    const status = unavailable ? 503 : 409;
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(status)
      .json({
        statusCode: status,
        error: unavailable ? 'Service Unavailable' : 'Conflict',
        message: error.message,
      });
  }
}

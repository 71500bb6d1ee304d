import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { StoreUnavailableError } from '../errors';
import { prepareProblemResponse, type ResponseLike } from '../common/problem-details';
import type { IncomingHeaders } from './http/session-cookie';
import { SessionUnavailableException } from './session.exceptions';
import { SessionService } from './session.service';
import type { Session } from './session.types';

/** The request property SessionGuard puts the session on (read it with `@CurrentSession()`). */
export const SESSION_REQUEST_PROPERTY = 'larderSession';

/** The part of an HTTP request (Express or Fastify) the guard reads and writes. */
export interface SessionRequest {
  headers: IncomingHeaders;
  [SESSION_REQUEST_PROPERTY]?: Session;
}

/**
 * Lets a request through only with a live session: the id comes from the session cookie
 * (`session.cookie.name`, default `larder.sid`) or, when `session.bearer` is on, from
 * `Authorization: Bearer <id>`. The session is attached to the request for `@CurrentSession()`.
 * No or unknown session: 401. Redis unavailable: 503 with a problem-details body (fail closed;
 * never a silent logout), see `SessionUnavailableException`.
 * HTTP only (Express or Fastify).
 *
 * @example
 * @UseGuards(SessionGuard)
 * @Get('me')
 * me(@CurrentSession() session: Session) { return { userId: session.userId }; }
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(@Inject(SessionService) private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<SessionRequest>();
    const id = this.sessions.readId(request.headers ?? {});
    if (!id) throw new UnauthorizedException('No session');
    // Read moments ago for this request (by the rate limiter's `by: 'user'`): not read twice.
    if (request[SESSION_REQUEST_PROPERTY]?.id === id) return true;
    let session: Session | undefined;
    try {
      session = await this.sessions.get(id);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      const unavailable = new SessionUnavailableException(error);
      prepareProblemResponse(context.switchToHttp().getResponse<ResponseLike>(), unavailable.problem);
      throw unavailable;
    }
    if (!session) throw new UnauthorizedException('Session expired or invalid');
    request[SESSION_REQUEST_PROPERTY] = session;
    return true;
  }
}

import type { Provider } from '@nestjs/common';
import { LARDER_RATE_LIMIT_USER } from './larder.constants';
import type { RateLimitUserResolver } from './rate-limit/client-key';
import { SESSION_REQUEST_PROPERTY, type SessionRequest } from './session/session.guard';
import { SessionService } from './session/session.service';

/**
 * `by: 'user'` for apps whose users log in through Larder's sessions rather than passport: the
 * user of the request's session (cookie, or bearer when `session.bearer` is on). The session read
 * is kept on the request, so a `SessionGuard` after the rate limiter does not read it again; an
 * anonymous session, an unknown id or a failed read give no user, and the request counts against
 * its ip. Only rules with `by: 'user'` and requests without `req.user.id` pay for the read.
 */
export function sessionUserResolver(sessions: SessionService): RateLimitUserResolver {
  return async (request) => {
    const req = request as SessionRequest;
    const attached = req[SESSION_REQUEST_PROPERTY];
    if (attached) return attached.userId;
    const id = sessions.readId(req.headers ?? {});
    if (!id) return undefined;
    const session = await sessions.get(id);
    if (session) req[SESSION_REQUEST_PROPERTY] = session;
    return session?.userId;
  };
}

/** The rate limiter's user resolver, wired to the module's SessionService. */
export const RATE_LIMIT_USER_PROVIDER: Provider = {
  provide: LARDER_RATE_LIMIT_USER,
  inject: [SessionService],
  useFactory: sessionUserResolver,
};

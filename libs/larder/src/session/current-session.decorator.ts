import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { SESSION_REQUEST_PROPERTY, type SessionRequest } from './session.guard';
import type { Session } from './session.types';

/**
 * The session `SessionGuard` attached to the request, or one of its properties
 * (`@CurrentSession('userId')`). Undefined on routes the guard does not protect.
 *
 * @example
 * @UseGuards(SessionGuard)
 * @Post('logout')
 * async logout(@CurrentSession('id') id: string) { await this.sessions.destroy(id); }
 */
export const CurrentSession = createParamDecorator<
  keyof Session | undefined,
  Session | Session[keyof Session] | undefined
>((property, context: ExecutionContext) => {
  const session = context.switchToHttp().getRequest<SessionRequest>()[SESSION_REQUEST_PROPERTY];
  return property ? session?.[property] : session;
});

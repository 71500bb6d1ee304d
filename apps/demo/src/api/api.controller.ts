import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  CurrentSession,
  RateLimit,
  RateLimitGuard,
  SESSION_REQUEST_PROPERTY,
  SessionGuard,
  type SessionRequest,
} from '@larder/nestjs';

/**
 * A user-limited API: the session guard runs first and names the user, so the limit counts per
 * user, whichever ip or device the requests come from.
 */
@Controller('api')
@UseGuards(SessionGuard, RateLimitGuard)
export class ApiController {
  @Get('usage')
  @RateLimit({
    name: 'api-per-user',
    limit: 10,
    window: '1m',
    by: (ctx) => ctx.switchToHttp().getRequest<SessionRequest>()[SESSION_REQUEST_PROPERTY]?.userId,
  })
  usage(@CurrentSession('userId') userId: string) {
    return { userId, plan: 'demo', limit: '10 requests per minute per user' };
  }
}

import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommandTimeoutError, StoreUnavailableError } from '../errors';
import {
  prepareProblemResponse,
  setResponseHeader as setHeader,
  type ResponseLike,
} from '../common/problem-details';
import { LARDER_RATE_LIMIT_USER } from '../larder.constants';
import { clientKey, ipKey, type RateLimitUserResolver } from './client-key';
import { rateLimitHeader, retryAfterSeconds, tightest } from './rate-limit-headers';
import { RateLimitExceededException, RateLimitUnavailableException } from './rate-limit.exceptions';
import { RateLimitService } from './rate-limit.service';
import type {
  RateLimitCheck,
  RateLimitDecision,
  RateLimitResult,
  ResolvedRateLimitRule,
} from './rate-limit.types';
import { RouteRulesResolver } from './route-rules.resolver';

const describeWindow = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * Enforces the module's `rateLimit.rules` plus `@RateLimit` rules on HTTP routes (Express and
 * Fastify); other context types (GraphQL, WebSockets, microservices) pass through untouched (use
 * `RateLimitService` there). Every limited response carries `RateLimit-Policy` and `RateLimit`;
 * a refused one gets 429, `Retry-After` and a problem-details body.
 *
 * @example
 * // every route: app.module.ts
 * providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }]
 * @example
 * // one controller
 * @UseGuards(RateLimitGuard)
 * @RateLimit({ limit: 5, window: '1m', blockFor: '15m' })
 * @Controller('auth') class AuthController {}
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly routes: RouteRulesResolver;
  private readonly logger = new Logger('Larder');
  /** Rules whose `by` already gave an unusable value: warned about once each, not per request. */
  private readonly reportedRules = new Set<string>();

  constructor(
    @Inject(RateLimitService) private readonly rateLimits: RateLimitService,
    @Inject(Reflector) reflector: Reflector,
    @Optional() @Inject(LARDER_RATE_LIMIT_USER) private readonly userOf?: RateLimitUserResolver,
  ) {
    this.routes = new RouteRulesResolver(reflector, rateLimits.settings.rules);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const route = this.routes.forRoute(context.getClass(), context.getHandler());
    if (route.rules.length === 0) return true;
    const http = context.switchToHttp();
    const request = http.getRequest();
    const response = http.getResponse<ResponseLike>();
    const checks: RateLimitCheck[] = new Array(route.rules.length);
    let ip: string | undefined;
    for (let i = 0; i < route.rules.length; i++) {
      const rule = route.rules[i];
      // `by: 'ip'` (the default) needs nothing awaited: the request's ip key, worked out once.
      const key =
        rule.by === 'ip'
          ? (ip ??= ipKey(request))
          : await clientKey(
              rule.by,
              context,
              request,
              (received) => this.reportUnusable(rule, received),
              this.userOf,
            );
      checks[i] = { key, rule };
    }

    let decision: RateLimitDecision;
    try {
      decision = await this.rateLimits.consumeAll(checks);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError || error instanceof CommandTimeoutError)) throw error;
      const unavailable = new RateLimitUnavailableException(error);
      prepareProblemResponse(response, unavailable.problem);
      throw unavailable;
    }

    const { settings } = this.rateLimits;
    if (settings.headers) {
      setHeader(response, 'RateLimit-Policy', route.policy);
      setHeader(response, 'RateLimit', rateLimitHeader(decision.results, decision.denied));
    }
    if (settings.legacyHeaders) {
      const shown = tightest(decision.results, decision.denied);
      setHeader(response, 'X-RateLimit-Limit', shown.limit);
      setHeader(response, 'X-RateLimit-Remaining', shown.remaining);
      setHeader(response, 'X-RateLimit-Reset', Math.ceil(shown.resetMs / 1000));
    }
    if (decision.allowed) return true;
    throw this.refusal(response, decision.denied);
  }

  private reportUnusable(rule: ResolvedRateLimitRule, received: string): void {
    if (this.reportedRules.has(rule.name)) return;
    this.reportedRules.add(rule.name);
    const source = rule.by === 'user' ? 'req.user.id (or the session user)' : 'its `by` function';
    this.logger.warn(
      `Rate limit "${rule.name}": ${source} gave ${received}; expected a string, a number, or undefined/null/'' for none. ` +
        'Such requests count against their ip.',
    );
  }

  private refusal(response: ResponseLike, denied: RateLimitResult[]): RateLimitExceededException {
    const retryAfter = retryAfterSeconds(denied);
    const first = denied[0];
    const refusal = new RateLimitExceededException(
      {
        type: 'about:blank',
        title: 'Too Many Requests',
        status: 429,
        detail: `Rate limit "${first.rule}" exceeded (${first.limit} per ${describeWindow(first.windowMs)}). Retry in ${retryAfter} s.`,
        retryAfter,
      },
      denied.map((r) => r.rule),
    );
    prepareProblemResponse(response, refusal.problem);
    return refusal;
  }
}

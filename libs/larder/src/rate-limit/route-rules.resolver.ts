import type { Reflector } from '@nestjs/core';
import { RATE_LIMIT_METADATA, SKIP_RATE_LIMIT_METADATA } from '../larder.constants';
import { policyHeader } from './rate-limit-headers';
import type { ResolvedRateLimitRule } from './rate-limit.types';

/** The rules of one route and its (constant) `RateLimit-Policy` header. */
export interface RouteRules {
  rules: ResolvedRateLimitRule[];
  policy: string;
}

type Skip = true | string[] | undefined;

/**
 * Works out which rules apply to a route, once per route: module rules, then the controller's
 * skip and rules, then the handler's skip and rules; rules merge by name, later levels win, and a
 * skip removes rules of the levels above it.
 */
export class RouteRulesResolver {
  // Keyed by controller, then handler: an inherited handler can meet different controller rules.
  private readonly cache = new WeakMap<object, WeakMap<object, RouteRules>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRules: readonly ResolvedRateLimitRule[],
  ) {}

  forRoute(controller: object, handler: object): RouteRules {
    let byHandler = this.cache.get(controller);
    if (!byHandler) this.cache.set(controller, (byHandler = new WeakMap()));
    let route = byHandler.get(handler);
    if (!route) byHandler.set(handler, (route = this.compute(controller, handler)));
    return route;
  }

  private compute(controller: object, handler: object): RouteRules {
    const rules = new Map(this.moduleRules.map((r) => [r.name, r]));
    for (const target of [controller, handler]) {
      const skip = this.reflector.get<Skip>(SKIP_RATE_LIMIT_METADATA, target as never);
      if (skip === true) rules.clear();
      else if (skip) for (const name of skip) rules.delete(name);
      const own =
        this.reflector.get<ResolvedRateLimitRule[] | undefined>(RATE_LIMIT_METADATA, target as never) ?? [];
      for (const rule of own) rules.set(rule.name, rule);
    }
    const list = [...rules.values()];
    return { rules: list, policy: policyHeader(list) };
  }
}

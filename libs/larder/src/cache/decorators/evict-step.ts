import type { EvictPlan } from './cache-plan';
import { checkKeyLength, ScopeResolver, type MethodContext } from './method-context';
import { checkTags } from './text-source';

/** An eviction resolved for one call, ready to run. */
export type PreparedEviction = () => Promise<void>;

/**
 * The `@CacheEvict` logic for one method. `prepare(args)` resolves key, tags and namespace before
 * the method runs (a bad key fails the call up front); running the result never rejects.
 */
export class EvictStep {
  private readonly scopes: ScopeResolver;

  constructor(
    readonly plan: EvictPlan,
    private readonly ctx: MethodContext,
  ) {
    this.scopes = new ScopeResolver(ctx, plan.namespace);
  }

  get beforeInvocation(): boolean {
    return this.plan.beforeInvocation;
  }

  /** The eviction for these arguments, or `undefined` when `condition` says to skip it. */
  prepare(args: readonly unknown[]): PreparedEviction | undefined {
    const { plan, ctx } = this;
    if (plan.condition !== undefined && !plan.condition(...args)) return undefined;
    const scope = this.scopes.resolve(args);
    const key = plan.key ? checkKeyLength(ctx, plan.key.render(args)) : undefined;
    let tags: string[] | undefined;
    if (plan.tags)
      tags =
        'fn' in plan.tags
          ? checkTags(plan.tags.fn(...args), ctx.where)
          : plan.tags.templates.map((t) => t.render(args));
    return async () => {
      try {
        await Promise.all([
          key !== undefined ? scope.del(key) : undefined,
          tags !== undefined && tags.length > 0 ? scope.invalidateTags(tags) : undefined,
          plan.allEntries ? scope.clear() : undefined,
        ]);
      } catch (error) {
        ctx.report('evict (@CacheEvict)', error);
      }
    };
  }
}

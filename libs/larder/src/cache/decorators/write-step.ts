import { hashArguments } from './argument-hash';
import type { TagPlan, WritePlan } from './cache-plan';
import type { DecoratorScope } from './decorator-scope';
import { policyOf } from '../resilience/load-policy';
import type { LoadPolicy } from '../resilience/resilience-options';
import { checkKeyLength, ScopeResolver, type MethodContext } from './method-context';
import { checkTags } from './text-source';

/** Where one call of a `@Cacheable` / `@CachePut` method reads and writes. */
export interface WriteTarget {
  readonly scope: DecoratorScope;
  readonly key: string;
  /** Tags from templates, resolved before the method runs; `undefined` when none or from a function. */
  readonly tags: string[] | undefined;
}

/**
 * The `@Cacheable` / `@CachePut` logic for one method: where a call's entry lives, and storing a
 * result. Everything derived from the arguments is resolved before the method runs, so a bad
 * key fails the call up front; the store step after it never throws.
 */
export class WriteStep {
  private readonly scopes: ScopeResolver;
  /** The load policy, resolved once against the module defaults it was first asked with. */
  private policy?: { defaults: LoadPolicy; resolved: LoadPolicy };

  constructor(
    readonly plan: WritePlan,
    private readonly ctx: MethodContext,
  ) {
    this.scopes = new ScopeResolver(ctx, plan.namespace);
  }

  /** Whether `condition` turns the decorator off for these arguments. */
  skips(args: readonly unknown[]): boolean {
    return this.plan.condition !== undefined && !this.plan.condition(...args);
  }

  scope(args: readonly unknown[]): DecoratorScope {
    return this.scopes.resolve(args);
  }

  key(args: readonly unknown[]): string {
    const { key } = this.plan;
    return checkKeyLength(
      this.ctx,
      key ? key.render(args) : this.ctx.defaultKeyPrefix + hashArguments(args, this.ctx.where),
    );
  }

  templateTags(args: readonly unknown[]): string[] | undefined {
    const tags: TagPlan | undefined = this.plan.tags;
    return tags && 'templates' in tags ? tags.templates.map((t) => t.render(args)) : undefined;
  }

  /** The plan's `grace` and `failSafeThrottle` over the module's `resilience` defaults. */
  policyOver(defaults: LoadPolicy): LoadPolicy {
    if (this.policy?.defaults !== defaults) {
      const place = { subject: `${this.plan.decorator} option`, where: this.ctx.where };
      const resolved = policyOf(this.plan.resilience, defaults, place);
      this.policy = { defaults, resolved };
    }
    return this.policy.resolved;
  }

  target(args: readonly unknown[]): WriteTarget {
    return { scope: this.scope(args), key: this.key(args), tags: this.templateTags(args) };
  }

  /** Stores `value` unless it is `undefined` or `unless` says no. Never rejects: failures are reported. */
  async store(target: WriteTarget, args: readonly unknown[], value: unknown): Promise<void> {
    if (value === undefined) return;
    const { plan } = this;
    try {
      if (plan.unless !== undefined && plan.unless(value, ...args)) return;
      let tags = target.tags;
      if (plan.tags && 'fn' in plan.tags) tags = checkTags(plan.tags.fn(value, ...args), this.ctx.where);
      await target.scope.set(target.key, value, {
        ttl: plan.ttl,
        tags,
        grace: plan.grace,
        compression: plan.compression,
      });
    } catch (error) {
      this.ctx.report(`store the result of ${plan.decorator}`, error);
    }
  }
}

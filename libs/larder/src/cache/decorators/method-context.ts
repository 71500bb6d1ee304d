import { InvalidKeyError } from '../../errors';
import { assertKey } from '../../common/assert-key';
import type { DecoratorScope } from './decorator-scope';
import type { FailureReporter } from './failure-reporter';
import type { TextSource } from './text-source';

/** What every step of a wrapped method shares: where it is, the module's cache, limits, logging. */
export interface MethodContext {
  /** `Class.method`, for messages. */
  readonly where: string;
  /** `cache key for Class.method`: how key errors name the key, built once. */
  readonly keyKind: string;
  /** `InstanceClass.method:`, the start of default keys. */
  readonly defaultKeyPrefix: string;
  /** The CacheService of the module that wrapped the method. */
  readonly root: DecoratorScope;
  readonly maxKeyLength: number;
  readonly report: FailureReporter;
}

/**
 * Resolves the scope (root or namespace) a decorator works in. A namespace without placeholders is
 * opened once, when the method is wrapped; a template one per call.
 */
export class ScopeResolver {
  private readonly fixed: DecoratorScope | undefined;

  constructor(
    private readonly ctx: MethodContext,
    private readonly namespace: TextSource | undefined,
  ) {
    if (!namespace) this.fixed = ctx.root;
    else if (namespace.fixed !== undefined) this.fixed = this.open(namespace.fixed);
  }

  resolve(args: readonly unknown[]): DecoratorScope {
    return this.fixed ?? this.open((this.namespace as TextSource).render(args));
  }

  private open(prefix: string): DecoratorScope {
    try {
      return this.ctx.root.namespace(prefix);
    } catch (error) {
      throw new InvalidKeyError(
        `Invalid cache namespace for ${this.ctx.where}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/** Checks a rendered key against `maxKeyLength` (rendering already guarantees a non-empty string). */
export function checkKeyLength(ctx: MethodContext, key: string): string {
  assertKey(ctx.keyKind, key, ctx.maxKeyLength);
  return key;
}

import { InvalidKeyError, InvalidOptionError } from '../../errors';
import { describe } from '../../common/describe';
import { KeyTemplate } from './key-template';

type ArgsFunction = (...args: unknown[]) => unknown;

/**
 * A key, tag or namespace given as a template or as a function of the method's arguments, checked
 * once at decoration time. `render(args)` always returns a non-empty string or throws
 * `E_INVALID_KEY` naming the method.
 */
export class TextSource {
  /** The rendered text when it never depends on the arguments (a template without placeholders). */
  readonly fixed: string | undefined;

  private constructor(
    private readonly template: KeyTemplate | undefined,
    private readonly fn: ArgsFunction | undefined,
    private readonly where: string,
    private readonly what: string,
  ) {
    this.fixed = template?.isStatic ? template.render([]) : undefined;
  }

  /**
   * @param option the decorator option, used in errors (`'@Cacheable option "key"'`)
   * @throws InvalidOptionError when the value is neither a string nor a function (functions only where `allowFunction`)
   * @throws InvalidKeyError when a template does not parse
   */
  static from(value: unknown, where: string, option: string, what: string, allowFunction = true): TextSource {
    if (typeof value === 'function' && allowFunction)
      return new TextSource(undefined, value as ArgsFunction, where, what);
    if (typeof value !== 'string') {
      const allowed = allowFunction
        ? 'a template string or a function of the arguments'
        : 'a template string';
      throw new InvalidOptionError(`Invalid ${option} on ${where}: ${describe(value)}. Expected ${allowed}.`);
    }
    return new TextSource(KeyTemplate.parse(value, where, what), undefined, where, what);
  }

  render(args: readonly unknown[]): string {
    if (this.template) return this.template.render(args);
    const text = (this.fn as ArgsFunction)(...args);
    if (typeof text !== 'string' || text.length === 0) {
      throw new InvalidKeyError(
        `Invalid cache ${this.what} for ${this.where}: the ${this.what} function returned ${describe(text)}. Expected a non-empty string.`,
      );
    }
    return text;
  }
}

/** Checks what a tags function returned: an array of non-empty strings. */
export function checkTags(tags: unknown, where: string): string[] {
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag.length === 0)) {
    throw new InvalidKeyError(
      `Invalid cache tags for ${where}: the tags function returned ${describe(tags)}. Expected an array of non-empty strings.`,
    );
  }
  return tags;
}

import { InvalidKeyError } from '../../errors';
import { describe } from '../../common/describe';

/** One `{index.path}` placeholder of a template. */
interface Placeholder {
  readonly source: string;
  readonly index: number;
  readonly path: readonly string[];
}

type Part = string | Placeholder;

const PLACEHOLDER = /^(\d+)((?:\.[^.{}\s]+)*)$/;

/**
 * A key, tag or namespace template such as `'user:{0.id}:orders:{1}'`, parsed once when the
 * decorator is applied. `render(args)` only concatenates; a placeholder that does not resolve to
 * a usable value is an `E_INVALID_KEY` error naming the method and the placeholder.
 *
 * @example
 * const t = KeyTemplate.parse('user:{0.id}:orders:{1}', 'OrderService.list');
 * t.render([{ id: 7 }, 2]); // 'user:7:orders:2'
 */
export class KeyTemplate {
  private constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
    private readonly where: string,
  ) {}

  /** Whether the template has no placeholder (it renders to the same string every time). */
  get isStatic(): boolean {
    return this.parts.every((part) => typeof part === 'string');
  }

  /**
   * Parses a template; `where` (`Class.method`) names the method in errors.
   * @throws InvalidKeyError for an empty template, an unclosed or stray brace, or a placeholder
   * that is not `{index}` / `{index.path}`
   */
  static parse(source: unknown, where: string, what = 'key'): KeyTemplate {
    if (typeof source !== 'string' || source.length === 0) {
      throw new InvalidKeyError(
        `Invalid cache ${what} template on ${where}: ${describe(source)}. Expected a non-empty string.`,
      );
    }
    const parts: Part[] = [];
    let literal = '';
    for (let i = 0; i < source.length; i++) {
      const char = source[i];
      if ((char === '{' || char === '}') && source[i + 1] === char) {
        literal += char;
        i++;
      } else if (char === '{') {
        const end = source.indexOf('}', i + 1);
        const body = end < 0 ? '' : source.slice(i + 1, end);
        const match = PLACEHOLDER.exec(body);
        if (end < 0 || !match) {
          const shown = end < 0 ? source.slice(i) : `{${body}}`;
          throw new InvalidKeyError(
            `Invalid cache ${what} template "${source}" on ${where}: "${shown}" is not a placeholder. ` +
              'Use {0} for the first argument, {0.id} for its property, and {{ }} for literal braces.',
          );
        }
        if (literal) parts.push(literal);
        literal = '';
        parts.push({
          source: `{${body}}`,
          index: Number(match[1]),
          path: match[2] ? match[2].slice(1).split('.') : [],
        });
        i = end;
      } else if (char === '}') {
        throw new InvalidKeyError(
          `Invalid cache ${what} template "${source}" on ${where}: unmatched "}" (write "}}" for a literal brace).`,
        );
      } else {
        literal += char;
      }
    }
    if (literal) parts.push(literal);
    return new KeyTemplate(source, parts, where);
  }

  /** The rendered string for these arguments. */
  render(args: readonly unknown[]): string {
    const parts = this.parts;
    if (parts.length === 1) return this.piece(parts[0], args);
    let out = '';
    for (let i = 0; i < parts.length; i++) out += this.piece(parts[i], args);
    return out;
  }

  private piece(part: Part, args: readonly unknown[]): string {
    if (typeof part === 'string') return part;
    let value: unknown = args[part.index];
    for (let i = 0; i < part.path.length && value != null; i++)
      value = (value as Record<string, unknown>)[part.path[i]];
    switch (typeof value) {
      case 'string':
        if (value.length > 0) return value;
        break;
      case 'number':
        if (Number.isFinite(value)) return String(value);
        break;
      case 'bigint':
      case 'boolean':
        return String(value);
    }
    throw new InvalidKeyError(
      `Invalid cache key for ${this.where}: ${part.source} in "${this.source}" resolved to ${describe(value)}. ` +
        'A placeholder must resolve to a non-empty string, a finite number, a bigint or a boolean.',
    );
  }
}

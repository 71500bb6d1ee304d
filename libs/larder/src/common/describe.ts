/**
 * Renders a user-supplied value for an error message without dumping large objects (and without
 * echoing a long string whole).
 * @example describe('5 min') // '"5 min"'
 * @example describe({ ttl: 5 }) // 'an object'
 */
export function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : `an object`;
}

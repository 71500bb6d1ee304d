import { InvalidKeyError } from '../../errors';
import { hashArguments } from './argument-hash';
import { KeyTemplate } from './key-template';

describe('KeyTemplate', () => {
  const render = (source: string, args: unknown[]) => KeyTemplate.parse(source, 'Shop.find').render(args);

  it('renders argument indexes and nested property paths', () => {
    expect(render('product:{0}', [42])).toBe('product:42');
    expect(render('user:{0.id}:orders:{1}', [{ id: 'u1' }, 2])).toBe('user:u1:orders:2');
    expect(render('{0.a.b.c}', [{ a: { b: { c: 'deep' } } }])).toBe('deep');
    expect(render('first:{1.items.0.sku}', [null, { items: [{ sku: 'S-1' }] }])).toBe('first:S-1');
    expect(render('{0}-{1}-{2}', [10n, true, 'x'])).toBe('10-true-x');
  });

  it('keeps literal text and {{ }} escapes, and knows a template without placeholders is static', () => {
    expect(render('{{tenant}}:{0}', ['t1'])).toBe('{tenant}:t1');
    const fixed = KeyTemplate.parse('config:all', 'Shop.find');
    expect(fixed.isStatic).toBe(true);
    expect(fixed.render([])).toBe('config:all');
    expect(KeyTemplate.parse('p:{0}', 'Shop.find').isStatic).toBe(false);
  });

  it.each([
    ['', /non-empty string/],
    ['product:{', /"\{" is not a placeholder/],
    ['product:{}', /"\{\}" is not a placeholder/],
    ['product:{id}', /"\{id\}" is not a placeholder/],
    ['product:{0.}', /is not a placeholder/],
    ['product:{-1}', /is not a placeholder/],
    ['product:}', /unmatched "}"/],
  ])('refuses the malformed template %j at parse time, naming the method', (source, message) => {
    expect(() => KeyTemplate.parse(source, 'Shop.find')).toThrow(InvalidKeyError);
    expect(() => KeyTemplate.parse(source, 'Shop.find')).toThrow(/Shop\.find/);
    expect(() => KeyTemplate.parse(source, 'Shop.find')).toThrow(message);
  });

  it.each([
    ['a missing argument', 'p:{1}', ['only-one']],
    ['a missing property', 'u:{0.id}', [{}]],
    ['a path through null', 'u:{0.profile.id}', [{ profile: null }]],
    ['an empty string', 'p:{0}', ['']],
    ['an object', 'p:{0}', [{ id: 1 }]],
    ['NaN', 'p:{0}', [Number.NaN]],
    ['null', 'p:{0}', [null]],
  ])('refuses a placeholder resolving to %s with E_INVALID_KEY naming the method', (_what, source, args) => {
    const template = KeyTemplate.parse(source, 'Shop.find');
    expect(() => template.render(args)).toThrow(expect.objectContaining({ code: 'E_INVALID_KEY' }));
    expect(() => template.render(args)).toThrow(/Shop\.find/);
  });
});

describe('hashArguments', () => {
  const hash = (...args: unknown[]) => hashArguments(args, 'Shop.find');

  it('is stable whatever the order of object keys, at any depth', () => {
    expect(hash({ a: 1, b: { x: [1, 2], y: 'z' } })).toBe(hash({ b: { y: 'z', x: [1, 2] }, a: 1 }));
    expect(
      hash(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toBe(
      hash(
        new Map([
          ['b', 2],
          ['a', 1],
        ]),
      ),
    );
    expect(hash(new Set([1, 2]))).toBe(hash(new Set([2, 1])));
    expect(hash({ a: 1, gone: undefined })).toBe(hash({ a: 1 }));
    expect(hash(1, undefined)).toBe(hash(1));
    expect(hash(new Date('2024-01-01T00:00:00Z'))).toBe(hash(new Date('2024-01-01T00:00:00.000Z')));
    expect(hash('x')).toMatch(/^[A-Za-z0-9_-]{27}$/);
  });

  it('tells apart values that JSON would confuse', () => {
    const distinct = [
      hash(),
      hash(1),
      hash('1'),
      hash(null),
      hash(Number.NaN),
      hash([1]),
      hash(undefined, 1),
      hash({ a: null }),
      hash({ a: 1 }),
      hash(1n),
      hash(true),
      hash('true'),
      hash([[1, 2]]),
      hash(1, 2),
    ];
    expect(new Set(distinct).size).toBe(distinct.length);
    expect(hash([1, 2])).not.toBe(hash([2, 1]));
  });

  it('refuses functions, symbols and cycles with E_INVALID_KEY naming the method', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [() => 1, Symbol('s'), cycle, { nested: [() => 1] }]) {
      expect(() => hash(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_KEY' }));
      expect(() => hash(bad)).toThrow(/Shop\.find/);
    }
    // The same object twice is not a cycle.
    const shared = { id: 1 };
    expect(() => hash([shared, shared])).not.toThrow();
  });
});

import { InvalidOptionError } from '@larder/nestjs';
import { closestName } from './closest-name';
import { OptionKeys, assertKnownKeys, assertOptionsObject, optionKeys, type OptionPlace } from './known-keys';

interface Sample {
  ttl?: number;
  wait?: number;
  retryDelay?: number;
  namespace?: string;
}

const SAMPLE_KEYS = optionKeys<Sample>(
  { ttl: true, wait: true, retryDelay: true, namespace: true },
  { timeout: 'wait' },
);

describe('closestName', () => {
  it.each<[string, string | undefined]>([
    ['tll', 'ttl'],
    ['TTL', 'ttl'],
    ['wiat', 'wait'],
    ['nmespace', 'namespace'],
    ['nameSpace', 'namespace'],
    ['retrydelay', 'retryDelay'],
    ['retryDeley', 'retryDelay'],
    ['reteyDeley', 'retryDelay'],
    ['colour', undefined],
    ['tag', undefined],
    ['w', undefined],
    ['', undefined],
  ])('%p -> %p', (name, expected) => {
    expect(closestName(name, ['ttl', 'wait', 'retryDelay', 'namespace'])).toBe(expected);
  });

  it('prefers the nearer candidate, and the first listed on a tie', () => {
    expect(closestName('nam', ['name', 'namespace'])).toBe('name');
    expect(closestName('tax', ['tag', 'tab'])).toBe('tag');
  });
});

describe('assertKnownKeys', () => {
  function messageOf(
    options: object,
    place: OptionPlace = { subject: 'Larder option', path: 'lock' },
  ): string {
    try {
      assertKnownKeys(options, SAMPLE_KEYS, place);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toMatchObject({ code: 'E_INVALID_OPTION' });
      return (error as Error).message;
    }
    throw new Error('expected E_INVALID_OPTION');
  }

  it('accepts known fields, unset or set to undefined', () => {
    expect(() => assertKnownKeys({}, SAMPLE_KEYS, { subject: 'x' })).not.toThrow();
    expect(() => assertKnownKeys({ ttl: 1, wait: undefined }, SAMPLE_KEYS, { subject: 'x' })).not.toThrow();
  });

  it('names the full path of the unknown field, the closest valid one and the allowed fields', () => {
    expect(messageOf({ ttl: 1, tll: 5 })).toBe(
      'Unknown Larder option "lock.tll". Did you mean "lock.ttl"? Allowed: ttl, wait, retryDelay, namespace.',
    );
    expect(messageOf({ colour: 'red' })).toBe(
      'Unknown Larder option "lock.colour". Allowed: ttl, wait, retryDelay, namespace.',
    );
  });

  it('suggests by alias where another library uses another name', () => {
    expect(messageOf({ timeout: 5 })).toContain('Did you mean "lock.wait"?');
  });

  it('names the code it sits on, and works without a path', () => {
    expect(messageOf({ tll: 5 }, { subject: '@Cacheable option', where: 'Shop.find' })).toBe(
      'Unknown @Cacheable option "tll" on Shop.find. Did you mean "ttl"? Allowed: ttl, wait, retryDelay, namespace.',
    );
  });

  it('checks inherited enumerable fields too: they are read like own ones', () => {
    const inherited = Object.create({ tll: 5 }) as object;
    expect(messageOf(inherited)).toContain('"lock.tll"');
  });

  it('an OptionKeys lists its fields and answers has()', () => {
    const keys = new OptionKeys(['a', 'b']);
    expect(keys.has('a')).toBe(true);
    expect(keys.has('toString')).toBe(false);
    expect(keys.list()).toBe('a, b');
    expect(keys.findUnknown({ a: 1, c: 2 })).toBe('c');
  });
});

describe('assertOptionsObject', () => {
  it.each([[null], [undefined], ['redis://x'], [42], [[]]])('refuses %p with E_INVALID_OPTION', (value) => {
    expect(() => assertOptionsObject(value, 'CacheModule.forRoot()', 'an object')).toThrow(
      expect.objectContaining({
        code: 'E_INVALID_OPTION',
        message: expect.stringContaining('Invalid CacheModule.forRoot() options'),
      }),
    );
  });
});

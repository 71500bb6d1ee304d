import { IsBoolean, IsOptional } from 'class-validator';
import { InvalidOptionError } from '@larder/nestjs';
import type { Duration } from './duration';
import { optionKeys } from './known-keys';
import { HasMethods, IsDuration, invalidOption, validateOptions } from './validate-options';

interface Sample {
  ttl?: Duration;
  wait?: Duration;
  enabled?: boolean;
  store?: unknown;
}

class SampleRules {
  @IsOptional() @IsDuration() ttl?: Duration;
  @IsOptional() @IsDuration({ allowZero: true }) wait?: Duration;
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @HasMethods(['get', 'set'], 'a store with get and set') store?: unknown;
}

const KEYS = optionKeys<Sample>({ ttl: true, wait: true, enabled: true, store: true });
const PLACE = { subject: 'Larder option', path: 'sample' };

function messageOf(value: unknown): string {
  try {
    validateOptions(SampleRules, value, KEYS, PLACE);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return (error as Error).message;
  }
  throw new Error('expected E_INVALID_OPTION');
}

describe('validateOptions', () => {
  it('returns a valid object as it is', () => {
    const value = { ttl: '5s', wait: 0, enabled: true, store: new Map() };
    expect(validateOptions(SampleRules, value, KEYS, PLACE)).toBe(value);
    expect(validateOptions(SampleRules, {}, KEYS, PLACE)).toEqual({});
  });

  it('refuses what is not an object, listing the fields', () => {
    expect(messageOf('5s')).toBe(
      'Invalid Larder option "sample": "5s". Allowed: an object { ttl, wait, enabled, store }.',
    );
    expect(messageOf(null)).toContain('"sample"');
    expect(messageOf([])).toContain('an array');
  });

  it('refuses an unknown field with the closest valid name before any rule runs', () => {
    expect(messageOf({ tll: 5, enabled: 'no' })).toContain(
      'Unknown Larder option "sample.tll". Did you mean "sample.ttl"?',
    );
  });

  it('names the full path, the value and what is allowed for the first broken rule', () => {
    expect(messageOf({ ttl: 0 })).toMatch(
      /^Invalid Larder option "sample\.ttl": 0\. Allowed: .*'30s'.*, > 0\.$/,
    );
    expect(messageOf({ ttl: '5 minutes' })).toContain('"5 minutes"');
    expect(messageOf({ wait: -1 })).toMatch(/"sample\.wait".*>= 0/);
    expect(messageOf({ enabled: 'yes' })).toMatch(/"sample\.enabled": "yes"\. Allowed: .*boolean/);
    expect(messageOf({ store: { get: () => 1 } })).toBe(
      'Invalid Larder option "sample.store": an object. Allowed: a store with get and set.',
    );
  });

  it('accepts zero only where allowed', () => {
    expect(() => validateOptions(SampleRules, { wait: 0 }, KEYS, PLACE)).not.toThrow();
    expect(() => validateOptions(SampleRules, { ttl: 0 }, KEYS, PLACE)).toThrow(InvalidOptionError);
  });
});

describe('invalidOption', () => {
  it('builds the one message shape, with the code it sits on', () => {
    expect(
      invalidOption({ subject: '@RateLimit rule', path: 'Shop.find[0]' }, 'limit', 0, 'an integer').message,
    ).toBe('Invalid @RateLimit rule "Shop.find[0].limit": 0. Allowed: an integer.');
    expect(invalidOption({ subject: 'Larder option' }, 'name', 'a b', 'letters').message).toBe(
      'Invalid Larder option "name": "a b". Allowed: letters.',
    );
  });
});

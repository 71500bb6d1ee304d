import { InvalidArgumentError, InvalidKeyError } from '@larder/nestjs';
import { argumentRule, assertKey } from './assert-key';

describe('assertKey', () => {
  it('accepts a non-empty string up to the limit', () => {
    expect(() => assertKey('cache key', 'k'.repeat(8), 8)).not.toThrow();
    expect(() => assertKey('rate limit key', 'k'.repeat(100_000), Infinity)).not.toThrow();
  });

  it.each([[''], [undefined], [null], [42], [{}]])(
    'refuses %p with E_INVALID_KEY naming the kind',
    (value) => {
      expect(() => assertKey('lock key', value, 8)).toThrow(
        expect.objectContaining({
          code: 'E_INVALID_KEY',
          message: expect.stringMatching(/^Invalid lock key: /),
        }),
      );
    },
  );

  it('refuses an over-long key by its length, never echoing it', () => {
    let caught: unknown;
    try {
      assertKey('cache tag', 'secret-value', 5);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidKeyError);
    expect((caught as Error).message).toBe('Invalid cache tag: 12 characters, more than maxKeyLength (5).');
  });

  it('throws E_INVALID_ARGUMENT with the rule of an argument, naming its limit', () => {
    expect(() => assertKey('owner', '', 8, argumentRule())).toThrow(InvalidArgumentError);
    expect(() => assertKey('userId', 'abc', 2, argumentRule('the longest user id'))).toThrow(
      'Invalid userId: 3 characters, more than the longest user id (2).',
    );
  });
});

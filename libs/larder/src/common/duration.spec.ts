import { InvalidOptionError } from '@larder/nestjs';
import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each<[unknown, number]>([
    [250, 250],
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['42', 42],
  ])('parses %p as %p ms', (input, ms) => {
    expect(parseDuration(input, 'ttl')).toBe(ms);
  });

  it.each([['1w'], ['-5s'], [''], [NaN], [Infinity], [null], [{}], ['5 m s']])('rejects %p', (input) => {
    expect(() => parseDuration(input, 'lock.ttl')).toThrow(/Invalid lock.ttl/);
  });

  it.each<[unknown, number]>([
    [0.4, 1],
    ['0.4ms', 1],
    [1e-9, 1],
    [Number.MIN_VALUE, 1],
    ['0.0001s', 1],
    [1.4, 1],
    [1.5, 2],
    ['1.1s', 1100],
  ])('rounds %p to %p ms: a positive duration never becomes 0', (input, ms) => {
    expect(parseDuration(input, 'ttl')).toBe(ms);
    expect(parseDuration(input, 'ttl', { allowZero: true })).toBe(ms);
  });

  it('accepts 0 only where it means "no expiry"', () => {
    expect(parseDuration(0, 'ttl', { allowZero: true })).toBe(0);
    expect(() => parseDuration(0, 'ttl')).toThrow(InvalidOptionError);
    expect(Object.is(parseDuration(-0, 'ttl', { allowZero: true }), 0)).toBe(true);
  });
});

import { resolveLarderOptions } from '../larder-options';

const URL = 'redis://127.0.0.1:1';
const breakerOf = (options: Parameters<typeof resolveLarderOptions>[0]) =>
  resolveLarderOptions(options).connection.circuitBreaker;

describe('the circuitBreaker option', () => {
  it('is on by default, off with false, and fills in what an object leaves out', () => {
    expect(breakerOf({ redis: URL })).toEqual({ failures: 5, cooldown: 2000 });
    expect(breakerOf({ redis: URL, circuitBreaker: false })).toBe(false);
    expect(breakerOf({ redis: URL, circuitBreaker: { cooldown: '1.5s' } })).toEqual({
      failures: 5,
      cooldown: 1500,
    });
  });

  it('is off on a Redis Cluster unless given', () => {
    const nodes = [{ host: '127.0.0.1', port: 1 }];
    expect(breakerOf({ redis: { nodes } })).toBe(false);
    expect(breakerOf({ redis: { nodes }, circuitBreaker: { failures: 2 } })).toEqual({
      failures: 2,
      cooldown: 2000,
    });
  });

  it.each<[unknown, RegExp]>([
    [{ failures: 0 }, /"circuitBreaker\.failures": 0/],
    [{ failures: 2.5 }, /"circuitBreaker\.failures"/],
    [{ cooldown: 'soon' }, /"circuitBreaker\.cooldown"/],
    [{ cooldown: 0 }, /"circuitBreaker\.cooldown"/],
    [{ failure: 3 }, /"circuitBreaker\.failure".*failures/],
    [true, /"circuitBreaker": true.*false or \{ failures\?, cooldown\? \}/],
  ])('refuses %p, naming the field', (circuitBreaker, message) => {
    expect(() =>
      resolveLarderOptions({ redis: URL, circuitBreaker } as Parameters<typeof resolveLarderOptions>[0]),
    ).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION', message: expect.stringMatching(message) }));
  });
});
